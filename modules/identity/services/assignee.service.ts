import type { Context } from '../../../api/context';
import { BadInputError } from '../../../api/errors';
import { parseId } from '../../../api/ids';
import type { Principal } from '../../../api/module';
import { Team } from '../entities/team.entity';
import { User } from '../entities/user.entity';

/** An active user by id for another module's write; null when no id is given. */
export async function requireActiveUser(ctx: Context, id: string | number | null | undefined, field: string): Promise<User | null> {
  if (id === null || id === undefined || id === '') return null;
  const user = await ctx.em.findOne(User, { id: parseId(id, field), active: true, archivedAt: null });
  if (!user) throw new BadInputError(field, `No such active user: ${id}.`, 'NOT_FOUND_REFERENCE');
  return user;
}

/** Who works on a record: a user, a team (or a member of that team), or everyone. */
export interface AssigneeRef {
  userId?: string | number | null;
  teamId?: string | number | null;
  everyone?: boolean | null;
}

export interface Assignee {
  assigneeUser: User | null;
  assigneeTeam: Team | null;
  assigneeEveryone: boolean;
}

/** Checks an assignee (active user, existing team, the user in that team) and resolves it. */
export async function resolveAssignee(ctx: Context, input: AssigneeRef | undefined | null, path = 'input.assignee'): Promise<Assignee> {
  if (!input) return { assigneeUser: null, assigneeTeam: null, assigneeEveryone: false };
  if (input.everyone) {
    if (input.userId || input.teamId) throw new BadInputError(`${path}.everyone`, 'Everyone excludes a user or a team.');
    return { assigneeUser: null, assigneeTeam: null, assigneeEveryone: true };
  }
  const user = await requireActiveUser(ctx, input.userId, `${path}.userId`);
  const team = input.teamId ? await ctx.em.findOne(Team, { id: parseId(input.teamId, `${path}.teamId`), archivedAt: null }, { populate: ['members'] }) : null;
  if (input.teamId && !team) throw new BadInputError(`${path}.teamId`, `No such team: ${input.teamId}.`, 'NOT_FOUND_REFERENCE');
  if (user && team && !team.members.getItems().some((m) => m.id === user.id) && team.leader?.id !== user.id) {
    throw new BadInputError(`${path}.userId`, `${user.name} is not a member of ${team.name}.`);
  }
  return { assigneeUser: user, assigneeTeam: team, assigneeEveryone: false };
}

/**
 * Which assigned records a permission scope covers (for any subject with assigneeUser,
 * assigneeTeam and assigneeEveryone columns).
 * - own: assigned to me, or to everyone.
 * - team: also those assigned to my teams; for a team leader, also those assigned to any
 *   member of the teams they lead, and unassigned ones.
 */
export function assigneeScope(p: Principal, scope: 'own' | 'team') {
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
