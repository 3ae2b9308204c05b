import type { ModuleDefinition } from '../../api/module';
import { seedApplicationsDemo } from './demo';
import { Application, ApplicationCounter, ApplicationHistory, FollowUp, TimeEntry } from './entities/application.entities';
import { Category, ProcessStage } from './entities/classification.entities';
import { ApplicationStat } from './entities/statistics.entity';
import { applicationDefaultGrants, applicationSubjects } from './permissions';
import {
  AccountApplicationsResolver,
  ApplicationHistoryResolver,
  ApplicationResolver,
  CategoryCrudResolver,
  CategoryResolver,
  FollowUpResolver,
  ProcessStageCrudResolver,
  ProcessStageResolver,
  ProjectTimeResolver,
  SubscriptionTimeResolver,
  TimeEntryResolver,
} from './resolvers/application.resolver';
import { ApplicationLinksResolver, OpportunityApplicationsResolver, ServiceRequestApplicationsResolver } from './resolvers/conversion.resolver';
import { conversionService } from './services/conversion.service';

const STAGES = [
  { name: 'Açık', sortOrder: 10, isInitial: true, color: '#1976d2' },
  { name: 'Talep alındı', sortOrder: 20, color: '#0288d1' },
  { name: 'İşlemde', sortOrder: 30, color: '#f57c00' },
  { name: 'Bilgi verildi', sortOrder: 40, color: '#7b1fa2' },
  { name: 'Çözüldü', sortOrder: 50, closed: true, color: '#388e3c' },
  { name: 'Kapatıldı', sortOrder: 60, closed: true, color: '#616161' },
];

/** Call-center applications (başvuru), with stages, categories, follow-ups, time and history. */
export const applicationsModule: ModuleDefinition = {
  name: 'applications',
  entities: [ProcessStage, Category, Application, FollowUp, TimeEntry, ApplicationHistory, ApplicationCounter, ApplicationStat],
  resolvers: [
    ApplicationResolver,
    FollowUpResolver,
    TimeEntryResolver,
    ApplicationHistoryResolver,
    ProcessStageCrudResolver,
    ProcessStageResolver,
    CategoryCrudResolver,
    CategoryResolver,
    AccountApplicationsResolver,
    SubscriptionTimeResolver,
    ProjectTimeResolver,
    ApplicationLinksResolver,
    ServiceRequestApplicationsResolver,
    OpportunityApplicationsResolver,
  ],
  subjects: applicationSubjects,
  defaultGrants: applicationDefaultGrants,
  async bootstrap(em) {
    if ((await em.count(ProcessStage, {})) === 0) {
      for (const s of STAGES) em.create(ProcessStage, s);
      await em.flush();
    }
  },
  seedDemo: seedApplicationsDemo,
  routes(router, { contextOf }) {
    router.post('/applications/:id/documents', async (req, res) => conversionService.upload(await contextOf(req), req, res));
  },
};
