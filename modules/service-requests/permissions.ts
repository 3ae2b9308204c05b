import type { BuiltInRoleKey, Grant, SubjectDefinition } from '../../api/module';
import { assigneeScope } from '../identity/services/assignee.service';
import { ServiceRequest } from './entities/service-request.entities';
import { ServiceStage } from './entities/service-stage.entity';


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
    scopes: { own: (p) => assigneeScope(p, 'own'), team: (p) => assigneeScope(p, 'team') },
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
