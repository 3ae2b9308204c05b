import { GraphQLJSONObject } from 'graphql-scalars';
import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Ctx, Field, FieldResolver, ID, Info, Int, Mutation, ObjectType, Query, Resolver, Root, Subscription } from 'type-graphql';
import { canOn } from '../../../api/ability';
import { authorize, requireUser, type Context } from '../../../api/context';
import { UnauthenticatedError } from '../../../api/errors';
import type { DomainEvent } from '../../../api/events';
import { intArray, parseId } from '../../../api/ids';
import { PageInput, PageOf } from '../../../api/pagination';
import { subscribeToSubject } from '../../../api/subscriptions';
import { AuthSession, ChangePasswordInput, SignInInput } from '../dto/auth.input';
import { CreateRoleInput, GrantInput, UpdateRoleInput } from '../dto/role.input';
import { CreateTeamInput, TeamFilter, TeamSort, UpdateTeamInput } from '../dto/team.input';
import { CreateUserInput, UpdateUserInput, UserFilter, UserSort } from '../dto/user.input';
import { Role } from '../entities/role.entity';
import { Team } from '../entities/team.entity';
import { User } from '../entities/user.entity';
import { hashPassword, revokeSessions, signIn, signOut } from '../services/auth.service';
import { roleService } from '../services/role.service';
import { teamService } from '../services/team.service';
import { userService } from '../services/user.service';
import { verify } from '@node-rs/argon2';
import { BadInputError } from '../../../api/errors';

const UserPage = PageOf(User, 'User');
const TeamPage = PageOf(Team, 'Team');

@ObjectType({ description: 'One permission rule of the signed-in user, in CASL form (for hiding what cannot be done).' })
class PermissionRule {
  @Field()
  action!: string;

  @Field()
  subject!: string;

  @Field(() => [String], { nullable: true })
  fields?: string[];

  @Field(() => GraphQLJSONObject, { nullable: true, description: 'Row conditions (MongoDB-style, relations by id).' })
  conditions?: Record<string, unknown>;

  @Field()
  inverted!: boolean;
}

@ObjectType()
class TeamEvent {
  @Field({ description: 'created, changed or archived' })
  kind!: string;

  @Field(() => Team)
  team!: Team;
}

/** Ids of related rows per parent id, batched into one query per request. */
function pivotLoader(ctx: Context, key: string, sql: string) {
  return ctx.loaders.get<number, number[]>(key, async (ids) => {
    const rows = await ctx.em.execute<{ parent: number; child: number }[]>(sql, [intArray(ids)]);
    const map = new Map<number, number[]>();
    for (const r of rows) {
      const list = map.get(Number(r.parent)) ?? [];
      list.push(Number(r.child));
      map.set(Number(r.parent), list);
    }
    return ids.map((id) => map.get(id) ?? []);
  });
}

async function readableRelated<T extends { id: number }>(ctx: Context, entity: new () => T, subject: string, ids: number[]): Promise<T[]> {
  const rows = await ctx.loaders.byId(entity as never).loadMany(ids);
  return (rows as (T | null | Error)[]).filter((r): r is T => !!r && !(r instanceof Error) && canOn(ctx.ability, 'read', subject, r));
}

@Resolver(() => User)
export class UserResolver {
  @Mutation(() => AuthSession, { description: 'Signs in with e-mail and password; returns a bearer token.' })
  async signIn(@Arg('input') input: SignInInput, @Ctx() ctx: Context): Promise<AuthSession> {
    const result = await signIn(ctx.em, ctx.config, input, { ip: ctx.ip });
    return { token: result.token, expiresAt: result.session.expiresAt, user: result.user };
  }

  @Mutation(() => Boolean, { description: 'Ends the current session.' })
  signOut(@Ctx() ctx: Context): Promise<boolean> {
    return signOut(ctx);
  }

  @Query(() => User, { description: 'The signed-in user.' })
  me(@Ctx() ctx: Context): User {
    return requireUser(ctx);
  }

  @Query(() => [PermissionRule], { description: 'The rules the signed-in user acts under, for user interfaces.' })
  myPermissions(@Ctx() ctx: Context): PermissionRule[] {
    requireUser(ctx);
    return ctx.ability.rules.map((r) => ({
      action: String(r.action),
      subject: String(r.subject),
      fields: r.fields ? ([] as string[]).concat(r.fields as string[]) : undefined,
      conditions: r.conditions as Record<string, unknown> | undefined,
      inverted: !!r.inverted,
    }));
  }

  @Mutation(() => Boolean, { description: "Changes the signed-in user's password and ends their other sessions." })
  async changePassword(@Arg('input') input: ChangePasswordInput, @Ctx() ctx: Context): Promise<boolean> {
    const user = requireUser(ctx);
    const ok = await verify(user.passwordHash, input.currentPassword).catch(() => false);
    if (!ok) throw new BadInputError('input.currentPassword', 'The current password is wrong.', 'WRONG_PASSWORD');
    if (input.currentPassword === input.newPassword) throw new BadInputError('input.newPassword', 'The new password must differ from the current one.', 'SAME_PASSWORD');
    user.passwordHash = await hashPassword(input.newPassword);
    await ctx.em.flush();
    await revokeSessions(ctx.em, user.id, ctx.session?.id);
    return true;
  }

  @Mutation(() => Int, { description: "Ends every session of a user (administrators). Returns how many were ended." })
  async revokeUserSessions(@Arg('userId', () => ID) userId: string, @Ctx() ctx: Context): Promise<number> {
    const user = await userService.get(ctx, userId);
    authorize(ctx, 'update', 'User', user);
    authorize(ctx, 'archive', 'Session');
    return revokeSessions(ctx.em, user.id);
  }

  @Query(() => UserPage)
  users(
    @Ctx() ctx: Context,
    @Info() info: GraphQLResolveInfo,
    @Arg('filter', () => UserFilter, { nullable: true }) filter?: UserFilter,
    @Arg('sort', () => [UserSort], { nullable: true }) sort?: UserSort[],
    @Arg('page', () => PageInput, { nullable: true }) page?: PageInput,
  ) {
    return userService.list(ctx, filter, sort, page, info);
  }

  @Query(() => User)
  user(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return userService.get(ctx, id);
  }

  @Mutation(() => User)
  createUser(@Arg('input') input: CreateUserInput, @Ctx() ctx: Context) {
    return userService.create(ctx, input);
  }

  @Mutation(() => User)
  updateUser(@Arg('id', () => ID) id: string, @Arg('version', () => Int) version: number, @Arg('input') input: UpdateUserInput, @Ctx() ctx: Context) {
    return userService.update(ctx, id, version, input);
  }

  @Mutation(() => User)
  archiveUser(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return userService.archive(ctx, id);
  }

  @FieldResolver(() => [Role])
  async roles(@Root() user: User, @Ctx() ctx: Context): Promise<Role[]> {
    if (!canOn(ctx.ability, 'read', 'User', user, 'roles')) return [];
    const ids = await pivotLoader(ctx, 'User.roles', 'select user_id as parent, role_id as child from user_roles where user_id = any(?::int[])').load(user.id);
    return readableRelated(ctx, Role, 'Role', ids);
  }

  @FieldResolver(() => [Team])
  async teams(@Root() user: User, @Ctx() ctx: Context): Promise<Team[]> {
    if (!canOn(ctx.ability, 'read', 'User', user, 'teams')) return [];
    const ids = await pivotLoader(ctx, 'User.teams', 'select user_id as parent, team_id as child from team_members where user_id = any(?::int[])').load(user.id);
    return (await readableRelated(ctx, Team, 'Team', ids)).filter((t) => !t.archivedAt);
  }
}

@Resolver(() => Team)
export class TeamResolver {
  @Query(() => TeamPage)
  teams(
    @Ctx() ctx: Context,
    @Info() info: GraphQLResolveInfo,
    @Arg('filter', () => TeamFilter, { nullable: true }) filter?: TeamFilter,
    @Arg('sort', () => [TeamSort], { nullable: true }) sort?: TeamSort[],
    @Arg('page', () => PageInput, { nullable: true }) page?: PageInput,
  ) {
    return teamService.list(ctx, filter, sort, page, info);
  }

  @Query(() => Team)
  team(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return teamService.get(ctx, id);
  }

  @Mutation(() => Team)
  createTeam(@Arg('input') input: CreateTeamInput, @Ctx() ctx: Context) {
    return teamService.create(ctx, input);
  }

  @Mutation(() => Team)
  updateTeam(@Arg('id', () => ID) id: string, @Arg('version', () => Int) version: number, @Arg('input') input: UpdateTeamInput, @Ctx() ctx: Context) {
    return teamService.update(ctx, id, version, input);
  }

  @Mutation(() => Team)
  archiveTeam(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return teamService.archive(ctx, id);
  }

  @FieldResolver(() => User, { nullable: true })
  async leader(@Root() team: Team, @Ctx() ctx: Context): Promise<User | null> {
    if (!team.leader) return null;
    const [u] = await readableRelated(ctx, User, 'User', [team.leader.id]);
    return u ?? null;
  }

  @FieldResolver(() => [User], { description: 'Members the viewer may see.' })
  async members(@Root() team: Team, @Ctx() ctx: Context): Promise<User[]> {
    const ids = await pivotLoader(ctx, 'Team.members', 'select team_id as parent, user_id as child from team_members where team_id = any(?::int[])').load(team.id);
    return readableRelated(ctx, User, 'User', ids);
  }

  @Subscription(() => TeamEvent, {
    description: 'Teams created, changed or archived, among those the subscriber may read.',
    subscribe: ({ args, context }) => subscribeToSubject(context as Context, 'Team', args.id ? parseId(args.id, 'id') : undefined),
  })
  teamChanged(@Root() event: DomainEvent & { record: Team }, @Arg('id', () => ID, { nullable: true }) _id?: string): TeamEvent {
    return { kind: event.type.split('.')[1], team: event.record };
  }
}

@Resolver(() => Role)
export class RoleResolver {
  @Query(() => [Role])
  roles(@Ctx() ctx: Context, @Arg('includeArchived', { nullable: true, defaultValue: false }) includeArchived: boolean) {
    return roleService.list(ctx, includeArchived);
  }

  @Query(() => Role)
  role(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return roleService.get(ctx, id);
  }

  @Mutation(() => Role)
  createRole(@Arg('input') input: CreateRoleInput, @Ctx() ctx: Context) {
    return roleService.create(ctx, input);
  }

  @Mutation(() => Role)
  updateRole(@Arg('id', () => ID) id: string, @Arg('version', () => Int) version: number, @Arg('input') input: UpdateRoleInput, @Ctx() ctx: Context) {
    return roleService.update(ctx, id, version, input);
  }

  @Mutation(() => Role)
  archiveRole(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return roleService.archive(ctx, id);
  }

  @FieldResolver(() => [GrantInput])
  grants(@Root() role: Role, @Ctx() ctx: Context): GrantInput[] {
    if (!ctx.user && !ctx.system) throw new UnauthenticatedError();
    return role.grants.map((g) => ({ ...g, inverted: !!g.inverted }));
  }
}
