import { Entity, Index, Property, Unique, type Opt } from '@mikro-orm/core';
import { Field, Int, ObjectType } from 'type-graphql';
import { LocalDateResolver } from 'graphql-scalars';
import { BaseEntity } from '../../../api/base.entity';

/** Columns of every administrator-kept list: a name, an order, an active flag, archiving. */
@ObjectType()
export abstract class NamedEntity extends BaseEntity {
  @Field()
  @Property({ length: 200 })
  name!: string;

  @Field(() => Int, { description: 'Position in lists and pickers (ascending).' })
  @Property({ type: 'integer', default: 0 })
  sortOrder: Opt<number> = 0;

  @Field(() => Boolean)
  @Property({ type: 'boolean', default: true })
  active: Opt<boolean> = true;

  @Field(() => Date, { nullable: true })
  @Index()
  @Property({ type: 'timestamptz', nullable: true })
  archivedAt?: Date | null;
}

@ObjectType({ description: 'How urgent an application is (öncelik).' })
@Entity({ tableName: 'priorities' })
export class Priority extends NamedEntity {
  @Field(() => String, { nullable: true, description: 'A CSS colour, e.g. #d32f2f.' })
  @Property({ length: 20, nullable: true })
  color?: string | null;

  @Field(() => Boolean, { description: 'Used when an application gives none.' })
  @Property({ type: 'boolean', default: false })
  isDefault: Opt<boolean> = false;
}

@ObjectType({ description: 'The channel an application came through (iletişim yöntemi).' })
@Entity({ tableName: 'contact_channels' })
export class ContactChannel extends NamedEntity {
  @Field({ description: 'Stable code for integrations: phone, email, sms, chat, web_form, walk_in, social, ...' })
  @Unique()
  @Property({ length: 50 })
  code!: string;

  @Field(() => Boolean)
  @Property({ type: 'boolean', default: false })
  isDefault: Opt<boolean> = false;
}

@ObjectType({ description: 'A branch (şube) an application can come from.' })
@Entity({ tableName: 'branches' })
export class Branch extends NamedEntity {
  @Field(() => String, { nullable: true })
  @Property({ length: 50, nullable: true })
  code?: string | null;

  @Field(() => String, { nullable: true })
  @Property({ length: 100, nullable: true })
  city?: string | null;

  @Field(() => String, { nullable: true })
  @Property({ length: 40, nullable: true })
  phone?: string | null;
}

@ObjectType({ description: 'A project (proje); time spent on applications is totalled per project.' })
@Entity({ tableName: 'projects' })
export class Project extends NamedEntity {
  @Field(() => String, { nullable: true })
  @Property({ length: 50, nullable: true })
  code?: string | null;

  @Field(() => String, { nullable: true })
  @Property({ type: 'text', nullable: true })
  description?: string | null;

  @Field(() => LocalDateResolver, { nullable: true })
  @Property({ type: 'date', nullable: true })
  startDate?: string | null;

  @Field(() => LocalDateResolver, { nullable: true })
  @Property({ type: 'date', nullable: true })
  endDate?: string | null;
}

@ObjectType({ description: 'A campaign (kampanya).' })
@Entity({ tableName: 'campaigns' })
export class Campaign extends NamedEntity {
  @Field(() => String, { nullable: true })
  @Property({ length: 50, nullable: true })
  code?: string | null;

  @Field(() => String, { nullable: true })
  @Property({ type: 'text', nullable: true })
  description?: string | null;

  @Field(() => LocalDateResolver, { nullable: true })
  @Property({ type: 'date', nullable: true })
  startDate?: string | null;

  @Field(() => LocalDateResolver, { nullable: true })
  @Property({ type: 'date', nullable: true })
  endDate?: string | null;
}
