import { ArrayMaxSize, IsBoolean, IsDate, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { GraphQLJSONObject, LocalDateResolver } from 'graphql-scalars';
import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { SortOf } from '../../../api/pagination';
import { NotNullWhenGiven } from '../../../api/validation';
import { ExtraValueFilter } from '../../extra-fields/dto/extra-field.input';
import { Application } from '../entities/application.entities';

@InputType({ description: 'Who works on it: a user, a team (or a user of that team), or everyone. Nothing given means unassigned.' })
export class AssigneeInput {
  @Field(() => ID, { nullable: true })
  @IsOptional()
  userId?: string | null;

  @Field(() => ID, { nullable: true })
  @IsOptional()
  teamId?: string | null;

  @Field({ nullable: true, defaultValue: false })
  @IsOptional()
  @IsBoolean()
  everyone?: boolean;
}

@InputType()
export class CreateApplicationInput {
  @Field(() => ID, { description: 'The applicant account (başvuru yapan).' })
  applicantId!: string;

  @Field(() => ID, { nullable: true, description: 'A contact of the applicant who reported it.' })
  @IsOptional()
  reporterId?: string | null;

  @Field(() => ID, { nullable: true })
  @IsOptional()
  branchId?: string | null;

  @Field(() => ID, { nullable: true, description: 'Default priority when absent.' })
  @IsOptional()
  priorityId?: string | null;

  @Field(() => ID, { nullable: true, description: 'The initial stage when absent.' })
  @IsOptional()
  stageId?: string | null;

  @Field(() => ID)
  categoryId!: string;

  @Field(() => ID, { nullable: true, description: 'Must be under the category.' })
  @IsOptional()
  subcategoryId?: string | null;

  @Field(() => ID, { nullable: true, description: 'Must be under the subcategory (any depth).' })
  @IsOptional()
  treeCategoryId?: string | null;

  @Field(() => ID, { nullable: true, description: 'Default channel when absent.' })
  @IsOptional()
  channelId?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(100)
  referenceNo?: string | null;

  @Field(() => Date, { nullable: true, description: 'Now when absent.' })
  @IsOptional()
  @IsDate()
  applicationDate?: Date;

  @Field(() => Date, { nullable: true })
  @IsOptional()
  @IsDate()
  acceptanceDate?: Date | null;

  @Field(() => AssigneeInput, { nullable: true })
  @IsOptional()
  assignee?: AssigneeInput;

  @Field(() => ID, { nullable: true, description: "The applicant region's responsible when absent." })
  @IsOptional()
  responsibleId?: string | null;

  @Field(() => ID, { nullable: true })
  @IsOptional()
  projectId?: string | null;

  @Field(() => ID, { nullable: true })
  @IsOptional()
  campaignId?: string | null;

  @Field(() => ID, { nullable: true, description: "One of the applicant's subscriptions." })
  @IsOptional()
  subscriptionId?: string | null;

  @Field(() => GraphQLJSONObject, { nullable: true })
  @IsOptional()
  extra?: Record<string, unknown>;

  @Field()
  @IsString()
  @Matches(/\S/, { message: 'must not be empty' })
  @MaxLength(500)
  subject!: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(100_000)
  detail?: string | null;
}

@InputType({ description: 'Only the fields given change. Stage and assignee have their own operations.' })
export class UpdateApplicationInput {
  @Field(() => ID, { nullable: true })
  @NotNullWhenGiven()
  applicantId?: string;

  @Field(() => ID, { nullable: true })
  @IsOptional()
  reporterId?: string | null;

  @Field(() => ID, { nullable: true })
  @IsOptional()
  branchId?: string | null;

  @Field(() => ID, { nullable: true })
  @NotNullWhenGiven()
  priorityId?: string;

  @Field(() => ID, { nullable: true })
  @NotNullWhenGiven()
  categoryId?: string;

  @Field(() => ID, { nullable: true })
  @IsOptional()
  subcategoryId?: string | null;

  @Field(() => ID, { nullable: true })
  @IsOptional()
  treeCategoryId?: string | null;

  @Field(() => ID, { nullable: true })
  @NotNullWhenGiven()
  channelId?: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(100)
  referenceNo?: string | null;

  @Field(() => Date, { nullable: true })
  @NotNullWhenGiven()
  @IsDate()
  applicationDate?: Date;

  @Field(() => Date, { nullable: true })
  @IsOptional()
  @IsDate()
  acceptanceDate?: Date | null;

  @Field(() => ID, { nullable: true })
  @IsOptional()
  responsibleId?: string | null;

  @Field(() => ID, { nullable: true })
  @IsOptional()
  projectId?: string | null;

  @Field(() => ID, { nullable: true })
  @IsOptional()
  campaignId?: string | null;

  @Field(() => ID, { nullable: true })
  @IsOptional()
  subscriptionId?: string | null;

  @Field(() => GraphQLJSONObject, { nullable: true, description: 'Merged into the current values; null clears a key.' })
  @NotNullWhenGiven()
  extra?: Record<string, unknown>;

  @Field({ nullable: true })
  @NotNullWhenGiven()
  @IsString()
  @Matches(/\S/, { message: 'must not be empty' })
  @MaxLength(500)
  subject?: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(100_000)
  detail?: string | null;
}

@InputType()
export class FollowUpInput {
  @Field()
  @IsString()
  @Matches(/\S/, { message: 'must not be empty' })
  @MaxLength(50_000)
  text!: string;

  @Field(() => Date, { nullable: true, description: 'Now when absent.' })
  @IsOptional()
  @IsDate()
  notedAt?: Date;
}

@InputType()
export class TimeEntryInput {
  @Field(() => Int, { description: '1 to 1440; one user\'s entries on one day may not exceed 24 hours.' })
  @IsInt()
  @Min(1, { message: 'must be at least 1 minute' })
  @Max(1440, { message: 'must be at most 1440 minutes (24 hours)' })
  minutes!: number;

  @Field(() => LocalDateResolver, { nullable: true, description: 'Today when absent.' })
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}$/)
  date?: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(5000)
  note?: string | null;

  @Field(() => ID, { nullable: true, description: 'Who spent it; the signed-in user when absent (others need assign rights).' })
  @IsOptional()
  userId?: string;
}

@InputType()
export class DateRange {
  @Field(() => Date, { nullable: true })
  @IsOptional()
  @IsDate()
  from?: Date;

  @Field(() => Date, { nullable: true, description: 'Exclusive.' })
  @IsOptional()
  @IsDate()
  to?: Date;
}

@InputType()
export class ApplicationFilter {
  @Field({ nullable: true, description: 'Number, subject, detail or applicant name contains (Turkish-aware: İ/i, I/ı, ş/s...).' })
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
  applicantIds?: string[];

  @Field(() => ID, { nullable: true })
  @IsOptional()
  reporterId?: string;

  @Field(() => [ID], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(100)
  branchIds?: string[];

  @Field(() => [ID], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(100)
  priorityIds?: string[];

  @Field(() => [ID], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(100)
  stageIds?: string[];

  @Field({ nullable: true, description: 'true: in a closed stage; false: open.' })
  @IsOptional()
  closed?: boolean;

  @Field(() => [ID], { nullable: true, description: 'Any level; each includes its whole subtree.' })
  @IsOptional()
  @ArrayMaxSize(100)
  categoryIds?: string[];

  @Field(() => [ID], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(100)
  channelIds?: string[];

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
  responsibleId?: string;

  @Field(() => [ID], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(100)
  projectIds?: string[];

  @Field(() => [ID], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(100)
  campaignIds?: string[];

  @Field(() => ID, { nullable: true })
  @IsOptional()
  subscriptionId?: string;

  @Field(() => ID, { nullable: true })
  @IsOptional()
  createdById?: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(100)
  referenceNo?: string;

  @Field(() => DateRange, { nullable: true })
  @IsOptional()
  applicationDate?: DateRange;

  @Field(() => DateRange, { nullable: true })
  @IsOptional()
  acceptanceDate?: DateRange;

  @Field(() => DateRange, { nullable: true })
  @IsOptional()
  closedAt?: DateRange;

  @Field(() => DateRange, { nullable: true })
  @IsOptional()
  createdAt?: DateRange;

  @Field(() => [ExtraValueFilter], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(20)
  extra?: ExtraValueFilter[];

  @Field({ nullable: true, defaultValue: false })
  @IsOptional()
  includeArchived?: boolean;
}

export enum ApplicationSortField {
  number = 'number',
  subject = 'subject',
  applicationDate = 'applicationDate',
  acceptanceDate = 'acceptanceDate',
  createdAt = 'createdAt',
  updatedAt = 'updatedAt',
  closedAt = 'closedAt',
  referenceNo = 'referenceNo',
  followUpCount = 'followUpCount',
  timeSpentMinutes = 'timeSpentMinutes',
  priority = 'priority',
  stage = 'stage',
  applicant = 'applicant',
  category = 'category',
}
registerEnumType(ApplicationSortField, { name: 'ApplicationSortField' });

export const ApplicationSort = SortOf(ApplicationSortField, 'ApplicationSort');
export type ApplicationSort = InstanceType<typeof ApplicationSort>;

@ObjectType()
export class SimilarApplication {
  @Field(() => Application)
  application!: Application;

  @Field({ description: 'Trigram similarity of the subjects, 0 to 1.' })
  similarity!: number;
}

@ObjectType()
export class ApplicationEvent {
  @Field({ description: 'created, changed, stageChanged, assigned, followUpAdded, timeAdded or archived' })
  kind!: string;

  @Field(() => Application)
  application!: Application;
}

// ---- stages and categories ----
@InputType()
export class CreateProcessStageInput {
  @Field()
  @IsString()
  @Matches(/\S/, { message: 'must not be empty' })
  @MaxLength(200)
  name!: string;

  @Field(() => Int, { nullable: true })
  @IsOptional()
  @IsInt()
  sortOrder?: number;

  @Field({ nullable: true })
  @IsOptional()
  @IsBoolean()
  closed?: boolean;

  @Field({ nullable: true })
  @IsOptional()
  @IsBoolean()
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
  @IsOptional()
  @IsBoolean()
  active?: boolean;
}

@InputType()
export class UpdateProcessStageInput {
  @Field({ nullable: true })
  @NotNullWhenGiven()
  @IsString()
  @Matches(/\S/, { message: 'must not be empty' })
  @MaxLength(200)
  name?: string;

  @Field(() => Int, { nullable: true })
  @NotNullWhenGiven()
  @IsInt()
  sortOrder?: number;

  @Field({ nullable: true })
  @NotNullWhenGiven()
  @IsBoolean()
  closed?: boolean;

  @Field({ nullable: true })
  @NotNullWhenGiven()
  @IsBoolean()
  isInitial?: boolean;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Matches(/^#[0-9a-fA-F]{3,8}$/, { message: 'must be a colour like #d32f2f' })
  color?: string | null;

  @Field(() => [ID], { nullable: true })
  @NotNullWhenGiven()
  @ArrayMaxSize(200)
  allowedNextStageIds?: string[];

  @Field({ nullable: true })
  @NotNullWhenGiven()
  @IsBoolean()
  active?: boolean;
}

@InputType()
export class CreateCategoryInput {
  @Field()
  @IsString()
  @Matches(/\S/, { message: 'must not be empty' })
  @MaxLength(200)
  name!: string;

  @Field(() => ID, { nullable: true, description: 'None for a level 1 category.' })
  @IsOptional()
  parentId?: string | null;

  @Field(() => Int, { nullable: true })
  @IsOptional()
  @IsInt()
  sortOrder?: number;

  @Field({ nullable: true })
  @IsOptional()
  @IsBoolean()
  active?: boolean;
}

@InputType({ description: 'Moving (parentId) keeps the depth: a node moves under another node of its parent\'s level.' })
export class UpdateCategoryInput {
  @Field({ nullable: true })
  @NotNullWhenGiven()
  @IsString()
  @Matches(/\S/, { message: 'must not be empty' })
  @MaxLength(200)
  name?: string;

  @Field(() => ID, { nullable: true })
  @IsOptional()
  parentId?: string | null;

  @Field(() => Int, { nullable: true })
  @NotNullWhenGiven()
  @IsInt()
  sortOrder?: number;

  @Field({ nullable: true, description: 'Inactive nodes cannot be chosen for new applications; existing ones keep them.' })
  @NotNullWhenGiven()
  @IsBoolean()
  active?: boolean;
}

@InputType()
export class CategoryFilter {
  @Field(() => ID, { nullable: true, description: 'Children of this node.' })
  @IsOptional()
  parentId?: string;

  @Field(() => Int, { nullable: true })
  @IsOptional()
  @IsInt()
  level?: number;

  @Field({ nullable: true })
  @IsOptional()
  @MaxLength(200)
  search?: string;

  @Field({ nullable: true })
  @IsOptional()
  active?: boolean;

  @Field({ nullable: true, defaultValue: false })
  @IsOptional()
  includeArchived?: boolean;
}

export enum ClassificationSortField {
  sortOrder = 'sortOrder',
  name = 'name',
  level = 'level',
}
registerEnumType(ClassificationSortField, { name: 'ClassificationSortField' });

export const ClassificationSort = SortOf(ClassificationSortField, 'ClassificationSort');
export type ClassificationSort = InstanceType<typeof ClassificationSort>;

@InputType()
export class ProcessStageFilter {
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
