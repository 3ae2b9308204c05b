import { Collection, Entity, Index, ManyToMany, ManyToOne, Property, type Opt, type Rel } from '@mikro-orm/core';
import { Field, Int, ObjectType } from 'type-graphql';
import { BaseEntity } from '../../../api/base.entity';

@ObjectType({ description: 'Where an application stands (süreç). Closed stages end it; transitions limit the next stage.' })
@Entity({ tableName: 'process_stages' })
export class ProcessStage extends BaseEntity {
  @Field()
  @Property({ length: 200 })
  name!: string;

  @Field(() => Int)
  @Property({ type: 'integer', default: 0 })
  sortOrder: Opt<number> = 0;

  @Field(() => Boolean, { description: 'Entering a closed stage sets the closing time; leaving it clears it.' })
  @Property({ type: 'boolean', default: false })
  closed: Opt<boolean> = false;

  @Field(() => Boolean, { description: 'New applications start here.' })
  @Property({ type: 'boolean', default: false })
  isInitial: Opt<boolean> = false;

  @Field(() => String, { nullable: true })
  @Property({ length: 20, nullable: true })
  color?: string | null;

  /** Stages this one may move to; none listed allows any. */
  @ManyToMany({ entity: () => ProcessStage, pivotTable: 'process_stage_transitions', joinColumn: 'from_stage_id', inverseJoinColumn: 'to_stage_id', owner: true })
  allowedNext = new Collection<ProcessStage>(this);

  @Field(() => Boolean)
  @Property({ type: 'boolean', default: true })
  active: Opt<boolean> = true;

  @Field(() => Date, { nullable: true })
  @Property({ type: 'timestamptz', nullable: true })
  archivedAt?: Date | null;
}

@ObjectType({ description: 'A node of the classification tree: level 1 category, level 2 subcategory, level 3+ tree category.' })
@Entity({ tableName: 'categories' })
export class Category extends BaseEntity {
  @Field()
  @Property({ length: 200 })
  name!: string;

  @Index()
  @ManyToOne(() => Category, { nullable: true, deleteRule: 'restrict' })
  parent?: Rel<Category> | null;

  @Field(() => Int, { description: '1 category, 2 subcategory, 3 and deeper tree category.' })
  @Property({ type: 'integer' })
  level!: number;

  @Field(() => Int)
  @Property({ type: 'integer', default: 0 })
  sortOrder: Opt<number> = 0;

  @Field(() => Boolean)
  @Property({ type: 'boolean', default: true })
  active: Opt<boolean> = true;

  @Field(() => Date, { nullable: true })
  @Property({ type: 'timestamptz', nullable: true })
  archivedAt?: Date | null;
}
