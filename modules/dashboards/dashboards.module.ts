import type { ModuleDefinition } from '../../api/module';
import { DashboardResolver } from './resolvers/dashboard.resolver';

/** The manager dashboard over the applications module's statistics. */
export const dashboardsModule: ModuleDefinition = {
  name: 'dashboards',
  entities: [],
  resolvers: [DashboardResolver],
};
