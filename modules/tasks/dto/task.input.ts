import { IsDate, IsEnum, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { Field, ID, InputType, registerEnumType } from 'type-graphql';
import { SortOf } from '../../../api/pagination';
import { TaskStatus } from '../entities/task.entity';

@InputType()
export class CreateTaskInput {
  @Field()
  @IsString()
  @Matches(/\S/, { message: 'must not be empty' })
  @MaxLength(300)
  title!: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(20_000)
  description?: string | null;

  @Field(() => ID, { nullable: true, description: 'The signed-in user when absent.' })
  @IsOptional()
  assigneeId?: string | null;

  @Field(() => Date, { nullable: true, description: 'Not in the past.' })
  @IsOptional()
  @IsDate()
  dueAt?: Date | null;

  @Field(() => ID, { nullable: true })
  @IsOptional()
  priorityId?: string | null;
}

@InputType()
export class UpdateTaskInput {
  @Field({ nullable: true })
  @IsOptional()
  @IsString()
  @Matches(/\S/, { message: 'must not be empty' })
  @MaxLength(300)
  title?: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(20_000)
  description?: string | null;

  @Field(() => ID, { nullable: true })
  @IsOptional()
  assigneeId?: string | null;

  @Field(() => Date, { nullable: true })
  @IsOptional()
  @IsDate()
  dueAt?: Date | null;

  @Field(() => TaskStatus, { nullable: true })
  @IsOptional()
  @IsEnum(TaskStatus)
  status?: TaskStatus;

  @Field(() => ID, { nullable: true })
  @IsOptional()
  priorityId?: string | null;
}

@InputType()
export class TaskFilter {
  @Field({ nullable: true })
  @IsOptional()
  @MaxLength(200)
  search?: string;

  @Field({ nullable: true, description: 'Only tasks assigned to the signed-in user ("my tasks").' })
  @IsOptional()
  mine?: boolean;

  @Field(() => [ID], { nullable: true })
  @IsOptional()
  assigneeIds?: string[];

  @Field(() => [TaskStatus], { nullable: true })
  @IsOptional()
  statuses?: TaskStatus[];

  @Field({ nullable: true, description: 'Open or in progress and due before now.' })
  @IsOptional()
  overdue?: boolean;

  @Field({ nullable: true, defaultValue: false })
  @IsOptional()
  includeArchived?: boolean;
}

export enum TaskSortField {
  dueAt = 'dueAt',
  createdAt = 'createdAt',
  title = 'title',
  status = 'status',
}
registerEnumType(TaskSortField, { name: 'TaskSortField' });

export const TaskSort = SortOf(TaskSortField, 'TaskSort');
export type TaskSort = InstanceType<typeof TaskSort>;
