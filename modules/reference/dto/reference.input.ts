import { IsBoolean, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { LocalDateResolver } from 'graphql-scalars';
import { Field, InputType, Int, registerEnumType } from 'type-graphql';
import { SortOf } from '../../../api/pagination';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

@InputType()
export class NamedCreateInput {
  @Field()
  @IsString()
  @Matches(/\S/, { message: 'must not be empty' })
  @MaxLength(200)
  name!: string;

  @Field(() => Int, { nullable: true })
  @IsOptional()
  @IsInt()
  @Min(-1_000_000)
  @Max(1_000_000)
  sortOrder?: number;

  @Field({ nullable: true })
  @IsOptional()
  @IsBoolean()
  active?: boolean;
}

@InputType()
export class NamedUpdateInput {
  @Field({ nullable: true })
  @IsOptional()
  @IsString()
  @Matches(/\S/, { message: 'must not be empty' })
  @MaxLength(200)
  name?: string;

  @Field(() => Int, { nullable: true })
  @IsOptional()
  @IsInt()
  @Min(-1_000_000)
  @Max(1_000_000)
  sortOrder?: number;

  @Field({ nullable: true })
  @IsOptional()
  @IsBoolean()
  active?: boolean;
}

@InputType({ description: 'Filters shared by the reference lists.' })
export class ReferenceFilter {
  @Field({ nullable: true, description: 'Name (or code) contains, Turkish-aware.' })
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

export enum ReferenceSortField {
  name = 'name',
  sortOrder = 'sortOrder',
  createdAt = 'createdAt',
}
registerEnumType(ReferenceSortField, { name: 'ReferenceSortField' });

export const ReferenceSort = SortOf(ReferenceSortField, 'ReferenceSort');
export type ReferenceSort = InstanceType<typeof ReferenceSort>;

// ---- priorities ----
@InputType()
export class CreatePriorityInput extends NamedCreateInput {
  @Field(() => String, { nullable: true })
  @IsOptional()
  @Matches(/^#[0-9a-fA-F]{3,8}$/, { message: 'must be a colour like #d32f2f' })
  color?: string | null;

  @Field({ nullable: true })
  @IsOptional()
  @IsBoolean()
  isDefault?: boolean;
}

@InputType()
export class UpdatePriorityInput extends NamedUpdateInput {
  @Field(() => String, { nullable: true })
  @IsOptional()
  @Matches(/^#[0-9a-fA-F]{3,8}$/, { message: 'must be a colour like #d32f2f' })
  color?: string | null;

  @Field({ nullable: true })
  @IsOptional()
  @IsBoolean()
  isDefault?: boolean;
}

// ---- contact channels ----
@InputType()
export class CreateContactChannelInput extends NamedCreateInput {
  @Field()
  @Matches(/^[a-z][a-z0-9_]{1,49}$/, { message: 'must be lower-case letters, digits and _ (e.g. web_form)' })
  code!: string;

  @Field({ nullable: true })
  @IsOptional()
  @IsBoolean()
  isDefault?: boolean;
}

@InputType()
export class UpdateContactChannelInput extends NamedUpdateInput {
  @Field({ nullable: true })
  @IsOptional()
  @Matches(/^[a-z][a-z0-9_]{1,49}$/, { message: 'must be lower-case letters, digits and _ (e.g. web_form)' })
  code?: string;

  @Field({ nullable: true })
  @IsOptional()
  @IsBoolean()
  isDefault?: boolean;
}

// ---- branches ----
@InputType()
export class CreateBranchInput extends NamedCreateInput {
  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(50)
  code?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(100)
  city?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Matches(/^\+?[0-9 ()-]{3,40}$/, { message: 'must be a phone number' })
  phone?: string | null;
}

@InputType()
export class UpdateBranchInput extends NamedUpdateInput {
  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(50)
  code?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(100)
  city?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Matches(/^\+?[0-9 ()-]{3,40}$/, { message: 'must be a phone number' })
  phone?: string | null;
}

// ---- projects and campaigns (same shape) ----
@InputType()
export class CreateProjectInput extends NamedCreateInput {
  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(50)
  code?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(10_000)
  description?: string | null;

  @Field(() => LocalDateResolver, { nullable: true })
  @IsOptional()
  @Matches(DATE)
  startDate?: string | null;

  @Field(() => LocalDateResolver, { nullable: true })
  @IsOptional()
  @Matches(DATE)
  endDate?: string | null;
}

@InputType()
export class UpdateProjectInput extends NamedUpdateInput {
  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(50)
  code?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(10_000)
  description?: string | null;

  @Field(() => LocalDateResolver, { nullable: true })
  @IsOptional()
  @Matches(DATE)
  startDate?: string | null;

  @Field(() => LocalDateResolver, { nullable: true })
  @IsOptional()
  @Matches(DATE)
  endDate?: string | null;
}

@InputType()
export class CreateCampaignInput extends CreateProjectInput {}

@InputType()
export class UpdateCampaignInput extends UpdateProjectInput {}
