import type { BuiltInRoleKey, Grant, Principal, SubjectDefinition } from '../../api/module';
import { Application, FollowUp } from './entities/application.entities';
import { Category, ProcessStage } from './entities/classification.entities';

/**
 * Which applications a scope covers.
 * - own: assigned to me, or to everyone.
 * - team: also those assigned to my teams; for a team leader, also those assigned to any
 *   member of the teams they lead, and unassigned ones.
 */
export function applicationScope(p: Principal, scope: 'own' | 'team') {
  const ors: Record<string, unknown>[] = [{ assigneeUser: p.id }, { assigneeEveryone: true }];
  if (scope === 'team') {
    if (p.teamIds.length) ors.push({ assigneeTeam: { $in: p.teamIds } });
    if (p.ledTeamIds.length) {
      ors.push({ assigneeUser: { $in: p.teamMemberIds } });
      ors.push({ assigneeUser: null, assigneeTeam: null, assigneeEveryone: false });
    }
  }
  return { $or: ors };
}

export const APPLICATION_FIELDS = [
  'applicant',
  'reporter',
  'branch',
  'priority',
  'stage',
  'category',
  'subcategory',
  'treeCategory',
  'channel',
  'referenceNo',
  'applicationDate',
  'acceptanceDate',
  'assignee',
  'responsible',
  'project',
  'campaign',
  'subscription',
  'extra',
  'subject',
  'detail',
];

export const applicationSubjects: SubjectDefinition[] = [
  {
    name: 'Application',
    entity: Application,
    actions: ['read', 'create', 'update', 'changeStage', 'assign', 'archive', 'addFollowUp', 'addTime'],
    fields: APPLICATION_FIELDS,
    scopes: { own: (p) => applicationScope(p, 'own'), team: (p) => applicationScope(p, 'team') },
    description: 'Call-center applications (başvuru).',
  },
  { name: 'FollowUp', entity: FollowUp, actions: ['update'], scopes: { own: (p) => ({ author: p.id }), team: (p) => ({ author: { $in: p.teamMemberIds } }) } },
  { name: 'ProcessStage', entity: ProcessStage, actions: ['read', 'create', 'update', 'archive'] },
  { name: 'Category', entity: Category, actions: ['read', 'create', 'update', 'archive'] },
];

const reference: Grant[] = [
  { subject: 'ProcessStage', action: 'read', scope: 'all' },
  { subject: 'Category', action: 'read', scope: 'all' },
];

export const applicationDefaultGrants: Partial<Record<BuiltInRoleKey, Grant[]>> = {
  team_leader: [
    ...['read', 'update', 'changeStage', 'assign', 'archive', 'addFollowUp', 'addTime'].map((action) => ({ subject: 'Application', action, scope: 'team' as const })),
    { subject: 'Application', action: 'create', scope: 'all' },
    { subject: 'FollowUp', action: 'update', scope: 'own' },
    ...reference,
  ],
  agent: [
    ...['read', 'changeStage', 'assign', 'addFollowUp', 'addTime'].map((action) => ({ subject: 'Application', action, scope: 'team' as const })),
    // Agents change everything but the responsible; assignment has its own action.
    { subject: 'Application', action: 'update', scope: 'team', fields: APPLICATION_FIELDS.filter((f) => f !== 'responsible') },
    { subject: 'Application', action: 'create', scope: 'all', fields: APPLICATION_FIELDS.filter((f) => f !== 'responsible') },
    { subject: 'FollowUp', action: 'update', scope: 'own' },
    ...reference,
  ],
};
