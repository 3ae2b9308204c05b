import { Entity, Enum, Index, ManyToOne, Property, type Opt, type Rel } from '@mikro-orm/core';
import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { BaseEntity } from '../../../api/base.entity';
import { User } from '../../identity/entities/user.entity';
import { Priority } from '../../reference/entities/reference.entities';

export enum TaskStatus {
  OPEN = 'OPEN',
  IN_PROGRESS = 'IN_PROGRESS',
  DONE = 'DONE',
  CANCELLED = 'CANCELLED',
}
registerEnumType(TaskStatus, { name: 'TaskStatus' });

@ObjectType({ description: 'A piece of work (iş) for someone, linkable to any record.' })
@Entity({ tableName: 'tasks' })
@Index({ name: 'tasks_search_trgm', expression: `create index "tasks_search_trgm" on "tasks" using gin (tr_fold("title" || ' ' || coalesce("description", '')) gin_trgm_ops)` })
export class Task extends BaseEntity {
  @Field()
  @Property({ length: 300 })
  title!: string;

  @Field(() => String, { nullable: true })
  @Property({ type: 'text', nullable: true })
  description?: string | null;

  @Index()
  @ManyToOne(() => User, { nullable: true })
  assignee?: Rel<User> | null;

  @Field(() => Date, { nullable: true })
  @Index()
  @Property({ type: 'timestamptz', nullable: true })
  dueAt?: Date | null;

  @Field(() => TaskStatus)
  @Index()
  @Enum({ items: () => TaskStatus, nativeEnumName: 'task_status', default: TaskStatus.OPEN })
  status: Opt<TaskStatus> = TaskStatus.OPEN;

  @Index()
  @ManyToOne(() => Priority, { nullable: true })
  priority?: Rel<Priority> | null;

  @Index()
  @ManyToOne(() => User, { nullable: true })
  createdBy?: Rel<User> | null;

  @Field(() => Date, { nullable: true })
  @Property({ type: 'timestamptz', nullable: true })
  completedAt?: Date | null;

  @Field(() => Date, { nullable: true })
  @Index()
  @Property({ type: 'timestamptz', nullable: true })
  archivedAt?: Date | null;
}
