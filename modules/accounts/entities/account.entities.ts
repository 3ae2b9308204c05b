import { Entity, Enum, Index, ManyToOne, Property, Unique, type Opt, type Rel } from '@mikro-orm/core';
import { GraphQLJSONObject, LocalDateResolver } from 'graphql-scalars';
import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { BaseEntity } from '../../../api/base.entity';
import { User } from '../../identity/entities/user.entity';

export enum AccountKind {
  COMPANY = 'COMPANY',
  INDIVIDUAL = 'INDIVIDUAL',
}
registerEnumType(AccountKind, { name: 'AccountKind', description: 'A company (kurumsal) or an individual customer (bireysel).' });

@ObjectType({ description: 'A sales region (bölge); its responsible user becomes the responsible of its accounts\' applications.' })
@Entity({ tableName: 'regions' })
export class Region extends BaseEntity {
  @Field()
  @Property({ length: 200 })
  name!: string;

  @ManyToOne(() => User, { nullable: true, deleteRule: 'set null' })
  responsible?: Rel<User> | null;

  @Field(() => Boolean)
  @Property({ type: 'boolean', default: true })
  active: Opt<boolean> = true;

  @Field(() => Date, { nullable: true })
  @Property({ type: 'timestamptz', nullable: true })
  archivedAt?: Date | null;
}

@ObjectType({ description: 'A customer (cari): a company or an individual.' })
@Entity({ tableName: 'accounts' })
@Index({ name: 'accounts_name_fold_trgm', expression: 'create index "accounts_name_fold_trgm" on "accounts" using gin (tr_fold("name") gin_trgm_ops)' })
@Index({ name: 'accounts_extra_gin', expression: 'create index "accounts_extra_gin" on "accounts" using gin ("extra" jsonb_path_ops)' })
@Index({ name: 'accounts_phone_keys_gin', expression: 'create index "accounts_phone_keys_gin" on "accounts" using gin ("phone_keys")' })
export class Account extends BaseEntity {
  @Field(() => AccountKind)
  @Enum({ items: () => AccountKind, nativeEnumName: 'account_kind' })
  kind!: AccountKind;

  @Field()
  @Index()
  @Property({ length: 300 })
  name!: string;

  @Field(() => String, { nullable: true, description: 'Vergi kimlik numarası (10 digits), companies.' })
  @Index()
  @Property({ length: 20, nullable: true })
  taxNumber?: string | null;

  @Field(() => String, { nullable: true })
  @Property({ length: 100, nullable: true })
  taxOffice?: string | null;

  @Field(() => String, { nullable: true, description: 'T.C. kimlik numarası (11 digits), individuals.' })
  @Index()
  @Property({ length: 20, nullable: true })
  identityNumber?: string | null;

  @Field(() => [String])
  @Property({ type: 'text[]', default: '{}' })
  phones: Opt<string[]> = [];

  /** The last ten digits of each phone, for caller recognition and phone search. */
  @Property({ type: 'text[]', default: '{}', hidden: true })
  phoneKeys: Opt<string[]> = [];

  @Field(() => [String])
  @Property({ type: 'text[]', default: '{}' })
  emails: Opt<string[]> = [];

  @Field(() => String, { nullable: true })
  @Property({ type: 'text', nullable: true })
  address?: string | null;

  @Field(() => String, { nullable: true })
  @Property({ length: 100, nullable: true })
  city?: string | null;

  @Field(() => String, { nullable: true })
  @Property({ length: 100, nullable: true })
  district?: string | null;

  @Index()
  @ManyToOne(() => Region, { nullable: true, deleteRule: 'set null' })
  region?: Rel<Region> | null;

  @Field(() => GraphQLJSONObject, { description: 'Extra field values by key.' })
  @Property({ type: 'jsonb', default: '{}' })
  extra: Opt<Record<string, unknown>> = {};

  @Field(() => Boolean)
  @Property({ type: 'boolean', default: true })
  active: Opt<boolean> = true;

  @Field(() => Date, { nullable: true })
  @Index()
  @Property({ type: 'timestamptz', nullable: true })
  archivedAt?: Date | null;
}

@ObjectType({ description: 'A person (kişi) at an account; reports applications.' })
@Entity({ tableName: 'contacts' })
@Index({ name: 'contacts_extra_gin', expression: 'create index "contacts_extra_gin" on "contacts" using gin ("extra" jsonb_path_ops)' })
export class Contact extends BaseEntity {
  @Index()
  @ManyToOne(() => Account, { deleteRule: 'cascade' })
  account!: Rel<Account>;

  @Field()
  @Property({ length: 100 })
  firstName!: string;

  @Field()
  @Property({ length: 100 })
  lastName!: string;

  @Field(() => String, { nullable: true })
  @Property({ length: 100, nullable: true })
  title?: string | null;

  @Field(() => String, { nullable: true })
  @Property({ length: 40, nullable: true })
  phone?: string | null;

  @Field(() => String, { nullable: true })
  @Index()
  @Property({ length: 320, nullable: true })
  email?: string | null;

  @Field(() => GraphQLJSONObject)
  @Property({ type: 'jsonb', default: '{}' })
  extra: Opt<Record<string, unknown>> = {};

  @Field(() => Boolean)
  @Property({ type: 'boolean', default: true })
  active: Opt<boolean> = true;

  @Field(() => Date, { nullable: true })
  @Property({ type: 'timestamptz', nullable: true })
  archivedAt?: Date | null;
}

@ObjectType('AccountSubscription', { description: 'A subscription (abone) of an account, with its number. (Named so as not to clash with GraphQL\'s Subscription root.)' })
@Entity({ tableName: 'subscriptions' })
export class Subscription extends BaseEntity {
  @Index()
  @ManyToOne(() => Account, { deleteRule: 'cascade' })
  account!: Rel<Account>;

  @Field({ description: 'Abone no; unique.' })
  @Unique()
  @Property({ length: 50 })
  number!: string;

  @Field(() => String, { nullable: true })
  @Property({ length: 200, nullable: true })
  name?: string | null;

  @Field(() => String, { nullable: true })
  @Property({ type: 'text', nullable: true })
  address?: string | null;

  @Field(() => LocalDateResolver, { nullable: true })
  @Property({ type: 'date', nullable: true })
  startDate?: string | null;

  @Field(() => LocalDateResolver, { nullable: true })
  @Property({ type: 'date', nullable: true })
  endDate?: string | null;

  @Field(() => Boolean)
  @Property({ type: 'boolean', default: true })
  active: Opt<boolean> = true;

  @Field(() => Date, { nullable: true })
  @Property({ type: 'timestamptz', nullable: true })
  archivedAt?: Date | null;
}
