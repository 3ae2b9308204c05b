import { ArrayMaxSize, IsBoolean, IsInt, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { LocalDateResolver } from 'graphql-scalars';
import { Field, ID, InputType, Int, registerEnumType } from 'type-graphql';
import { SortOf } from '../../../api/pagination';
import { NotNullWhenGiven } from '../../../api/validation';
import { AssigneeInput } from '../../applications/dto/application.input';

const DATE = /^\d{4}-\d{2}-\d{2}$/;


@InputType()
export class CreateServiceRequestInput {
  @Field(() => ID, { description: 'The account the service is for.' })
  accountId!: string;

  @Field(() => ID, { nullable: true, description: 'A contact of the account.' })
  @IsOptional()
  contactId?: string | null;

  @Field(() => ID, { nullable: true, description: "One of the account's subscriptions." })
  @IsOptional()
  subscriptionId?: string | null;

  @Field()
  @IsString()
  @Matches(/\S/, { message: 'must not be empty' })
  @MaxLength(500)
  subject!: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(100_000)
  detail?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(300)
  product?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(100)
  serialNumber?: string | null;

  @Field(() => ID, { nullable: true, description: 'Default priority when absent.' })
  @IsOptional()
  priorityId?: string | null;

  @Field(() => ID, { nullable: true, description: 'The initial stage when absent.' })
  @IsOptional()
  stageId?: string | null;

  @Field(() => AssigneeInput, { nullable: true })
  @IsOptional()
  assignee?: AssigneeInput;

  @Field(() => LocalDateResolver, { nullable: true, description: 'Today when absent.' })
  @IsOptional()
  @Matches(DATE)
  requestedDate?: string;

  @Field(() => LocalDateResolver, { nullable: true, description: 'Not before the requested date.' })
  @IsOptional()
  @Matches(DATE)
  plannedDate?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(100_000)
  resolutionNote?: string | null;
}

@InputType({ description: 'Only the fields given change. Stage and assignee have their own operations.' })
export class UpdateServiceRequestInput {
  @Field(() => ID, { nullable: true, description: 'Changing the account re-checks the contact and the subscription.' })
  @NotNullWhenGiven()
  @IsString({ message: 'must not be null' })
  accountId?: string;

  @Field(() => ID, { nullable: true })
  @IsOptional()
  contactId?: string | null;

  @Field(() => ID, { nullable: true })
  @IsOptional()
  subscriptionId?: string | null;

  @Field({ nullable: true })
  @NotNullWhenGiven()
  @IsString({ message: 'must not be null' })
  @Matches(/\S/, { message: 'must not be empty' })
  @MaxLength(500)
  subject?: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(100_000)
  detail?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(300)
  product?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(100)
  serialNumber?: string | null;

  @Field(() => ID, { nullable: true, description: 'null sets the default priority.' })
  @IsOptional()
  priorityId?: string | null;

  @Field(() => LocalDateResolver, { nullable: true })
  @NotNullWhenGiven()
  @Matches(DATE, { message: 'must be a date (YYYY-MM-DD)' })
  requestedDate?: string;

  @Field(() => LocalDateResolver, { nullable: true })
  @IsOptional()
  @Matches(DATE)
  plannedDate?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(100_000)
  resolutionNote?: string | null;
}

@InputType({ description: 'A range of days, both ends included.' })
export class ServiceRequestDateRange {
  @Field(() => LocalDateResolver, { nullable: true })
  @IsOptional()
  @Matches(DATE)
  from?: string;

  @Field(() => LocalDateResolver, { nullable: true, description: 'Inclusive.' })
  @IsOptional()
  @Matches(DATE)
  to?: string;
}

@InputType()
export class ServiceRequestFilter {
  @Field({ nullable: true, description: 'Number, subject, detail or serial number contains (Turkish-aware: İ/i, I/ı, ş/s...).' })
  @IsOptional()
  @MaxLength(200)
  search?: string;

  @Field(() => [ID], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(500)
  ids?: string[];

  @Field(() => [ID], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(100)
  accountIds?: string[];

  @Field(() => ID, { nullable: true })
  @IsOptional()
  contactId?: string;

  @Field(() => ID, { nullable: true })
  @IsOptional()
  subscriptionId?: string;

  @Field(() => [ID], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(100)
  stageIds?: string[];

  @Field({ nullable: true, description: 'true: in a closed stage; false: open.' })
  @IsOptional()
  closed?: boolean;

  @Field(() => [ID], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(100)
  priorityIds?: string[];

  @Field(() => [ID], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(100)
  assigneeUserIds?: string[];

  @Field(() => [ID], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(100)
  assigneeTeamIds?: string[];

  @Field({ nullable: true })
  @IsOptional()
  assignedToEveryone?: boolean;

  @Field({ nullable: true, description: 'No user, no team, not everyone.' })
  @IsOptional()
  unassigned?: boolean;

  @Field(() => ID, { nullable: true })
  @IsOptional()
  createdById?: string;

  @Field(() => ServiceRequestDateRange, { nullable: true })
  @IsOptional()
  requestedDate?: ServiceRequestDateRange;

  @Field(() => ServiceRequestDateRange, { nullable: true })
  @IsOptional()
  plannedDate?: ServiceRequestDateRange;

  @Field({ nullable: true, defaultValue: false })
  @IsOptional()
  includeArchived?: boolean;
}

export enum ServiceRequestSortField {
  number = 'number',
  subject = 'subject',
  requestedDate = 'requestedDate',
  plannedDate = 'plannedDate',
  createdAt = 'createdAt',
  updatedAt = 'updatedAt',
  closedAt = 'closedAt',
  priority = 'priority',
  stage = 'stage',
  account = 'account',
}
registerEnumType(ServiceRequestSortField, { name: 'ServiceRequestSortField' });

export const ServiceRequestSort = SortOf(ServiceRequestSortField, 'ServiceRequestSort');
export type ServiceRequestSort = InstanceType<typeof ServiceRequestSort>;

// ---- service stages ----
@InputType()
export class CreateServiceStageInput {
  @Field()
  @IsString()
  @Matches(/\S/, { message: 'must not be empty' })
  @MaxLength(200)
  name!: string;

  @Field(() => Int, { nullable: true })
  @NotNullWhenGiven()
  @IsInt({ message: 'must be a whole number' })
  sortOrder?: number;

  @Field({ nullable: true })
  @NotNullWhenGiven()
  @IsBoolean({ message: 'must be true or false' })
  closed?: boolean;

  @Field({ nullable: true })
  @NotNullWhenGiven()
  @IsBoolean({ message: 'must be true or false' })
  isInitial?: boolean;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Matches(/^#[0-9a-fA-F]{3,8}$/, { message: 'must be a colour like #d32f2f' })
  color?: string | null;

  @Field(() => [ID], { nullable: true, description: 'Stages it may move to; empty allows any.' })
  @IsOptional()
  @ArrayMaxSize(200)
  allowedNextStageIds?: string[];

  @Field({ nullable: true })
  @NotNullWhenGiven()
  @IsBoolean({ message: 'must be true or false' })
  active?: boolean;
}

@InputType()
export class UpdateServiceStageInput {
  @Field({ nullable: true })
  @NotNullWhenGiven()
  @IsString({ message: 'must not be null' })
  @Matches(/\S/, { message: 'must not be empty' })
  @MaxLength(200)
  name?: string;

  @Field(() => Int, { nullable: true })
  @NotNullWhenGiven()
  @IsInt({ message: 'must be a whole number' })
  sortOrder?: number;

  @Field({ nullable: true })
  @NotNullWhenGiven()
  @IsBoolean({ message: 'must be true or false' })
  closed?: boolean;

  @Field({ nullable: true })
  @NotNullWhenGiven()
  @IsBoolean({ message: 'must be true or false' })
  isInitial?: boolean;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Matches(/^#[0-9a-fA-F]{3,8}$/, { message: 'must be a colour like #d32f2f' })
  color?: string | null;

  @Field(() => [ID], { nullable: true, description: 'Replaces the list; empty allows any.' })
  @IsOptional()
  @ArrayMaxSize(200)
  allowedNextStageIds?: string[];

  @Field({ nullable: true })
  @NotNullWhenGiven()
  @IsBoolean({ message: 'must be true or false' })
  active?: boolean;
}

@InputType()
export class ServiceStageFilter {
  @Field({ nullable: true })
  @IsOptional()
  @MaxLength(200)
  search?: string;

  @Field({ nullable: true })
  @IsOptional()
  closed?: boolean;

  @Field({ nullable: true })
  @IsOptional()
  active?: boolean;

  @Field({ nullable: true, defaultValue: false })
  @IsOptional()
  includeArchived?: boolean;
}

export enum ServiceStageSortField {
  sortOrder = 'sortOrder',
  name = 'name',
  createdAt = 'createdAt',
}
registerEnumType(ServiceStageSortField, { name: 'ServiceStageSortField' });

export const ServiceStageSort = SortOf(ServiceStageSortField, 'ServiceStageSort');
export type ServiceStageSort = InstanceType<typeof ServiceStageSort>;
