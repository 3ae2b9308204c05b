import { Collection, Entity, Index, ManyToMany, Property, Unique, type Opt } from '@mikro-orm/core';
import { Authorized, Field, ObjectType } from 'type-graphql';
import { BaseEntity } from '../../../api/base.entity';
import { Role } from './role.entity';
import { Team } from './team.entity';
import { UserRole } from './pivots.entity';

@ObjectType({ description: 'A person who signs in: administrator, team leader or agent.' })
@Entity({ tableName: 'users' })
@Index({ name: 'users_name_fold_trgm', expression: 'create index "users_name_fold_trgm" on "users" using gin (tr_fold("name") gin_trgm_ops)' })
export class User extends BaseEntity {
  @Field()
  @Property({ length: 200 })
  name!: string;

  @Field({ description: 'Stored lower-cased; unique.' })
  @Unique()
  @Property({ length: 320 })
  email!: string;

  @Field(() => String, { nullable: true })
  @Property({ length: 40, nullable: true })
  phone?: string | null;

  @Field(() => Boolean, { description: 'Inactive users cannot sign in; their sessions end.' })
  @Index()
  @Property({ type: 'boolean', default: true })
  active: Opt<boolean> = true;

  @Property({ hidden: true, length: 200 })
  passwordHash!: string;

  @Authorized()
  @Field(() => [String], { nullable: true, description: 'IP addresses or CIDR ranges the user may sign in from; empty means anywhere. Null when you may not see it.' })
  @Property({ type: 'text[]', default: '{}' })
  allowedIpRanges: Opt<string[]> = [];

  @ManyToMany({ entity: () => Role, pivotEntity: () => UserRole })
  roles = new Collection<Role>(this);

  @ManyToMany(() => Team, (t) => t.members)
  teams = new Collection<Team>(this);

  @Authorized()
  @Field(() => Date, { nullable: true })
  @Property({ type: 'timestamptz', nullable: true })
  lastSignInAt?: Date | null;

  @Field(() => Date, { nullable: true })
  @Index()
  @Property({ type: 'timestamptz', nullable: true })
  archivedAt?: Date | null;
}
