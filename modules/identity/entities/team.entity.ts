import { Collection, Entity, Index, ManyToMany, ManyToOne, Property, type Opt } from '@mikro-orm/core';
import { Field, ObjectType } from 'type-graphql';
import { BaseEntity } from '../../../api/base.entity';
import { User } from './user.entity';
import { TeamMember } from './pivots.entity';

@ObjectType({ description: 'A group of agents with a leader; work can be assigned to a team.' })
@Entity({ tableName: 'teams' })
export class Team extends BaseEntity {
  @Field()
  @Property({ length: 200 })
  name!: string;

  @Field(() => String, { nullable: true })
  @Property({ type: 'text', nullable: true })
  description?: string | null;

  @Index()
  @ManyToOne(() => User, { nullable: true, deleteRule: 'set null' })
  leader?: User | null;

  @ManyToMany({ entity: () => User, inversedBy: (u) => u.teams, owner: true, pivotEntity: () => TeamMember })
  members = new Collection<User>(this);

  @Field(() => Boolean)
  @Property({ type: 'boolean', default: true })
  active: Opt<boolean> = true;

  @Field(() => Date, { nullable: true })
  @Index()
  @Property({ type: 'timestamptz', nullable: true })
  archivedAt?: Date | null;
}
