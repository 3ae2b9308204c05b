import type { BuiltInRoleKey, Grant, Principal, SubjectDefinition } from '../../api/module';
import { ServiceRequest } from './entities/service-request.entities';
import { ServiceStage } from './entities/service-stage.entity';

/**
 * Which service requests a scope covers (the same rule as applications).
 * - own: assigned to me, or to everyone.
 * - team: also those assigned to my teams; for a team leader, also those assigned to any
 *   member of the teams they lead, and unassigned ones.
 */
export function serviceRequestScope(p: Principal, scope: 'own' | 'team') {
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

export const SERVICE_REQUEST_FIELDS = [
  'account',
  'contact',
  'subscription',
  'subject',
  'detail',
  'product',
  'serialNumber',
  'stage',
  'priority',
  'assignee',
  'requestedDate',
  'plannedDate',
  'resolutionNote',
];

export const serviceRequestSubjects: SubjectDefinition[] = [
  {
    name: 'ServiceRequest',
    entity: ServiceRequest,
    actions: ['read', 'create', 'update', 'changeStage', 'assign', 'archive'],
    fields: SERVICE_REQUEST_FIELDS,
    scopes: { own: (p) => serviceRequestScope(p, 'own'), team: (p) => serviceRequestScope(p, 'team') },
    description: 'Service requests (servis başvurusu).',
  },
  { name: 'ServiceStage', entity: ServiceStage, actions: ['read', 'create', 'update', 'archive'] },
];

const reference: Grant[] = [{ subject: 'ServiceStage', action: 'read', scope: 'all' }];

export const serviceRequestDefaultGrants: Partial<Record<BuiltInRoleKey, Grant[]>> = {
  team_leader: [
    ...['read', 'update', 'changeStage', 'assign', 'archive'].map((action) => ({ subject: 'ServiceRequest', action, scope: 'team' as const })),
    { subject: 'ServiceRequest', action: 'create', scope: 'all' },
    ...reference,
  ],
  agent: [
    ...['read', 'update', 'changeStage', 'assign'].map((action) => ({ subject: 'ServiceRequest', action, scope: 'team' as const })),
    { subject: 'ServiceRequest', action: 'create', scope: 'all' },
    ...reference,
  ],
};
