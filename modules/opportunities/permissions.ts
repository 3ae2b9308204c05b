import type { BuiltInRoleKey, Grant, SubjectDefinition } from '../../api/module';
import { Opportunity } from './entities/opportunity.entity';
import { SalesStage } from './entities/sales-stage.entity';

export const OPPORTUNITY_FIELDS = [
  'account',
  'contact',
  'title',
  'description',
  'expectedAmount',
  'currency',
  'probability',
  'stage',
  'expectedCloseDate',
  'owner',
  'campaign',
  'project',
];

export const opportunitySubjects: SubjectDefinition[] = [
  {
    name: 'Opportunity',
    entity: Opportunity,
    actions: ['read', 'create', 'update', 'changeStage', 'archive'],
    fields: OPPORTUNITY_FIELDS,
    // own: mine; team: owned by a member of my teams (me included).
    scopes: { own: (p) => ({ owner: p.id }), team: (p) => ({ owner: { $in: p.teamMemberIds } }) },
    description: 'Sales opportunities (fırsat).',
  },
  { name: 'SalesStage', entity: SalesStage, actions: ['read', 'create', 'update', 'archive'] },
];

const reference: Grant[] = [{ subject: 'SalesStage', action: 'read', scope: 'all' }];

export const opportunityDefaultGrants: Partial<Record<BuiltInRoleKey, Grant[]>> = {
  team_leader: [
    ...['read', 'update', 'changeStage'].map((action) => ({ subject: 'Opportunity', action, scope: 'team' as const })),
    { subject: 'Opportunity', action: 'create', scope: 'all' },
    ...reference,
  ],
  agent: [
    ...['read', 'update', 'changeStage'].map((action) => ({ subject: 'Opportunity', action, scope: 'own' as const })),
    { subject: 'Opportunity', action: 'create', scope: 'all' },
    ...reference,
  ],
};
