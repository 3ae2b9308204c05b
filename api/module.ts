import type { EntityClass, EntityManager } from '@mikro-orm/core';
import type { Context } from './context';

/** The three scopes a role's grant can have. */
export type Scope = 'own' | 'team' | 'all';
export const SCOPES: Scope[] = ['own', 'team', 'all'];

/** Actions used across modules. `manage` means every action. */
export type Action = 'read' | 'create' | 'update' | 'archive' | 'manage' | string;

/** One permission in a role: what may be done to which subject, over which records. */
export interface Grant {
  subject: string;
  action: Action;
  scope: Scope;
  /** Limits the grant to these fields (reads and writes); absent means every field. */
  fields?: string[];
  /** A denial instead of a permission. */
  inverted?: boolean;
}

/** What the ability knows about the signed-in user when it turns scopes into conditions. */
export interface Principal {
  id: number;
  /** Teams the user is a member or the leader of. */
  teamIds: number[];
  /** Teams the user leads. */
  ledTeamIds: number[];
  /** Every member (and leader) of the user's teams, the user included. */
  teamMemberIds: number[];
}

/** Conditions in MikroORM's query language on the subject's own columns (relations by id). */
export type Conditions = Record<string, unknown>;

/**
 * A subject a module protects. `scopes` turn a grant's scope into row conditions; a scope
 * missing here (or `undefined` returned) means no row restriction.
 */
export interface SubjectDefinition {
  name: string;
  /** The entity the rules filter (for SQL conditions and loading records for events). */
  entity?: EntityClass<any>;
  /** Actions that make sense for the subject (documentation, and the roles API validates against it). */
  actions: Action[];
  /** Fields grants may name (documentation, and validation of grants). */
  fields?: string[];
  scopes?: Partial<Record<Scope, (p: Principal) => Conditions | undefined>>;
  description?: string;
}

/** Shared state of one demo seeding run: records earlier modules made, by key. */
export interface DemoSeed {
  password: string;
  refs: Map<string, number>;
  /** Lines printed at the end (e.g. the demo users' e-mails). */
  notes: string[];
}

export type BuiltInRoleKey = 'administrator' | 'team_leader' | 'agent';

export interface JobDefinition {
  name: string;
  /** Cron expression (UTC) when the job recurs. */
  schedule?: string;
  handler: (ctx: Context, data: unknown) => Promise<void>;
}

export interface ModuleDefinition {
  name: string;
  entities: EntityClass<any>[];
  resolvers: Function[];
  subjects?: SubjectDefinition[];
  /** Grants the built-in roles receive for this module's subjects. */
  defaultGrants?: Partial<Record<BuiltInRoleKey, Grant[]>>;
  jobs?: JobDefinition[];
  /** Creates the module's default records on an empty database (idempotent). */
  bootstrap?: (em: EntityManager) => Promise<void>;
  /**
   * Plain HTTP routes of the module (file upload and download), mounted on the server's
   * express app before GraphQL. `contextOf(req)` gives the signed-in request context.
   */
  routes?: (router: import('express').Router, helpers: { contextOf(req: import('express').Request): Promise<Context> }) => void;
  /**
   * Long-running background workers (e.g. mailbox fetchers), started with the server when
   * JOBS_ENABLED and stopped before it closes the database.
   */
  workers?: (services: import('./context').AppServices) => ModuleWorker;
  /** Adds the module's part of `npm run seed:demo` (idempotent: running twice adds nothing). */
  seedDemo?: (ctx: Context, demo: DemoSeed) => Promise<void>;
}

/** A long-running background worker of a module (see ModuleDefinition.workers). */
export interface ModuleWorker {
  start(): Promise<void>;
  stop(): Promise<void>;
}
