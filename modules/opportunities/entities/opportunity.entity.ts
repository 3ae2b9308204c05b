import { Entity, Enum, Index, ManyToOne, Property, type Opt, type Rel } from '@mikro-orm/core';
import { LocalDateResolver } from 'graphql-scalars';
import { Field, Float, Int, ObjectType, registerEnumType } from 'type-graphql';
import { BaseEntity } from '../../../api/base.entity';
import { Account, Contact } from '../../accounts/entities/account.entities';
import { User } from '../../identity/entities/user.entity';
import { Campaign, Project } from '../../reference/entities/reference.entities';
import { SalesStage } from './sales-stage.entity';

export enum Currency {
  TRY = 'TRY',
  USD = 'USD',
  EUR = 'EUR',
  GBP = 'GBP',
}
registerEnumType(Currency, { name: 'Currency', description: 'ISO 4217 currency code.' });

/**
 * A sales opportunity (fırsat) with an account: an expected amount in a currency, a win
 * probability and a stage of the sales pipeline. Relations are resolved through loaders
 * (resolvers/opportunity.resolver.ts).
 */
@ObjectType()
@Entity({ tableName: 'opportunities' })
@Index({ name: 'opportunities_search_trgm', expression: `create index "opportunities_search_trgm" on "opportunities" using gin (tr_fold("title" || ' ' || coalesce("description", '')) gin_trgm_ops)` })
@Index({ name: 'opportunities_live_created', expression: 'create index "opportunities_live_created" on "opportunities" ("created_at" desc, "id" desc) where "archived_at" is null' })
@Index({ properties: ['createdAt'] })
export class Opportunity extends BaseEntity {
  @Index()
  @ManyToOne(() => Account)
  account!: Rel<Account>;

  @Index()
  @ManyToOne(() => Contact, { nullable: true })
  contact?: Rel<Contact> | null;

  @Field()
  @Index()
  @Property({ length: 300 })
  title!: string;

  @Field(() => String, { nullable: true })
  @Property({ type: 'text', nullable: true })
  description?: string | null;

  @Field(() => Float, { description: 'Expected amount in `currency`, two decimals, not negative.' })
  @Index()
  @Property({ type: 'decimal', precision: 14, scale: 2, runtimeType: 'number', default: 0 })
  expectedAmount: Opt<number> = 0;

  @Field(() => Currency)
  @Index()
  @Enum({ items: () => Currency, nativeEnumName: 'currency', default: Currency.TRY })
  currency: Opt<Currency> = Currency.TRY;

  @Field(() => Int, { description: 'Win probability, 0-100; the stage\'s default unless set.' })
  @Property({ type: 'integer' })
  probability!: number;

  @Index()
  @ManyToOne(() => SalesStage)
  stage!: Rel<SalesStage>;

  @Field(() => LocalDateResolver, { nullable: true })
  @Index()
  @Property({ type: 'date', nullable: true })
  expectedCloseDate?: string | null;

  @Index()
  @ManyToOne(() => User, { nullable: true })
  owner?: Rel<User> | null;

  @Index()
  @ManyToOne(() => Campaign, { nullable: true })
  campaign?: Rel<Campaign> | null;

  @Index()
  @ManyToOne(() => Project, { nullable: true })
  project?: Rel<Project> | null;

  @Index()
  @ManyToOne(() => User, { nullable: true })
  createdBy?: Rel<User> | null;

  @Field(() => Date, { nullable: true, description: 'When it entered a WON or LOST stage; cleared when it goes back to an open one.' })
  @Index()
  @Property({ type: 'timestamptz', nullable: true })
  closedAt?: Date | null;

  @Field(() => Date, { nullable: true })
  @Index()
  @Property({ type: 'timestamptz', nullable: true })
  archivedAt?: Date | null;
}
