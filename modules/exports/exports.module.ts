import type { ModuleDefinition } from '../../api/module';
import { ExportJob } from './entities/export-job.entity';
import { ExportJobResolver } from './resolvers/export.resolver';
import { downloadHandler } from './services/export.service';
import { templateHandler, uploadHandler } from './services/import.service';
import { CLEANUP_JOB, cleanupJobs, RUN_JOB, runJob } from './services/job.service';

/**
 * Excel and PDF exports, and Excel imports of accounts and contacts, as background jobs with
 * progress, cancel and expiring signed links.
 */
export const exportsModule: ModuleDefinition = {
  name: 'exports',
  entities: [ExportJob],
  resolvers: [ExportJobResolver],
  subjects: [
    {
      name: 'ExportJob',
      entity: ExportJob,
      actions: ['read'],
      scopes: { own: (p) => ({ owner: p.id }) },
      description: 'Background exports and imports; each user sees their own.',
    },
  ],
  defaultGrants: {
    team_leader: [{ subject: 'ExportJob', action: 'read', scope: 'own' }],
    agent: [{ subject: 'ExportJob', action: 'read', scope: 'own' }],
  },
  jobs: [
    { name: RUN_JOB, handler: async (ctx, data) => runJob(ctx.services, Number((data as { id: number }).id)) },
    { name: CLEANUP_JOB, schedule: '*/10 * * * *', handler: async (ctx) => void (await cleanupJobs(ctx)) },
  ],
  routes(router, { contextOf }) {
    router.get('/exports/:id/file', async (req, res) => downloadHandler(() => contextOf(req), req, res));
    router.get('/imports/templates/:target', async (req, res) => templateHandler(await contextOf(req), req, res));
    router.post('/imports', async (req, res) => uploadHandler(await contextOf(req), req, res));
  },
};
