import type { ModuleDefinition } from '../../api/module';
import { Content } from './entities/content.entity';
import { ContentCrudResolver } from './resolvers/content.resolver';

/**
 * Knowledge contents (içerik). Everyone reads published articles; team leaders write them;
 * drafts are visible to whoever may update contents.
 */
export const contentsModule: ModuleDefinition = {
  name: 'contents',
  entities: [Content],
  resolvers: [ContentCrudResolver],
  subjects: [
    {
      name: 'Content',
      entity: Content,
      actions: ['read', 'create', 'update', 'archive'],
      // "own" reads: published articles, and one's own drafts.
      scopes: { own: (p) => ({ $or: [{ published: true }, { createdBy: p.id }] }), team: (p) => ({ $or: [{ published: true }, { createdBy: { $in: p.teamMemberIds } }] }) },
    },
  ],
  defaultGrants: {
    team_leader: [
      { subject: 'Content', action: 'read', scope: 'all' },
      { subject: 'Content', action: 'create', scope: 'all' },
      { subject: 'Content', action: 'update', scope: 'all' },
    ],
    agent: [{ subject: 'Content', action: 'read', scope: 'own' }],
  },
};
