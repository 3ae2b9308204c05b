import { Entity, Index, ManyToOne, PrimaryKey, Property, Unique, type Opt, type Rel } from '@mikro-orm/core';
import { User } from '../../identity/entities/user.entity';

/**
 * A link between two records of any modules ("Application" 12 ↔ "Document" 7). One row per
 * pair, stored as given (from → to) and read in both directions.
 */
@Entity({ tableName: 'record_links' })
@Unique({ properties: ['fromType', 'fromId', 'toType', 'toId'] })
@Index({ properties: ['toType', 'toId'] })
export class RecordLink {
  @PrimaryKey({ autoincrement: true })
  id!: number;

  @Property({ length: 50 })
  fromType!: string;

  @Property({ type: 'integer' })
  fromId!: number;

  @Property({ length: 50 })
  toType!: string;

  @Property({ type: 'integer' })
  toId!: number;

  @ManyToOne(() => User, { nullable: true, deleteRule: 'set null' })
  createdBy?: Rel<User> | null;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Opt<Date> = new Date();
}

/**
 * A client-chosen key that makes a write safe to retry: the first request's result is
 * recorded under (user, key) in the same transaction, and a repeat returns it.
 */
@Entity({ tableName: 'idempotency_keys' })
@Unique({ properties: ['userId', 'key'] })
export class IdempotencyKey {
  @PrimaryKey({ autoincrement: true })
  id!: number;

  @Property({ type: 'integer' })
  userId!: number;

  @Property({ length: 200 })
  key!: string;

  @Property({ length: 100 })
  operation!: string;

  @Property({ type: 'integer', nullable: true })
  resultId?: number | null;

  @Index()
  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Opt<Date> = new Date();
}
