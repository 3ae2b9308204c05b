import { Entity, Property, Unique, type Opt } from '@mikro-orm/core';
import { Field, ObjectType } from 'type-graphql';
import { BaseEntity } from '../../../api/base.entity';
import type { Grant } from '../../../api/module';

@ObjectType({ description: 'A named set of permissions. Built-in roles have a key and cannot be archived.' })
@Entity({ tableName: 'roles' })
export class Role extends BaseEntity {
  @Field(() => String, { nullable: true, description: 'administrator, team_leader or agent for the built-in roles.' })
  @Unique()
  @Property({ length: 50, nullable: true })
  key?: string | null;

  @Field()
  @Unique()
  @Property({ length: 200 })
  name!: string;

  @Field(() => String, { nullable: true })
  @Property({ type: 'text', nullable: true })
  description?: string | null;

  @Field(() => Boolean)
  @Property({ type: 'boolean', default: false })
  builtIn: Opt<boolean> = false;

  @Property({ type: 'jsonb', default: '[]' })
  grants: Opt<Grant[]> = [];

  /** Subjects whose default grants were already given to this built-in role. */
  @Property({ type: 'text[]', default: '{}', hidden: true })
  seededSubjects: Opt<string[]> = [];

  @Field(() => Date, { nullable: true })
  @Property({ type: 'timestamptz', nullable: true })
  archivedAt?: Date | null;
}
