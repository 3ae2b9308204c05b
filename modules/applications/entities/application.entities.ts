import { Entity, Index, ManyToOne, PrimaryKey, Property, Unique, type Opt, type Rel } from '@mikro-orm/core';
import { GraphQLJSONObject, LocalDateResolver } from 'graphql-scalars';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { BaseEntity } from '../../../api/base.entity';
import { Account, Contact, Subscription } from '../../accounts/entities/account.entities';
import { Team } from '../../identity/entities/team.entity';
import { User } from '../../identity/entities/user.entity';
import { Branch, Campaign, ContactChannel, Priority, Project } from '../../reference/entities/reference.entities';
import { Category, ProcessStage } from './classification.entities';

/**
 * A call-center application (başvuru): a complaint, request or suggestion. Relations are
 * resolved through loaders (resolvers/application.resolver.ts); follow-up count and time
 * spent are kept on the row so lists can show and sort them without aggregating.
 */
@ObjectType()
@Entity({ tableName: 'applications' })
@Index({ name: 'applications_search_trgm', expression: `create index "applications_search_trgm" on "applications" using gin (tr_fold("subject" || ' ' || coalesce("detail", '')) gin_trgm_ops)` })
@Index({ name: 'applications_subject_trgm', expression: 'create index "applications_subject_trgm" on "applications" using gist (tr_fold("subject") gist_trgm_ops)' })
@Index({ name: 'applications_extra_gin', expression: 'create index "applications_extra_gin" on "applications" using gin ("extra" jsonb_path_ops)' })
@Index({ name: 'applications_live_date', expression: 'create index "applications_live_date" on "applications" ("application_date" desc, "id" desc) where "archived_at" is null' })
export class Application extends BaseEntity {
  @Field({ description: 'Human-readable number, unique per year: 2026-000123.' })
  @Unique()
  @Property({ length: 20 })
  number!: string;

  @Index()
  @ManyToOne(() => Account)
  applicant!: Rel<Account>;

  @Index()
  @ManyToOne(() => Contact, { nullable: true })
  reporter?: Rel<Contact> | null;

  @Index()
  @ManyToOne(() => Branch, { nullable: true })
  branch?: Rel<Branch> | null;

  @Index()
  @ManyToOne(() => Priority)
  priority!: Rel<Priority>;

  @Index()
  @ManyToOne(() => ProcessStage)
  stage!: Rel<ProcessStage>;

  @Index()
  @ManyToOne(() => Category)
  category!: Rel<Category>;

  @Index()
  @ManyToOne(() => Category, { nullable: true })
  subcategory?: Rel<Category> | null;

  @Index()
  @ManyToOne(() => Category, { nullable: true })
  treeCategory?: Rel<Category> | null;

  @Index()
  @ManyToOne(() => ContactChannel)
  channel!: Rel<ContactChannel>;

  @Field(() => String, { nullable: true })
  @Index()
  @Property({ length: 100, nullable: true })
  referenceNo?: string | null;

  @Field(() => Date)
  @Index()
  @Property({ type: 'timestamptz' })
  applicationDate!: Date;

  @Field(() => Date, { nullable: true })
  @Index()
  @Property({ type: 'timestamptz', nullable: true })
  acceptanceDate?: Date | null;

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

  @Index()
  @ManyToOne(() => User, { nullable: true })
  responsible?: Rel<User> | null;

  @Index()
  @ManyToOne(() => Project, { nullable: true })
  project?: Rel<Project> | null;

  @Index()
  @ManyToOne(() => Campaign, { nullable: true })
  campaign?: Rel<Campaign> | null;

  @Index()
  @ManyToOne(() => Subscription, { nullable: true })
  subscription?: Rel<Subscription> | null;

  @Field(() => GraphQLJSONObject, { description: 'Extra field values by key.' })
  @Property({ type: 'jsonb', default: '{}' })
  extra: Opt<Record<string, unknown>> = {};

  @Field()
  @Property({ length: 500 })
  subject!: string;

  @Field(() => String, { nullable: true })
  @Property({ type: 'text', nullable: true })
  detail?: string | null;

  @Index()
  @ManyToOne(() => User, { nullable: true })
  createdBy?: Rel<User> | null;

  @Field(() => Date, { nullable: true })
  @Index()
  @Property({ type: 'timestamptz', nullable: true })
  closedAt?: Date | null;

  @Field(() => Int)
  @Index()
  @Property({ type: 'integer', default: 0 })
  followUpCount: Opt<number> = 0;

  @Field(() => Int, { description: 'Minutes of all time entries.' })
  @Index()
  @Property({ type: 'integer', default: 0 })
  timeSpentMinutes: Opt<number> = 0;

  @Field(() => Date, { nullable: true })
  @Index()
  @Property({ type: 'timestamptz', nullable: true })
  archivedAt?: Date | null;
}

@ObjectType({ description: 'A dated note on an application (takip).' })
@Entity({ tableName: 'follow_ups' })
@Index({ properties: ['application', 'notedAt'] })
export class FollowUp extends BaseEntity {
  @ManyToOne(() => Application, { deleteRule: 'cascade' })
  application!: Rel<Application>;

  @Index()
  @ManyToOne(() => User, { nullable: true })
  author?: Rel<User> | null;

  @Field(() => Date)
  @Property({ type: 'timestamptz' })
  notedAt!: Date;

  @Field()
  @Property({ type: 'text' })
  text!: string;

  @Field(() => Date, { nullable: true })
  @Property({ type: 'timestamptz', nullable: true })
  editedAt?: Date | null;
}

@ObjectType({ description: 'Time spent on an application (zaman harcaması); it also counts for its account, subscription and project.' })
@Entity({ tableName: 'time_entries' })
@Index({ properties: ['user', 'date'] })
export class TimeEntry extends BaseEntity {
  @Index()
  @ManyToOne(() => Application, { deleteRule: 'cascade' })
  application!: Rel<Application>;

  @ManyToOne(() => User)
  user!: Rel<User>;

  @Field(() => LocalDateResolver)
  @Property({ type: 'date' })
  date!: string;

  @Field(() => Int)
  @Property({ type: 'integer' })
  minutes!: number;

  @Field(() => String, { nullable: true, description: 'What was done.' })
  @Property({ type: 'text', nullable: true })
  note?: string | null;

  @Index()
  @ManyToOne(() => Account)
  account!: Rel<Account>;

  @Index()
  @ManyToOne(() => Subscription, { nullable: true })
  subscription?: Rel<Subscription> | null;

  @Index()
  @ManyToOne(() => Project, { nullable: true })
  project?: Rel<Project> | null;
}

@ObjectType({ description: 'One change to an application: who, when, which field, old and new value.' })
@Entity({ tableName: 'application_history' })
@Index({ properties: ['application', 'at'] })
export class ApplicationHistory {
  @Field(() => ID)
  @PrimaryKey({ autoincrement: true })
  id!: number;

  @ManyToOne(() => Application, { deleteRule: 'cascade' })
  application!: Rel<Application>;

  @ManyToOne(() => User, { nullable: true })
  actor?: Rel<User> | null;

  @Field(() => Date)
  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  at: Opt<Date> = new Date();

  @Field({ description: 'The field (e.g. stage, assignee, subject), or created / followUp / timeEntry / archived.' })
  @Property({ length: 100 })
  field!: string;

  @Field(() => String, { nullable: true })
  @Property({ type: 'text', nullable: true })
  oldValue?: string | null;

  @Field(() => String, { nullable: true })
  @Property({ type: 'text', nullable: true })
  newValue?: string | null;

  /**
   * The linked record an entry is about (a task, document, ...). Its label is shown only to
   * viewers who may read that record; others see `#id`.
   */
  @Field(() => String, { nullable: true })
  @Property({ length: 50, nullable: true })
  refType?: string | null;

  @Field(() => ID, { nullable: true })
  @Property({ type: 'integer', nullable: true })
  refId?: number | null;
}

/** The last number handed out per year (2026-000123). */
@Entity({ tableName: 'application_counters' })
export class ApplicationCounter {
  @PrimaryKey({ type: 'integer', autoincrement: false })
  year!: number;

  @Property({ type: 'integer' })
  last!: number;
}
