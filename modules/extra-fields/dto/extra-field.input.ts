import { ArrayMaxSize, IsBoolean, IsEnum, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { GraphQLJSON } from 'graphql-scalars';
import { Field, ID, InputType, Int, registerEnumType } from 'type-graphql';
import { SortOf } from '../../../api/pagination';
import { ExtraFieldTarget, ExtraFieldType } from '../entities/extra-field-definition.entity';

@InputType()
export class CreateExtraFieldInput {
  @Field(() => ExtraFieldTarget)
  @IsEnum(ExtraFieldTarget)
  target!: ExtraFieldTarget;

  @Field()
  @Matches(/^[a-z][a-z0-9_]{0,49}$/, { message: 'must be lower-case letters, digits and _, starting with a letter' })
  key!: string;

  @Field()
  @IsString()
  @Matches(/\S/, { message: 'must not be empty' })
  @MaxLength(200)
  label!: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(2000)
  description?: string | null;

  @Field(() => ExtraFieldType)
  @IsEnum(ExtraFieldType)
  type!: ExtraFieldType;

  @Field({ nullable: true })
  @IsOptional()
  @IsBoolean()
  required?: boolean;

  @Field(() => [String], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(500)
  @MaxLength(200, { each: true })
  options?: string[];

  @Field(() => [ID], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(500)
  categoryIds?: string[];

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

@InputType({ description: 'The key, target and type of a field cannot change once values exist; create a new field instead.' })
export class UpdateExtraFieldInput {
  @Field({ nullable: true })
  @IsOptional()
  @IsString()
  @Matches(/\S/, { message: 'must not be empty' })
  @MaxLength(200)
  label?: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(2000)
  description?: string | null;

  @Field({ nullable: true })
  @IsOptional()
  @IsBoolean()
  required?: boolean;

  @Field(() => [String], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(500)
  @MaxLength(200, { each: true })
  options?: string[];

  @Field(() => [ID], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(500)
  categoryIds?: string[];

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
export class ExtraFieldFilter {
  @Field(() => ExtraFieldTarget, { nullable: true })
  @IsOptional()
  target?: ExtraFieldTarget;

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

export enum ExtraFieldSortField {
  sortOrder = 'sortOrder',
  label = 'label',
  key = 'key',
}
registerEnumType(ExtraFieldSortField, { name: 'ExtraFieldSortField' });

export const ExtraFieldSort = SortOf(ExtraFieldSortField, 'ExtraFieldSort');
export type ExtraFieldSort = InstanceType<typeof ExtraFieldSort>;

/** A condition on one extra field of a list's records. */
@InputType({ description: 'Matches records whose extra field `key` equals, is one of, or (numbers/dates) lies within the bounds.' })
export class ExtraValueFilter {
  @Field()
  @Matches(/^[a-z][a-z0-9_]{0,49}$/, { message: 'must be an extra field key' })
  key!: string;

  @Field(() => GraphQLJSON, { nullable: true, description: 'Equal to (for MULTIPLE_CHOICE: contains this choice).' })
  @IsOptional()
  equals?: unknown;

  @Field(() => [GraphQLJSON], { nullable: true, description: 'Equal to one of these.' })
  @IsOptional()
  @ArrayMaxSize(100)
  in?: unknown[];

  @Field(() => String, { nullable: true, description: 'At least (NUMBER or DATE).' })
  @IsOptional()
  @MaxLength(40)
  gte?: string;

  @Field(() => String, { nullable: true, description: 'At most (NUMBER or DATE).' })
  @IsOptional()
  @MaxLength(40)
  lte?: string;
}
