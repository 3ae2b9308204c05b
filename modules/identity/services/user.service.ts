import { raw, type FilterQuery } from '@mikro-orm/core';
import type { GraphQLResolveInfo } from 'graphql';
import { assertCanWriteInput } from '../../../api/ability';
import { assertVersion, authorize, findReadable, scoped, type Context, withEm } from '../../../api/context';
import { BadInputError, ForbiddenError } from '../../../api/errors';
import { likePattern, parseId, parseIds, searchFold } from '../../../api/ids';
import { direction, paginate, selects, type PageInput } from '../../../api/pagination';
import type { CreateUserInput, UpdateUserInput, UserFilter, UserSort } from '../dto/user.input';
import { Role } from '../entities/role.entity';
import { Team } from '../entities/team.entity';
import { User } from '../entities/user.entity';
import { hashPassword, isValidRange, normalizeEmail, revokeSessions } from './auth.service';

const SUBJECT = 'User';

function checkRanges(ranges: string[] | undefined, field: string): string[] | undefined {
  if (!ranges) return undefined;
  const cleaned = ranges.map((r) => r.trim()).filter(Boolean);
  cleaned.forEach((r, i) => {
    if (!isValidRange(r)) throw new BadInputError(`${field}.${i}`, `"${r}" is not an IP address or CIDR range.`, 'INVALID_IP_RANGE');
  });
  return cleaned;
}

async function loadAll<T extends object>(ctx: Context, entity: new () => T, ids: number[], field: string): Promise<T[]> {
  if (!ids.length) return [];
  const rows = await ctx.em.find(entity, { id: { $in: ids }, archivedAt: null } as FilterQuery<T>);
  const found = new Set(rows.map((r) => (r as { id: number }).id));
  const missing = ids.findIndex((id) => !found.has(id));
  if (missing >= 0) throw new BadInputError(`${field}.${missing}`, `No such record: ${ids[missing]}.`, 'NOT_FOUND_REFERENCE');
  return rows;
}

/**
 * Makes the user a member of exactly these (active) teams. Membership is kept on the team's
 * side, so the teams the user leaves are loaded with their members; a team the user leads
 * cannot be left (the leader is always a member): choose another leader first.
 */
async function setTeams(ctx: Context, user: User, teams: Team[]): Promise<void> {
  const current: Team[] = await ctx.em.find(Team, { members: user.id, archivedAt: null }, { populate: ['members'] });
  const led = current.find((t) => t.leader?.id === user.id && !teams.includes(t));
  if (led) throw new BadInputError('input.teamIds', `This user leads the team "${led.name}"; choose another leader for it first.`);
  for (const t of current) if (!teams.includes(t)) t.members.remove(user);
  for (const t of teams) if (!current.includes(t)) t.members.add(user);
}

async function assertEmailFree(ctx: Context, email: string, exceptId?: number) {
  const other = await ctx.em.findOne(User, { email, ...(exceptId ? { id: { $ne: exceptId } } : {}) });
  if (other) throw new BadInputError('input.email', 'Another user already has this e-mail address.', 'NOT_UNIQUE');
}

export const userService = {
  async list(ctx: Context, filter: UserFilter | undefined, sort: UserSort[] | undefined, page: PageInput | undefined, info?: GraphQLResolveInfo) {
    const f = filter ?? {};
    const teamId = f.teamId ? parseId(f.teamId, 'filter.teamId') : undefined;
    const roleId = f.roleId ? parseId(f.roleId, 'filter.roleId') : undefined;
    const whereOf = () => {
    const where: FilterQuery<User>[] = [];
    if (!f.includeArchived) where.push({ archivedAt: null });
    if (f.active !== undefined && f.active !== null) where.push({ active: f.active });
    if (f.search?.trim()) {
      const p = likePattern(searchFold(f.search.trim()));
      where.push({ $or: [{ [raw((a) => `tr_fold(${a}.name)`)]: { $like: p } }, { [raw((a) => `tr_fold(${a}.email)`)]: { $like: p } }] } as FilterQuery<User>);
    }
    if (teamId) where.push({ teams: teamId });
    if (roleId) where.push({ roles: roleId });
    return scoped<User>(ctx, 'read', SUBJECT, where.length ? { $and: where } : {});
    };
    return paginate(ctx.em, User, whereOf, {
      page,
      orderBy: (sort?.length ? sort : [{ field: 'name', direction: undefined }]).map((s) => ({ [s.field]: direction(s.direction as never) })),
      countCap: ctx.config.LIST_COUNT_CAP,
      wantTotal: selects(info, 'total', 'totalExact'),
      wantItems: selects(info, 'items', 'pageInfo'),
    });
  },

  get(ctx: Context, id: string) {
    return findReadable(ctx, User, SUBJECT, parseId(id, 'id'));
  },

  async create(ctx: Context, input: CreateUserInput): Promise<User> {
    authorize(ctx, 'create', SUBJECT);
    assertCanWriteInput(ctx.ability, 'create', SUBJECT, null, input, fieldOf);
    const email = normalizeEmail(input.email);
    const ranges = checkRanges(input.allowedIpRanges, 'input.allowedIpRanges') ?? [];
    const roleIds = parseIds(input.roleIds, 'input.roleIds');
    const teamIds = parseIds(input.teamIds, 'input.teamIds');
    const passwordHash = await hashPassword(input.password);
    const user = await ctx.em.transactional(async (em) => {
      const tctx = withEm(ctx, em);
      await assertEmailFree(tctx, email);
      const roles = await loadAll(tctx, Role, roleIds, 'input.roleIds');
      const teams = await loadAll(tctx, Team, teamIds, 'input.teamIds');
      const u = em.create(User, { name: input.name.trim(), email, phone: input.phone ?? null, active: input.active ?? true, passwordHash, allowedIpRanges: ranges });
      u.roles.set(roles);
      for (const t of teams) t.members.add(u);
      await em.flush();
      await ctx.events.publish(em, { type: 'User.created', subject: SUBJECT, id: u.id, actorId: ctx.user?.id });
      return u;
    });
    return user;
  },

  async update(ctx: Context, id: string, version: number, input: UpdateUserInput): Promise<User> {
    const userId = parseId(id, 'id');
    return ctx.em.transactional(async (em) => {
      const tctx = withEm(ctx, em);
      const user = await findReadable(tctx, User, SUBJECT, userId, { forUpdate: true });
      authorize(tctx, 'update', SUBJECT, user);
      assertCanWriteInput(ctx.ability, 'update', SUBJECT, user, input, fieldOf);
      assertVersion(SUBJECT, user, version);
      if (userId === ctx.user?.id && input.active === false) throw new BadInputError('input.active', 'You cannot disable your own account.');
      let endSessions = false;
      if (input.name !== undefined) user.name = input.name.trim();
      if (input.email !== undefined) {
        const email = normalizeEmail(input.email);
        await assertEmailFree(tctx, email, userId);
        user.email = email;
      }
      if (input.phone !== undefined) user.phone = input.phone;
      if (input.active !== undefined) {
        if (!input.active && user.active) endSessions = true;
        user.active = input.active;
      }
      const ranges = checkRanges(input.allowedIpRanges, 'input.allowedIpRanges');
      if (ranges) user.allowedIpRanges = ranges;
      if (input.password !== undefined) {
        user.passwordHash = await hashPassword(input.password);
        endSessions = true;
      }
      if (input.roleIds) {
        if (userId === ctx.user?.id && !ctx.system) throw new ForbiddenError('You cannot change your own roles.', { field: 'input.roleIds' });
        const roles = await loadAll(tctx, Role, parseIds(input.roleIds, 'input.roleIds'), 'input.roleIds');
        // set() on a collection that was never loaded only adds: it cannot know what to remove.
        await user.roles.init();
        user.roles.set(roles);
      }
      if (input.teamIds) await setTeams(tctx, user, await loadAll(tctx, Team, parseIds(input.teamIds, 'input.teamIds'), 'input.teamIds'));
      user.updatedAt = new Date();
      await em.flush();
      if (endSessions) await revokeSessions(em, userId, userId === ctx.user?.id ? ctx.session?.id : undefined);
      await ctx.events.publish(em, { type: 'User.changed', subject: SUBJECT, id: user.id, actorId: ctx.user?.id });
      return user;
    });
  },

  async archive(ctx: Context, id: string): Promise<User> {
    const userId = parseId(id, 'id');
    return ctx.em.transactional(async (em) => {
      const tctx = withEm(ctx, em);
      const user = await findReadable(tctx, User, SUBJECT, userId, { forUpdate: true });
      authorize(tctx, 'archive', SUBJECT, user);
      if (userId === ctx.user?.id) throw new BadInputError('id', 'You cannot archive your own account.');
      if (!user.archivedAt) {
        user.archivedAt = new Date();
        user.active = false;
        await em.flush();
        await revokeSessions(em, userId);
        await ctx.events.publish(em, { type: 'User.archived', subject: SUBJECT, id: user.id, actorId: ctx.user?.id });
      }
      return user;
    });
  },
};

/** Input names that differ from the entity's field names. */
function fieldOf(inputKey: string): string {
  if (inputKey === 'roleIds') return 'roles';
  if (inputKey === 'teamIds') return 'teams';
  if (inputKey === 'password') return 'passwordHash';
  return inputKey;
}
