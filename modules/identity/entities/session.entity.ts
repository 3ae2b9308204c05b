import { Entity, Index, ManyToOne, PrimaryKey, Property, Unique, type Opt } from '@mikro-orm/core';
import { Field, ID, ObjectType } from 'type-graphql';
import { User } from './user.entity';

/** A signed-in session. Only the SHA-256 of its token is stored. */
@ObjectType()
@Entity({ tableName: 'sessions' })
export class Session {
  @Field(() => ID)
  @PrimaryKey({ autoincrement: true })
  id!: number;

  @Unique()
  @Property({ length: 64, hidden: true })
  tokenHash!: string;

  @Index()
  @ManyToOne(() => User, { deleteRule: 'cascade' })
  user!: User;

  @Field(() => Date)
  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Opt<Date> = new Date();

  @Field(() => Date)
  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  lastSeenAt: Opt<Date> = new Date();

  @Field({ description: 'Absolute expiry; the session also ends after the idle timeout.' })
  @Index()
  @Property({ type: 'timestamptz' })
  expiresAt!: Date;

  @Field(() => Date, { nullable: true })
  @Property({ type: 'timestamptz', nullable: true })
  revokedAt?: Date | null;

  @Field(() => String, { nullable: true })
  @Property({ length: 64, nullable: true })
  ip?: string | null;

  @Field(() => String, { nullable: true })
  @Property({ length: 400, nullable: true })
  userAgent?: string | null;
}

/**
 * Failure counts and locks: per (e-mail, address) and per address for sign-in (known e-mail or
 * not, so throttling answers the same for both), per user for changePassword.
 */
@Entity({ tableName: 'login_throttles' })
export class LoginThrottle {
  @PrimaryKey({ length: 400 })
  key!: string;

  @Property({ type: 'integer', default: 0 })
  failures: Opt<number> = 0;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  windowStartedAt: Opt<Date> = new Date();

  @Property({ type: 'timestamptz', nullable: true })
  lockedUntil?: Date | null;
}
