import type { BuiltInRoleKey, Grant, SubjectDefinition } from '../../api/module';
import { Role } from './entities/role.entity';
import { Session } from './entities/session.entity';
import { Team } from './entities/team.entity';
import { User } from './entities/user.entity';

/**
 * Identity's subjects. Scopes: for users, "own" is yourself and "team" everyone in your
 * teams; for teams, "own" and "team" are the teams you belong to or lead.
 */
export const identitySubjects: SubjectDefinition[] = [
  {
    name: 'User',
    entity: User,
    actions: ['read', 'create', 'update', 'archive'],
    fields: ['name', 'email', 'phone', 'active', 'allowedIpRanges', 'lastSignInAt', 'roles', 'teams', 'passwordHash'],
    scopes: {
      own: (p) => ({ id: p.id }),
      team: (p) => ({ id: { $in: p.teamMemberIds } }),
    },
  },
  {
    name: 'Team',
    entity: Team,
    actions: ['read', 'create', 'update', 'archive'],
    fields: ['name', 'description', 'leader', 'members', 'active'],
    scopes: {
      own: (p) => ({ id: { $in: p.teamIds } }),
      team: (p) => ({ id: { $in: p.teamIds } }),
    },
  },
  { name: 'Role', entity: Role, actions: ['read', 'create', 'update', 'archive'] },
  {
    name: 'Session',
    entity: Session,
    actions: ['read', 'archive'],
    scopes: { own: (p) => ({ user: p.id }), team: (p) => ({ user: { $in: p.teamMemberIds } }) },
  },
];

/** Fields of a colleague a non-administrator sees. */
const COLLEAGUE_FIELDS = ['name', 'email', 'phone', 'active', 'roles', 'teams'];

export const identityDefaultGrants: Partial<Record<BuiltInRoleKey, Grant[]>> = {
  team_leader: [
    { subject: 'User', action: 'read', scope: 'own' },
    { subject: 'User', action: 'update', scope: 'own', fields: ['name', 'phone'] },
    { subject: 'User', action: 'read', scope: 'team', fields: [...COLLEAGUE_FIELDS, 'lastSignInAt'] },
    { subject: 'Team', action: 'read', scope: 'team' },
    { subject: 'Role', action: 'read', scope: 'all' },
    { subject: 'Session', action: 'read', scope: 'own' },
  ],
  agent: [
    { subject: 'User', action: 'read', scope: 'own' },
    { subject: 'User', action: 'update', scope: 'own', fields: ['name', 'phone'] },
    { subject: 'User', action: 'read', scope: 'team', fields: COLLEAGUE_FIELDS },
    { subject: 'Team', action: 'read', scope: 'own' },
    { subject: 'Role', action: 'read', scope: 'all' },
    { subject: 'Session', action: 'read', scope: 'own' },
  ],
};
