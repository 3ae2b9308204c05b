import { AccountServiceRequestsResolver } from './resolvers/account-service-requests.resolver';
import type { ModuleDefinition } from '../../api/module';
import { ServiceRequest, ServiceRequestCounter, ServiceRequestHistory } from './entities/service-request.entities';
import { ServiceStage } from './entities/service-stage.entity';
import { serviceRequestDefaultGrants, serviceRequestSubjects } from './permissions';
import { ServiceRequestHistoryResolver, ServiceRequestResolver, ServiceStageCrudResolver, ServiceStageResolver } from './resolvers/service-request.resolver';

const STAGES = [
  { name: 'Yeni', sortOrder: 10, isInitial: true, color: '#1976d2' },
  { name: 'Planlandı', sortOrder: 20, color: '#0288d1' },
  { name: 'Teknisyen yolda', sortOrder: 30, color: '#f57c00' },
  { name: 'Tamamlandı', sortOrder: 40, closed: true, color: '#388e3c' },
  { name: 'İptal', sortOrder: 50, closed: true, color: '#616161' },
];

/** Service requests (servis başvurusu), with administrator-defined stages and history. */
export const serviceRequestsModule: ModuleDefinition = {
  name: 'service-requests',
  entities: [ServiceStage, ServiceRequest, ServiceRequestHistory, ServiceRequestCounter],
  resolvers: [AccountServiceRequestsResolver, ServiceRequestResolver, ServiceRequestHistoryResolver, ServiceStageCrudResolver, ServiceStageResolver],
  subjects: serviceRequestSubjects,
  defaultGrants: serviceRequestDefaultGrants,
  async bootstrap(em) {
    // Sensible defaults on first run only: an administrator's changes stay as they are.
    if ((await em.count(ServiceStage, {})) === 0) {
      for (const s of STAGES) em.create(ServiceStage, s);
      await em.flush();
    }
  },
};
