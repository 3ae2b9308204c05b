import { ArrayMaxSize, IsBoolean, IsEnum, IsInt, IsNumber, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { LocalDateResolver } from 'graphql-scalars';
import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { SortOf } from '../../../api/pagination';
import { NotNullWhenGiven } from '../../../api/validation';
import { Currency } from '../entities/opportunity.entity';
import { SalesStage, SalesStageOutcome } from '../entities/sales-stage.entity';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
/** numeric(14,2): below 10^12. */
export const MAX_AMOUNT = 999_999_999_999.99;


@InputType()
export class CreateOpportunityInput {
  @Field(() => ID)
  accountId!: string;

  @Field(() => ID, { nullable: true, description: 'A contact of the account.' })
  @IsOptional()
  contactId?: string | null;

  @Field()
  @IsString()
  @Matches(/\S/, { message: 'must not be empty' })
  @MaxLength(300)
  title!: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(100_000)
  description?: string | null;

  @Field(() => Float, { nullable: true, description: '0 when absent; two decimals.' })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0, { message: 'must not be negative' })
  @Max(MAX_AMOUNT)
  expectedAmount?: number | null;

  @Field(() => Currency, { nullable: true, description: 'TRY when absent.' })
  @IsOptional()
  @IsEnum(Currency)
  currency?: Currency | null;

  @Field(() => Int, { nullable: true, description: "0-100; the stage's default when absent." })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(100)
  probability?: number | null;

  @Field(() => ID, { nullable: true, description: 'The first open stage when absent.' })
  @IsOptional()
  stageId?: string | null;

  @Field(() => LocalDateResolver, { nullable: true })
  @IsOptional()
  @Matches(DATE)
  expectedCloseDate?: string | null;

  @Field(() => ID, { nullable: true, description: 'The creator when absent.' })
  @IsOptional()
  ownerId?: string | null;

  @Field(() => ID, { nullable: true })
  @IsOptional()
  campaignId?: string | null;

  @Field(() => ID, { nullable: true })
  @IsOptional()
  projectId?: string | null;
}

@InputType({ description: 'Only the fields given change. The stage has its own operation.' })
export class UpdateOpportunityInput {
  @Field(() => ID, { nullable: true, description: 'Changing the account re-checks the contact.' })
  @NotNullWhenGiven()
  @IsString({ message: 'must not be null' })
  accountId?: string;

  @Field(() => ID, { nullable: true })
  @IsOptional()
  contactId?: string | null;

  @Field({ nullable: true })
  @NotNullWhenGiven()
  @IsString({ message: 'must not be null' })
  @Matches(/\S/, { message: 'must not be empty' })
  @MaxLength(300)
  title?: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(100_000)
  description?: string | null;

  @Field(() => Float, { nullable: true })
  @NotNullWhenGiven()
  @IsNumber({ allowNaN: false, allowInfinity: false }, { message: 'must be a number' })
  @Min(0, { message: 'must not be negative' })
  @Max(MAX_AMOUNT)
  expectedAmount?: number;

  @Field(() => Currency, { nullable: true })
  @NotNullWhenGiven()
  @IsEnum(Currency)
  currency?: Currency;

  @Field(() => Int, { nullable: true })
  @NotNullWhenGiven()
  @IsInt({ message: 'must be a whole number' })
  @Min(0)
  @Max(100)
  probability?: number;

  @Field(() => LocalDateResolver, { nullable: true })
  @IsOptional()
  @Matches(DATE)
  expectedCloseDate?: string | null;

  @Field(() => ID, { nullable: true, description: 'null leaves it without an owner.' })
  @IsOptional()
  ownerId?: string | null;

  @Field(() => ID, { nullable: true })
  @IsOptional()
  campaignId?: string | null;

  @Field(() => ID, { nullable: true })
  @IsOptional()
  projectId?: string | null;
}

@InputType({ description: 'A range of days, both ends included.' })
export class OpportunityDateRange {
  @Field(() => LocalDateResolver, { nullable: true })
  @IsOptional()
  @Matches(DATE)
  from?: string;

  @Field(() => LocalDateResolver, { nullable: true, description: 'Inclusive.' })
  @IsOptional()
  @Matches(DATE)
  to?: string;
}

@InputType({ description: 'A range of expected amounts, both ends included (whatever the currency).' })
export class OpportunityAmountRange {
  @Field(() => Float, { nullable: true })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  min?: number;

  @Field(() => Float, { nullable: true })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  max?: number;
}

@InputType()
export class OpportunityFilter {
  @Field({ nullable: true, description: 'Title or description contains (Turkish-aware: İ/i, I/ı, ş/s...).' })
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

  @Field(() => [ID], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(100)
  stageIds?: string[];

  @Field(() => [ID], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(100)
  ownerIds?: string[];

  @Field(() => SalesStageOutcome, { nullable: true, description: 'Opportunities in stages with this outcome.' })
  @IsOptional()
  outcome?: SalesStageOutcome;

  @Field(() => Currency, { nullable: true })
  @IsOptional()
  currency?: Currency;

  @Field(() => OpportunityDateRange, { nullable: true })
  @IsOptional()
  expectedCloseDate?: OpportunityDateRange;

  @Field(() => OpportunityAmountRange, { nullable: true })
  @IsOptional()
  amount?: OpportunityAmountRange;

  @Field(() => [ID], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(100)
  campaignIds?: string[];

  @Field(() => [ID], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(100)
  projectIds?: string[];

  @Field({ nullable: true, defaultValue: false })
  @IsOptional()
  includeArchived?: boolean;
}

export enum OpportunitySortField {
  title = 'title',
  expectedAmount = 'expectedAmount',
  expectedCloseDate = 'expectedCloseDate',
  createdAt = 'createdAt',
  stage = 'stage',
}
registerEnumType(OpportunitySortField, { name: 'OpportunitySortField', description: 'stage sorts by the stage\'s position in the pipeline.' });

export const OpportunitySort = SortOf(OpportunitySortField, 'OpportunitySort');
export type OpportunitySort = InstanceType<typeof OpportunitySort>;

@ObjectType({ description: 'An amount in one currency.' })
export class CurrencyAmount {
  @Field(() => Currency)
  currency!: Currency;

  @Field(() => Float)
  amount!: number;
}

@ObjectType({ description: 'One stage of the pipeline: its opportunities (those you may read, matching the filter) and their amounts per currency.' })
export class OpportunityPipelineStage {
  /** The stage row (resolved for GraphQL through `stage`). */
  stageRef!: SalesStage;

  @Field(() => Int)
  count!: number;

  @Field(() => [CurrencyAmount], { description: 'Sum of expected amounts, per currency.' })
  totalAmount!: CurrencyAmount[];

  @Field(() => [CurrencyAmount], { description: 'Sum of expected amount × probability / 100, per currency.' })
  weightedAmount!: CurrencyAmount[];
}

// ---- sales stages ----
@InputType()
export class CreateSalesStageInput {
  @Field()
  @IsString()
  @Matches(/\S/, { message: 'must not be empty' })
  @MaxLength(200)
  name!: string;

  @Field(() => Int, { nullable: true })
  @NotNullWhenGiven()
  @IsInt({ message: 'must be a whole number' })
  @Min(-1_000_000)
  @Max(1_000_000)
  sortOrder?: number;

  @Field(() => Int, { nullable: true, description: 'Default probability (0-100) of opportunities entering it; 0 when absent.' })
  @NotNullWhenGiven()
  @IsInt({ message: 'must be a whole number' })
  @Min(0)
  @Max(100)
  probability?: number;

  @Field(() => SalesStageOutcome, { nullable: true, description: 'OPEN when absent.' })
  @NotNullWhenGiven()
  @IsEnum(SalesStageOutcome)
  outcome?: SalesStageOutcome;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Matches(/^#[0-9a-fA-F]{3,8}$/, { message: 'must be a colour like #d32f2f' })
  color?: string | null;

  @Field({ nullable: true })
  @NotNullWhenGiven()
  @IsBoolean({ message: 'must be true or false' })
  active?: boolean;
}

@InputType()
export class UpdateSalesStageInput {
  @Field({ nullable: true })
  @NotNullWhenGiven()
  @IsString({ message: 'must not be null' })
  @Matches(/\S/, { message: 'must not be empty' })
  @MaxLength(200)
  name?: string;

  @Field(() => Int, { nullable: true })
  @NotNullWhenGiven()
  @IsInt({ message: 'must be a whole number' })
  @Min(-1_000_000)
  @Max(1_000_000)
  sortOrder?: number;

  @Field(() => Int, { nullable: true, description: 'Changes the default for opportunities entering it later, not the existing ones.' })
  @NotNullWhenGiven()
  @IsInt({ message: 'must be a whole number' })
  @Min(0)
  @Max(100)
  probability?: number;

  @Field(() => SalesStageOutcome, { nullable: true })
  @NotNullWhenGiven()
  @IsEnum(SalesStageOutcome)
  outcome?: SalesStageOutcome;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Matches(/^#[0-9a-fA-F]{3,8}$/, { message: 'must be a colour like #d32f2f' })
  color?: string | null;

  @Field({ nullable: true })
  @NotNullWhenGiven()
  @IsBoolean({ message: 'must be true or false' })
  active?: boolean;
}

@InputType()
export class SalesStageFilter {
  @Field({ nullable: true })
  @IsOptional()
  @MaxLength(200)
  search?: string;

  @Field(() => SalesStageOutcome, { nullable: true })
  @IsOptional()
  outcome?: SalesStageOutcome;

  @Field({ nullable: true })
  @IsOptional()
  active?: boolean;

  @Field({ nullable: true, defaultValue: false })
  @IsOptional()
  includeArchived?: boolean;
}

export enum SalesStageSortField {
  sortOrder = 'sortOrder',
  name = 'name',
  createdAt = 'createdAt',
}
registerEnumType(SalesStageSortField, { name: 'SalesStageSortField' });

export const SalesStageSort = SortOf(SalesStageSortField, 'SalesStageSort');
export type SalesStageSort = InstanceType<typeof SalesStageSort>;
