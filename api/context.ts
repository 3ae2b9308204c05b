import { randomUUID } from 'node:crypto';
import { LockMode, type EntityClass, type FilterQuery, type MikroORM } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/postgresql';
import { buildAbility, restrictWhere, canOn, type AppAbility } from './ability';
import type { Config } from './config';
import { ConflictError, ForbiddenError, NotFoundError, UnauthenticatedError } from './errors';
import type { EventBus } from './events';
import { Loaders } from './loaders';
import { logger, type Logger } from './logger';
import type { Grant, Principal } from './module';
import type { User } from '../modules/identity/entities/user.entity';
import type { Session } from '../modules/identity/entities/session.entity';

/** What the server holds for its whole life; request contexts are built from it. */
export interface AppServices {
  orm: MikroORM;
  config: Config;
  events: EventBus;
  /** The background job queue, when this process runs jobs (JOBS_ENABLED). */
  jobs?: import('./jobs').JobRunner | null;
}

/**
 * The request context: built once per HTTP request and once per subscription. Every
 * service method takes it first, so user, ability and EntityManager travel together.
 */
export interface Context {
  requestId: string;
  log: Logger;
  em: SqlEntityManager;
  user: User | null;
  session: Session | null;
  principal: Principal | null;
  grants: Grant[];
  ability: AppAbility;
  loaders: Loaders;
  ip: string;
  config: Config;
  events: EventBus;
  services: AppServices;
  /** Background jobs and seeds act as the system, with every permission. */
  system: boolean;
  /** Why the bearer token was refused (reported by the first operation that needs a user). */
  authError?: Error;
}

export interface Identity {
  user: User;
  session: Session | null;
  grants: Grant[];
  principal: Principal;
}

export function createContext(services: AppServices, identity: Identity | null, opts: { ip: string; requestId?: string; em?: SqlEntityManager }): Context {
  const requestId = opts.requestId ?? randomUUID();
  const em = opts.em ?? (services.orm.em.fork() as SqlEntityManager);
  return {
    requestId,
    log: logger.child({ requestId, userId: identity?.user.id }),
    em,
    user: identity?.user ?? null,
    session: identity?.session ?? null,
    principal: identity?.principal ?? null,
    grants: identity?.grants ?? [],
    ability: buildAbility(identity?.grants ?? [], identity?.principal ?? null),
    loaders: new Loaders(em),
    ip: opts.ip,
    config: services.config,
    events: services.events,
    services,
    system: false,
  };
}

export const SYSTEM_GRANTS: Grant[] = [{ subject: 'all', action: 'manage', scope: 'all' }];

export function systemContext(services: AppServices, em?: SqlEntityManager): Context {
  const e = em ?? (services.orm.em.fork() as SqlEntityManager);
  const principal: Principal = { id: 0, teamIds: [], ledTeamIds: [], teamMemberIds: [] };
  return {
    requestId: `system-${randomUUID()}`,
    log: logger.child({ system: true }),
    em: e,
    user: null,
    session: null,
    principal,
    grants: SYSTEM_GRANTS,
    ability: buildAbility(SYSTEM_GRANTS, principal),
    loaders: new Loaders(e),
    ip: '127.0.0.1',
    config: services.config,
    events: services.events,
    services,
    system: true,
  };
}

function unauthenticated(ctx: Context): Error {
  return ctx.authError ?? new UnauthenticatedError();
}

/**
 * The same context on another EntityManager (a transaction), with loaders of its own: a
 * loader caches rows and holds the EntityManager it queries with.
 */
export function withEm(ctx: Context, em: unknown): Context {
  const e = em as SqlEntityManager;
  return { ...ctx, em: e, loaders: new Loaders(e) };
}

export function requireUser(ctx: Context): User {
  if (!ctx.user) throw unauthenticated(ctx);
  return ctx.user;
}

/** Throws UNAUTHENTICATED without a user, FORBIDDEN without the permission. */
export function authorize(ctx: Context, action: string, subject: string, entity?: object): void {
  if (!ctx.user && !ctx.system) throw unauthenticated(ctx);
  const ok = entity ? canOn(ctx.ability, action, subject, entity) : ctx.ability.can(action, subject);
  if (!ok) throw new ForbiddenError(`You may not ${action} this ${subject}.`);
}

/** A filter restricted to what the user may `action`; null when nothing is visible. */
export function scoped<T>(ctx: Context, action: string, subject: string, where?: FilterQuery<T>): FilterQuery<T> | null {
  if (!ctx.user && !ctx.system) throw unauthenticated(ctx);
  return restrictWhere<T>(ctx.ability, action, subject, where);
}

/**
 * Loads one record the user may read; NOT_FOUND both when it does not exist and when it is
 * hidden (so ids do not reveal what exists).
 */
export async function findReadable<T extends object>(
  ctx: Context,
  entity: EntityClass<T>,
  subject: string,
  id: number,
  opts: { field?: string; forUpdate?: boolean } = {},
): Promise<T> {
  const field = opts.field ?? 'id';
  const where = scoped<T>(ctx, 'read', subject, { id } as FilterQuery<T>);
  // forUpdate (inside a write transaction): concurrent writers queue here, so the second one
  // sees the first one's version and gets CONFLICT instead of a lost update.
  const lock = opts.forUpdate && ctx.em.isInTransaction();
  const row = where ? await ctx.em.findOne(entity, where, lock ? { lockMode: LockMode.PESSIMISTIC_WRITE } : {}) : null;
  if (!row) throw new NotFoundError(subject, id, field);
  return row as T;
}

export function assertVersion(subject: string, current: { version: number }, given: number): void {
  if (current.version !== given) {
    throw new ConflictError(`${subject} was changed by someone else (version ${current.version}, you sent ${given}). Reload and try again.`, {
      currentVersion: current.version,
    });
  }
}
