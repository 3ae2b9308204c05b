import type http from 'node:http';
import type { WebSocket } from 'ws';
import type { SqlEntityManager } from '@mikro-orm/postgresql';
import { buildAbility } from './ability';
import type { AppServices, Context, Identity } from './context';
import { UnauthenticatedError } from './errors';
import type { DomainEvent } from './events';
import { intArray } from './ids';
import { Loaders } from './loaders';
import { logger } from './logger';
import { resolveIdentity } from '../modules/identity';

/** What the server keeps per open WebSocket. */
export interface LiveSocket {
  token: string;
  ip: string;
  socket: WebSocket;
  request: http.IncomingMessage;
  identity: Identity;
  /** The contexts of the socket's running subscriptions, by operation id. */
  contexts: Map<string, Context>;
}

/** Close codes beyond graphql-ws's own. */
export const WS_CLOSE = { sessionEnded: 4403, tooManyConnections: 4429 } as const;

/**
 * The open WebSockets and the rights they act with. A socket's rights follow its user: when a
 * user, team or role changes (their domain events), the identity of every affected socket is
 * resolved again and the running subscriptions' contexts take the new ability at once, so an
 * agent removed from a team stops receiving that team's events and cannot act over the socket.
 * A socket whose session ended (signed out, revoked, user disabled) is closed.
 */
export class LiveSockets {
  private readonly sockets = new Set<LiveSocket>();
  private pendingUsers = new Set<number>();
  private pendingAll = false;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> = Promise.resolve();
  private readonly off: () => void;

  constructor(private readonly services: AppServices) {
    this.off = services.events.on((e) => this.onEvent(e));
  }

  get size(): number {
    return this.sockets.size;
  }

  countOf(userId: number): number {
    let n = 0;
    for (const s of this.sockets) if (s.identity.user.id === userId) n++;
    return n;
  }

  add(s: LiveSocket): void {
    this.sockets.add(s);
  }

  remove(s: LiveSocket): void {
    this.sockets.delete(s);
  }

  /**
   * Called after each result a subscription sends: the next event runs on a fresh
   * EntityManager and fresh loaders, so nothing loaded for one event is kept (or served stale)
   * for the life of the subscription.
   */
  renew(ctx: Context): void {
    const em = this.services.orm.em.fork() as SqlEntityManager;
    ctx.em = em;
    ctx.loaders = new Loaders(em);
  }

  private onEvent(e: DomainEvent): void {
    if (!this.sockets.size) return;
    if (e.subject === 'User') this.pendingUsers.add(e.id);
    else if (e.subject === 'Team' || e.subject === 'Role') this.pendingAll = true;
    else return;
    // Events of one change arrive together: resolve once for the burst.
    this.timer ??= setTimeout(() => {
      this.timer = null;
      this.running = this.running.then(() => this.refresh()).catch((err) => logger.warn({ err }, 'socket rights refresh failed'));
    }, 20);
  }

  /** Resolves the identity of the affected sockets again (one lookup per token). */
  private async refresh(): Promise<void> {
    const all = this.pendingAll;
    const users = this.pendingUsers;
    this.pendingAll = false;
    this.pendingUsers = new Set();
    const affected = [...this.sockets].filter((s) => all || users.has(s.identity.user.id));
    const byToken = new Map<string, LiveSocket[]>();
    for (const s of affected) {
      const list = byToken.get(s.token);
      if (list) list.push(s);
      else byToken.set(s.token, [s]);
    }
    for (const [token, list] of byToken) {
      const em = this.services.orm.em.fork() as SqlEntityManager;
      try {
        const identity = await resolveIdentity(em, this.services.config, token, list[0].ip);
        const ability = buildAbility(identity.grants, identity.principal);
        for (const s of list) {
          s.identity = identity;
          for (const ctx of s.contexts.values()) Object.assign(ctx, { user: identity.user, session: identity.session, grants: identity.grants, principal: identity.principal, ability });
        }
      } catch (err) {
        if (err instanceof UnauthenticatedError) {
          for (const s of list) s.socket.close(WS_CLOSE.sessionEnded, 'Session ended');
        } else {
          logger.warn({ err }, 'could not refresh the rights of a socket');
        }
      }
    }
  }

  /** Closes the sockets of revoked, expired or disabled sessions: one query for all. */
  async closeEnded(): Promise<void> {
    const open = [...this.sockets].filter((s) => s.identity.session);
    if (!open.length) return;
    const ids = [...new Set(open.map((s) => s.identity.session!.id))];
    const rows = await this.services.orm.em.getConnection().execute<{ id: number }[]>(
      `select s.id from sessions s join users u on u.id = s.user_id
        where s.id = any(?::int[]) and s.revoked_at is null and s.expires_at > now() and u.active and u.archived_at is null`,
      [intArray(ids)],
    );
    const valid = new Set(rows.map((r: { id: number }) => Number(r.id)));
    for (const s of open) if (!valid.has(s.identity.session!.id)) s.socket.close(WS_CLOSE.sessionEnded, 'Session ended');
  }

  /** Waits for a refresh under way (tests, shutdown). */
  settled(): Promise<void> {
    return this.running;
  }

  stop(): void {
    this.off();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
