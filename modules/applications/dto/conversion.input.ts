import { IsNumber, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { LocalDateResolver } from 'graphql-scalars';
import { Field, Float, ID, InputType, Int } from 'type-graphql';
import { Currency } from '../../opportunities/entities/opportunity.entity';
import { AssigneeInput } from './application.input';

@InputType({ description: "Overrides for the service request; everything else comes from the application." })
export class ServiceRequestFromApplicationInput {
  @Field({ nullable: true, description: "The application's subject when absent." })
  @IsOptional()
  @IsString()
  @Matches(/\S/, { message: 'must not be empty' })
  @MaxLength(500)
  subject?: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(100_000)
  detail?: string | null;

  @Field(() => ID, { nullable: true })
  @IsOptional()
  priorityId?: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(300)
  product?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(100)
  serialNumber?: string | null;

  @Field(() => LocalDateResolver, { nullable: true })
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}$/)
  plannedDate?: string | null;

  @Field(() => AssigneeInput, { nullable: true })
  @IsOptional()
  assignee?: AssigneeInput;
}

@InputType({ description: 'The opportunity; account, contact, campaign and project come from the application.' })
export class OpportunityFromApplicationInput {
  @Field({ nullable: true, description: "The application's subject when absent." })
  @IsOptional()
  @IsString()
  @Matches(/\S/, { message: 'must not be empty' })
  @MaxLength(300)
  title?: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(100_000)
  description?: string | null;

  @Field(() => Float, { nullable: true })
  @IsOptional()
  @IsNumber()
  @Min(0, { message: 'must not be negative' })
  @Max(999_999_999_999.99)
  expectedAmount?: number;

  @Field(() => Currency, { nullable: true })
  @IsOptional()
  currency?: Currency;

  @Field(() => Int, { nullable: true })
  @IsOptional()
  @Min(0)
  @Max(100)
  probability?: number;

  @Field(() => LocalDateResolver, { nullable: true })
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}$/)
  expectedCloseDate?: string;
}
