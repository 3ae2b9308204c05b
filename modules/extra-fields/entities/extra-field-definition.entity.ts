import { ArrayType, Entity, Enum, Index, Property, Unique, type Opt } from '@mikro-orm/core';
import { Field, Int, ObjectType, registerEnumType, ID } from 'type-graphql';
import { BaseEntity } from '../../../api/base.entity';

export enum ExtraFieldTarget {
  APPLICATION = 'APPLICATION',
  ACCOUNT = 'ACCOUNT',
  CONTACT = 'CONTACT',
}
registerEnumType(ExtraFieldTarget, { name: 'ExtraFieldTarget', description: 'The kind of record an extra field belongs to.' });

export enum ExtraFieldType {
  TEXT = 'TEXT',
  LONG_TEXT = 'LONG_TEXT',
  NUMBER = 'NUMBER',
  DATE = 'DATE',
  BOOLEAN = 'BOOLEAN',
  SINGLE_CHOICE = 'SINGLE_CHOICE',
  MULTIPLE_CHOICE = 'MULTIPLE_CHOICE',
}
registerEnumType(ExtraFieldType, { name: 'ExtraFieldType' });

/**
 * An administrator-defined field (ek bilgi). Values live in the owning record's `extra`
 * JSON column under `key`, indexed for filtering.
 */
@ObjectType()
@Entity({ tableName: 'extra_field_definitions' })
@Unique({ properties: ['target', 'key'] })
export class ExtraFieldDefinition extends BaseEntity {
  @Field(() => ExtraFieldTarget)
  @Enum({ items: () => ExtraFieldTarget, nativeEnumName: 'extra_field_target' })
  target!: ExtraFieldTarget;

  @Field({ description: 'Machine name: the key in `extra` (lower-case letters, digits, _).' })
  @Property({ length: 50 })
  key!: string;

  @Field()
  @Property({ length: 200 })
  label!: string;

  @Field(() => String, { nullable: true })
  @Property({ type: 'text', nullable: true })
  description?: string | null;

  @Field(() => ExtraFieldType)
  @Enum({ items: () => ExtraFieldType, nativeEnumName: 'extra_field_type' })
  type!: ExtraFieldType;

  @Field(() => Boolean)
  @Property({ type: 'boolean', default: false })
  required: Opt<boolean> = false;

  @Field(() => [String], { description: 'The choices of SINGLE_CHOICE and MULTIPLE_CHOICE fields.' })
  @Property({ type: 'text[]', default: '{}' })
  options: Opt<string[]> = [];

  @Field(() => [ID], { description: 'Applications only: the field applies only under these categories (any level); empty means everywhere.' })
  @Property({ type: new ArrayType((i) => Number(i)), columnType: 'int[]', default: '{}' })
  categoryIds: Opt<number[]> = [];

  @Field(() => Int)
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
