import type { BuiltInRoleKey, Grant, SubjectDefinition } from '../../api/module';
import { assigneeScope } from '../identity/services/assignee.service';
import { Application, FollowUp } from './entities/application.entities';
import { Category, ProcessStage } from './entities/classification.entities';


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
    scopes: { own: (p) => assigneeScope(p, 'own'), team: (p) => assigneeScope(p, 'team') },
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
