import { ArrayMaxSize, IsBoolean, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { Field, InputType, registerEnumType } from 'type-graphql';
import { SortOf } from '../../../api/pagination';

@InputType()
export class CreateContentInput {
  @Field()
  @IsString()
  @Matches(/\S/, { message: 'must not be empty' })
  @MaxLength(300)
  title!: string;

  @Field()
  @IsString()
  @Matches(/\S/, { message: 'must not be empty' })
  @MaxLength(200_000)
  body!: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(200)
  category?: string | null;

  @Field(() => [String], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(50)
  @MaxLength(100, { each: true })
  tags?: string[];

  @Field({ nullable: true })
  @IsOptional()
  @IsBoolean()
  published?: boolean;
}

@InputType()
export class UpdateContentInput {
  @Field({ nullable: true })
  @IsOptional()
  @IsString()
  @Matches(/\S/, { message: 'must not be empty' })
  @MaxLength(300)
  title?: string;

  @Field({ nullable: true })
  @IsOptional()
  @IsString()
  @Matches(/\S/, { message: 'must not be empty' })
  @MaxLength(200_000)
  body?: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(200)
  category?: string | null;

  @Field(() => [String], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(50)
  @MaxLength(100, { each: true })
  tags?: string[];

  @Field({ nullable: true })
  @IsOptional()
  @IsBoolean()
  published?: boolean;
}

@InputType()
export class ContentFilter {
  @Field({ nullable: true, description: 'Title or body contains (Turkish-aware).' })
  @IsOptional()
  @MaxLength(200)
  search?: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(200)
  category?: string;

  @Field(() => [String], { nullable: true, description: 'Has all these tags.' })
  @IsOptional()
  @ArrayMaxSize(20)
  tags?: string[];

  @Field({ nullable: true })
  @IsOptional()
  published?: boolean;

  @Field({ nullable: true, defaultValue: false })
  @IsOptional()
  includeArchived?: boolean;
}

export enum ContentSortField {
  title = 'title',
  createdAt = 'createdAt',
  updatedAt = 'updatedAt',
}
registerEnumType(ContentSortField, { name: 'ContentSortField' });

export const ContentSort = SortOf(ContentSortField, 'ContentSort');
export type ContentSort = InstanceType<typeof ContentSort>;
