import { raw, type FilterQuery } from '@mikro-orm/core';
import type { GraphQLResolveInfo } from 'graphql';
import { assertCanWriteInput } from '../../../api/ability';
import { assertVersion, authorize, findReadable, scoped, type Context, withEm } from '../../../api/context';
import { BadInputError } from '../../../api/errors';
import { likePattern, parseId, parseIds, searchFold } from '../../../api/ids';
import { direction, paginate, selects, type PageInput } from '../../../api/pagination';
import type { CreateTeamInput, TeamFilter, TeamSort, UpdateTeamInput } from '../dto/team.input';
import { Team } from '../entities/team.entity';
import { User } from '../entities/user.entity';

const SUBJECT = 'Team';

async function activeUsers(ctx: Context, ids: number[], field: string): Promise<User[]> {
  if (!ids.length) return [];
  const rows = await ctx.em.find(User, { id: { $in: ids }, archivedAt: null });
  const found = new Set(rows.map((r) => r.id));
  const i = ids.findIndex((id) => !found.has(id));
  if (i >= 0) throw new BadInputError(ids.length === 1 && !field.endsWith('Ids') ? field : `${field}.${i}`, `No such user: ${ids[i]}.`, 'NOT_FOUND_REFERENCE');
  return rows;
}

async function assertNameFree(ctx: Context, name: string, exceptId?: number) {
  const other = await ctx.em.findOne(Team, { [raw((a) => `tr_fold(${a}.name)`)]: searchFold(name), archivedAt: null, ...(exceptId ? { id: { $ne: exceptId } } : {}) } as FilterQuery<Team>);
  if (other) throw new BadInputError('input.name', 'Another team already has this name.', 'NOT_UNIQUE');
}

const fieldOf = (k: string) => (k === 'leaderId' ? 'leader' : k === 'memberIds' ? 'members' : k);

export const teamService = {
  async list(ctx: Context, filter: TeamFilter | undefined, sort: TeamSort[] | undefined, page: PageInput | undefined, info?: GraphQLResolveInfo) {
    const f = filter ?? {};
    const memberId = f.memberId ? parseId(f.memberId, 'filter.memberId') : undefined;
    const whereOf = () => {
    const where: FilterQuery<Team>[] = [];
    if (!f.includeArchived) where.push({ archivedAt: null });
    if (f.search?.trim()) where.push({ [raw((a) => `tr_fold(${a}.name)`)]: { $like: likePattern(searchFold(f.search.trim())) } } as FilterQuery<Team>);
    if (memberId) where.push({ $or: [{ members: memberId }, { leader: memberId }] });
    return scoped<Team>(ctx, 'read', SUBJECT, where.length ? { $and: where } : {});
    };
    return paginate(ctx.em, Team, whereOf, {
      page,
      orderBy: (sort?.length ? sort : [{ field: 'name', direction: undefined }]).map((s) => ({ [s.field]: direction(s.direction as never) })),
      countCap: ctx.config.LIST_COUNT_CAP,
      wantTotal: selects(info, 'total', 'totalExact'),
      wantItems: selects(info, 'items', 'pageInfo'),
    });
  },

  get(ctx: Context, id: string) {
    return findReadable(ctx, Team, SUBJECT, parseId(id, 'id'));
  },

  async create(ctx: Context, input: CreateTeamInput): Promise<Team> {
    authorize(ctx, 'create', SUBJECT);
    assertCanWriteInput(ctx.ability, 'create', SUBJECT, null, input, fieldOf);
    const memberIds = parseIds(input.memberIds, 'input.memberIds');
    const leaderId = input.leaderId ? parseId(input.leaderId, 'input.leaderId') : null;
    return ctx.em.transactional(async (em) => {
      const tctx = withEm(ctx, em);
      await assertNameFree(tctx, input.name.trim());
      const members = await activeUsers(tctx, memberIds, 'input.memberIds');
      const [leader] = leaderId ? await activeUsers(tctx, [leaderId], 'input.leaderId') : [null];
      const team = em.create(Team, { name: input.name.trim(), description: input.description ?? null, leader });
      team.members.set(members);
      if (leader && !members.includes(leader)) team.members.add(leader);
      await em.flush();
      await ctx.events.publish(em, { type: 'Team.created', subject: SUBJECT, id: team.id, actorId: ctx.user?.id });
      return team;
    });
  },

  async update(ctx: Context, id: string, version: number, input: UpdateTeamInput): Promise<Team> {
    const teamId = parseId(id, 'id');
    return ctx.em.transactional(async (em) => {
      const tctx = withEm(ctx, em);
      const team = await findReadable(tctx, Team, SUBJECT, teamId, { forUpdate: true });
      authorize(tctx, 'update', SUBJECT, team);
      assertCanWriteInput(ctx.ability, 'update', SUBJECT, team, input, fieldOf);
      assertVersion(SUBJECT, team, version);
      if (input.name !== undefined) {
        await assertNameFree(tctx, input.name.trim(), teamId);
        team.name = input.name.trim();
      }
      if (input.description !== undefined) team.description = input.description;
      if (input.active !== undefined) team.active = input.active;
      if (input.leaderId !== undefined) {
        const [leader] = input.leaderId ? await activeUsers(tctx, [parseId(input.leaderId, 'input.leaderId')], 'input.leaderId') : [null];
        team.leader = leader;
        if (leader) {
          await team.members.init();
          if (!team.members.contains(leader)) team.members.add(leader);
        }
      }
      if (input.memberIds) {
        const members = await activeUsers(tctx, parseIds(input.memberIds, 'input.memberIds'), 'input.memberIds');
        await team.members.init();
        const leader = team.leader;
        team.members.set(leader && !members.some((m) => m.id === leader.id) ? [...members, leader as User] : members);
      }
      team.updatedAt = new Date();
      await em.flush();
      await ctx.events.publish(em, { type: 'Team.changed', subject: SUBJECT, id: team.id, actorId: ctx.user?.id });
      return team;
    });
  },

  async archive(ctx: Context, id: string): Promise<Team> {
    const teamId = parseId(id, 'id');
    return ctx.em.transactional(async (em) => {
      const team = await findReadable(withEm(ctx, em), Team, SUBJECT, teamId, { forUpdate: true });
      authorize(withEm(ctx, em), 'archive', SUBJECT, team);
      if (!team.archivedAt) {
        team.archivedAt = new Date();
        team.active = false;
        await em.flush();
        await ctx.events.publish(em, { type: 'Team.archived', subject: SUBJECT, id: team.id, actorId: ctx.user?.id });
      }
      return team;
    });
  },
};
