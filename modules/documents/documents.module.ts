import type { ModuleDefinition } from '../../api/module';
import { Document } from './entities/document.entity';
import { DocumentResolver } from './resolvers/document.resolver';
import { downloadHandler, uploadHandler } from './services/document.service';

/** The digital archive (dijital arşiv): uploaded files, linkable to any record. */
export const documentsModule: ModuleDefinition = {
  name: 'documents',
  entities: [Document],
  resolvers: [DocumentResolver],
  subjects: [
    {
      name: 'Document',
      entity: Document,
      actions: ['read', 'create', 'update', 'archive'],
      scopes: { own: (p) => ({ uploadedBy: p.id }), team: (p) => ({ uploadedBy: { $in: p.teamMemberIds } }) },
    },
  ],
  defaultGrants: {
    team_leader: [
      { subject: 'Document', action: 'read', scope: 'team' },
      { subject: 'Document', action: 'create', scope: 'all' },
      { subject: 'Document', action: 'update', scope: 'team' },
      { subject: 'Document', action: 'archive', scope: 'team' },
    ],
    agent: [
      { subject: 'Document', action: 'read', scope: 'team' },
      { subject: 'Document', action: 'create', scope: 'all' },
      { subject: 'Document', action: 'update', scope: 'own' },
    ],
  },
  routes(router, { contextOf }) {
    router.post('/documents', async (req, res) => uploadHandler(await contextOf(req), req, res));
    router.get('/documents/:id/content', async (req, res) => downloadHandler(await contextOf(req), req, res));
  },
};
