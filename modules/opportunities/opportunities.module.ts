import { AccountOpportunitiesResolver } from './resolvers/account-opportunities.resolver';
import type { ModuleDefinition } from '../../api/module';
import { Opportunity } from './entities/opportunity.entity';
import { SalesStage, SalesStageOutcome } from './entities/sales-stage.entity';
import { opportunityDefaultGrants, opportunitySubjects } from './permissions';
import { OpportunityPipelineResolver, OpportunityResolver, SalesStageCrudResolver } from './resolvers/opportunity.resolver';

const STAGES = [
  { name: 'Yeni fırsat', sortOrder: 10, probability: 10, outcome: SalesStageOutcome.OPEN, color: '#1976d2' },
  { name: 'Görüşme', sortOrder: 20, probability: 30, outcome: SalesStageOutcome.OPEN, color: '#0288d1' },
  { name: 'Teklif verildi', sortOrder: 30, probability: 60, outcome: SalesStageOutcome.OPEN, color: '#f57c00' },
  { name: 'Kazanıldı', sortOrder: 40, probability: 100, outcome: SalesStageOutcome.WON, color: '#388e3c' },
  { name: 'Kaybedildi', sortOrder: 50, probability: 0, outcome: SalesStageOutcome.LOST, color: '#616161' },
];

/** Sales opportunities (fırsat), with an administrator-defined pipeline and its totals. */
export const opportunitiesModule: ModuleDefinition = {
  name: 'opportunities',
  entities: [SalesStage, Opportunity],
  resolvers: [AccountOpportunitiesResolver, OpportunityResolver, OpportunityPipelineResolver, SalesStageCrudResolver],
  subjects: opportunitySubjects,
  defaultGrants: opportunityDefaultGrants,
  async bootstrap(em) {
    // Sensible defaults on first run only: an administrator's changes stay as they are.
    if ((await em.count(SalesStage, {})) === 0) {
      for (const s of STAGES) em.create(SalesStage, s);
      await em.flush();
    }
  },
};
