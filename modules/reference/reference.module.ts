import type { EntityManager } from '@mikro-orm/core';
import type { Grant, ModuleDefinition, SubjectDefinition } from '../../api/module';
import { Branch, Campaign, ContactChannel, Priority, Project } from './entities/reference.entities';
import { BranchResolver, CampaignResolver, ContactChannelResolver, PriorityResolver, ProjectResolver } from './resolvers/reference.resolvers';

const CRUD = ['read', 'create', 'update', 'archive'];
const subjects: SubjectDefinition[] = [
  { name: 'Priority', entity: Priority, actions: CRUD },
  { name: 'ContactChannel', entity: ContactChannel, actions: CRUD },
  { name: 'Branch', entity: Branch, actions: CRUD },
  { name: 'Project', entity: Project, actions: CRUD },
  { name: 'Campaign', entity: Campaign, actions: CRUD },
];
const readAll: Grant[] = subjects.map((s) => ({ subject: s.name, action: 'read', scope: 'all' }));

const PRIORITIES = [
  { name: 'Düşük', color: '#607d8b', sortOrder: 10 },
  { name: 'Normal', color: '#1976d2', sortOrder: 20, isDefault: true },
  { name: 'Yüksek', color: '#f57c00', sortOrder: 30 },
  { name: 'Acil', color: '#d32f2f', sortOrder: 40 },
];
const CHANNELS = [
  { code: 'phone', name: 'Telefon', sortOrder: 10, isDefault: true },
  { code: 'email', name: 'E-posta', sortOrder: 20 },
  { code: 'sms', name: 'SMS', sortOrder: 30 },
  { code: 'chat', name: 'Canlı sohbet', sortOrder: 40 },
  { code: 'web_form', name: 'Web formu', sortOrder: 50 },
  { code: 'walk_in', name: 'Yüz yüze', sortOrder: 60 },
  { code: 'social', name: 'Sosyal medya', sortOrder: 70 },
];

/** Priorities, contact channels, branches, projects and campaigns. */
export const referenceModule: ModuleDefinition = {
  name: 'reference',
  entities: [Priority, ContactChannel, Branch, Project, Campaign],
  resolvers: [PriorityResolver, ContactChannelResolver, BranchResolver, ProjectResolver, CampaignResolver],
  subjects,
  defaultGrants: { team_leader: readAll, agent: readAll },
  async bootstrap(em: EntityManager) {
    // Sensible defaults on first run only: an administrator's deletions stay deleted.
    if ((await em.count(Priority, {})) === 0) for (const p of PRIORITIES) em.create(Priority, p);
    if ((await em.count(ContactChannel, {})) === 0) for (const c of CHANNELS) em.create(ContactChannel, c);
    await em.flush();
  },
};
