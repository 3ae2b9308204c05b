import { Collection, Entity, Index, ManyToMany, Property, type Opt } from '@mikro-orm/core';
import { Field, Int, ObjectType } from 'type-graphql';
import { BaseEntity } from '../../../api/base.entity';

@ObjectType({ description: 'Where a service request stands (servis aşaması). Closed stages end it; transitions limit the next stage.' })
@Entity({ tableName: 'service_stages' })
export class ServiceStage extends BaseEntity {
  @Field()
  @Property({ length: 200 })
  name!: string;

  @Field(() => Int)
  @Index()
  @Property({ type: 'integer', default: 0 })
  sortOrder: Opt<number> = 0;

  @Field(() => Boolean, { description: 'Entering a closed stage sets the closing time; leaving it clears it.' })
  @Index()
  @Property({ type: 'boolean', default: false })
  closed: Opt<boolean> = false;

  @Field(() => Boolean, { description: 'New service requests start here.' })
  @Property({ type: 'boolean', default: false })
  isInitial: Opt<boolean> = false;

  @Field(() => String, { nullable: true })
  @Property({ length: 20, nullable: true })
  color?: string | null;

  /** Stages this one may move to; none listed allows any. */
  @ManyToMany({ entity: () => ServiceStage, pivotTable: 'service_stage_transitions', joinColumn: 'from_stage_id', inverseJoinColumn: 'to_stage_id', owner: true })
  allowedNext = new Collection<ServiceStage>(this);

  @Field(() => Boolean)
  @Property({ type: 'boolean', default: true })
  active: Opt<boolean> = true;

  @Field(() => Date, { nullable: true })
  @Index()
  @Property({ type: 'timestamptz', nullable: true })
  archivedAt?: Date | null;
}
