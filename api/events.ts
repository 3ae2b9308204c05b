import { EventEmitter } from 'node:events';
import pg from 'pg';
import type { EntityManager } from '@mikro-orm/core';
import { logger } from './logger';

/**
 * A domain event. It carries ids only: each receiver loads what it needs (and checks
 * permissions) itself, so nothing private travels through the database's notification queue.
 */
export interface DomainEvent {
  /** `<Subject>.<verb>`, e.g. `Application.stageChanged`. */
  type: string;
  subject: string;
  id: number;
  actorId?: number | null;
  /** Small, non-sensitive hints (ids of related records). */
  data?: Record<string, string | number | boolean | null>;
  at: string;
}

export const EVENT_CHANNEL = 'app_events';

/**
 * Publishes domain events with PostgreSQL NOTIFY inside the writing transaction:
 * PostgreSQL delivers them when (and only if) that transaction commits, to every server
 * instance listening on the same database, this one included. One LISTEN connection per
 * process feeds an in-process emitter that subscriptions, rollups and jobs listen to.
 */
export class EventBus {
  private readonly emitter = new EventEmitter();
  private client: pg.Client | null = null;
  private stopped = false;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private readyPromise: Promise<void> | null = null;

  constructor(private readonly url: string) {
    this.emitter.setMaxListeners(0);
  }

  /** Publishes within the caller's transaction (pass the transactional EntityManager). */
  async publish(em: EntityManager, event: Omit<DomainEvent, 'at'>): Promise<void> {
    const full: DomainEvent = { ...event, at: new Date().toISOString() };
    // On the transaction's own connection: PostgreSQL then delivers it at commit, or never.
    await em.getConnection().execute('select pg_notify(?, ?)', [EVENT_CHANNEL, JSON.stringify(full)], 'all', em.getTransactionContext());
  }

  /** Listens to every event of this and other instances. Returns the unsubscribe function. */
  on(listener: (e: DomainEvent) => void): () => void {
    this.emitter.on('event', listener);
    return () => this.emitter.off('event', listener);
  }

  /** Delivers an event to local listeners only (used by tests and by the LISTEN loop). */
  emitLocal(event: DomainEvent): void {
    for (const l of this.emitter.listeners('event')) {
      try {
        (l as (e: DomainEvent) => void)(event);
      } catch (err) {
        logger.error({ err, event: event.type }, 'event listener failed');
      }
    }
  }

  start(): Promise<void> {
    this.stopped = false;
    this.readyPromise ??= this.connect();
    return this.readyPromise;
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url });
    client.on('notification', (msg) => {
      if (msg.channel !== EVENT_CHANNEL || !msg.payload) return;
      try {
        this.emitLocal(JSON.parse(msg.payload) as DomainEvent);
      } catch (err) {
        logger.warn({ err }, 'malformed event payload');
      }
    });
    client.on('error', (err) => {
      logger.warn({ err: err.message }, 'event listener connection lost');
      this.scheduleReconnect();
    });
    client.on('end', () => this.scheduleReconnect());
    try {
      await client.connect();
      await client.query(`LISTEN ${EVENT_CHANNEL}`);
      this.client = client;
    } catch (err) {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
      logger.warn({ err: (err as Error).message }, 'event listener could not connect; retrying');
      this.scheduleReconnect();
    }
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.reconnectTimer) return;
    this.client = null;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      if (!this.stopped) void this.connect();
    }, 1000);
    this.reconnectTimer.unref();
  }

  get listening(): boolean {
    return this.client !== null;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    const c = this.client;
    this.client = null;
    this.readyPromise = null;
    if (c) {
      c.removeAllListeners('end');
      await c.end().catch(() => undefined);
    }
  }
}
