import { Entity, Index, ManyToOne, PrimaryKey, Property, Unique, type Opt, type Rel } from '@mikro-orm/core';
import { LocalDateResolver } from 'graphql-scalars';
import { Field, ID, ObjectType } from 'type-graphql';
import { BaseEntity } from '../../../api/base.entity';
import { Account, Contact, Subscription } from '../../accounts/entities/account.entities';
import { Team } from '../../identity/entities/team.entity';
import { User } from '../../identity/entities/user.entity';
import { Priority } from '../../reference/entities/reference.entities';
import { ServiceStage } from './service-stage.entity';

/**
 * A service request (servis başvurusu): an account asks for service on a product (a repair,
 * an installation, a technician visit). Relations are resolved through loaders
 * (resolvers/service-request.resolver.ts).
 */
@ObjectType()
@Entity({ tableName: 'service_requests' })
@Index({
  name: 'service_requests_search_trgm',
  expression: `create index "service_requests_search_trgm" on "service_requests" using gin (tr_fold("number" || ' ' || "subject" || ' ' || coalesce("detail", '') || ' ' || coalesce("serial_number", '')) gin_trgm_ops)`,
})
@Index({ name: 'service_requests_live_requested', expression: 'create index "service_requests_live_requested" on "service_requests" ("requested_date" desc, "id" desc) where "archived_at" is null' })
@Index({ properties: ['createdAt'] })
@Index({ properties: ['updatedAt'] })
export class ServiceRequest extends BaseEntity {
  @Field({ description: 'Human-readable number, unique per year: SR-2026-000012.' })
  @Unique()
  @Property({ length: 20 })
  number!: string;

  @Index()
  @ManyToOne(() => Account)
  account!: Rel<Account>;

  @Index()
  @ManyToOne(() => Contact, { nullable: true })
  contact?: Rel<Contact> | null;

  @Index()
  @ManyToOne(() => Subscription, { nullable: true })
  subscription?: Rel<Subscription> | null;

  @Field()
  @Index()
  @Property({ length: 500 })
  subject!: string;

  @Field(() => String, { nullable: true })
  @Property({ type: 'text', nullable: true })
  detail?: string | null;

  @Field(() => String, { nullable: true, description: 'The product the service is for (free text).' })
  @Property({ length: 300, nullable: true })
  product?: string | null;

  @Field(() => String, { nullable: true })
  @Property({ length: 100, nullable: true })
  serialNumber?: string | null;

  @Index()
  @ManyToOne(() => ServiceStage)
  stage!: Rel<ServiceStage>;

  @Index()
  @ManyToOne(() => Priority)
  priority!: Rel<Priority>;

  @Index()
  @ManyToOne(() => User, { nullable: true })
  assigneeUser?: Rel<User> | null;

  @Index()
  @ManyToOne(() => Team, { nullable: true })
  assigneeTeam?: Rel<Team> | null;

  @Field(() => Boolean, { description: 'Assigned to everyone (herkes).' })
  @Index()
  @Property({ type: 'boolean', default: false })
  assigneeEveryone: Opt<boolean> = false;

  @Field(() => LocalDateResolver, { description: 'The day the customer asked for service.' })
  @Index()
  @Property({ type: 'date' })
  requestedDate!: string;

  @Field(() => LocalDateResolver, { nullable: true, description: 'The day the service is planned for; not before the requested date.' })
  @Index()
  @Property({ type: 'date', nullable: true })
  plannedDate?: string | null;

  @Field(() => String, { nullable: true, description: 'What was done (çözüm).' })
  @Property({ type: 'text', nullable: true })
  resolutionNote?: string | null;

  @Index()
  @ManyToOne(() => User, { nullable: true })
  createdBy?: Rel<User> | null;

  @Field(() => Date, { nullable: true })
  @Index()
  @Property({ type: 'timestamptz', nullable: true })
  closedAt?: Date | null;

  @Field(() => Date, { nullable: true })
  @Index()
  @Property({ type: 'timestamptz', nullable: true })
  archivedAt?: Date | null;
}

@ObjectType({ description: 'One change to a service request: who, when, which field, old and new value.' })
@Entity({ tableName: 'service_request_history' })
@Index({ properties: ['serviceRequest', 'at'] })
export class ServiceRequestHistory {
  @Field(() => ID)
  @PrimaryKey({ autoincrement: true })
  id!: number;

  @ManyToOne(() => ServiceRequest, { deleteRule: 'cascade' })
  serviceRequest!: Rel<ServiceRequest>;

  @ManyToOne(() => User, { nullable: true })
  actor?: Rel<User> | null;

  @Field(() => Date)
  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  at: Opt<Date> = new Date();

  @Field({ description: 'The field (e.g. stage, assignee, subject), or created / archived.' })
  @Property({ length: 100 })
  field!: string;

  @Field(() => String, { nullable: true })
  @Property({ type: 'text', nullable: true })
  oldValue?: string | null;

  @Field(() => String, { nullable: true })
  @Property({ type: 'text', nullable: true })
  newValue?: string | null;
}

/** The last service request number handed out per year (SR-2026-000012). */
@Entity({ tableName: 'service_request_counters' })
export class ServiceRequestCounter {
  @PrimaryKey({ type: 'integer', autoincrement: false })
  year!: number;

  @Property({ type: 'integer' })
  last!: number;
}
