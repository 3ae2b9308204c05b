import { OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { Field, ID, Int, ObjectType } from 'type-graphql';

/**
 * Columns every record has: a numeric id (exposed as GraphQL ID), creation and update
 * times, and a version for optimistic locking (`updateThing(id, version, input)`).
 */
// type-graphql copies these fields into every subclass type; BaseEntity itself is never
// referenced, so it does not appear in the schema.
@ObjectType()
export abstract class BaseEntity {
  [OptionalProps]?: 'createdAt' | 'updatedAt' | 'version';

  @Field(() => ID)
  @PrimaryKey({ autoincrement: true })
  id!: number;

  @Field()
  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  @Field()
  @Property({ type: 'timestamptz', defaultRaw: 'now()', onUpdate: () => new Date() })
  updatedAt: Date = new Date();

  @Field(() => Int, { description: 'Send it back with updates; a stale version gets CONFLICT.' })
  @Property({ version: true })
  version!: number;
}
