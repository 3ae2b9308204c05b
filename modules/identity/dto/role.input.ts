import { ArrayMaxSize, IsBoolean, IsIn, IsOptional, IsString, Matches, MaxLength, ValidateNested } from 'class-validator';
import { Field, InputType, ObjectType } from 'type-graphql';
import { SCOPES } from '../../../api/module';

@ObjectType('Grant', { description: 'One permission: an action on a subject over a scope of records (own, team, all).' })
@InputType('GrantInput')
export class GrantInput {
  @Field({ description: 'A subject such as Application, User, Team; "all" for every subject.' })
  @IsString()
  @MaxLength(100)
  subject!: string;

  @Field({ description: 'read, create, update, archive, or manage (every action); modules may add more.' })
  @IsString()
  @MaxLength(100)
  action!: string;

  @Field({ defaultValue: 'all', description: 'own, team or all.' })
  @IsIn(SCOPES, { message: 'must be one of own, team, all' })
  scope!: 'own' | 'team' | 'all';

  @Field(() => [String], { nullable: true, description: 'Only these fields; absent means every field.' })
  @IsOptional()
  @ArrayMaxSize(200)
  fields?: string[];

  @Field({ nullable: true, defaultValue: false, description: 'A denial that overrides permissions.' })
  @IsOptional()
  @IsBoolean()
  inverted?: boolean;
}

@InputType()
export class CreateRoleInput {
  @Field()
  @IsString()
  @Matches(/\S/, { message: 'must not be empty' })
  @MaxLength(200)
  name!: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(5000)
  description?: string | null;

  @Field(() => [GrantInput])
  @ArrayMaxSize(500)
  @ValidateNested({ each: true })
  grants!: GrantInput[];
}

@InputType()
export class UpdateRoleInput {
  @Field({ nullable: true })
  @IsOptional()
  @IsString()
  @Matches(/\S/, { message: 'must not be empty' })
  @MaxLength(200)
  name?: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(5000)
  description?: string | null;

  @Field(() => [GrantInput], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(500)
  @ValidateNested({ each: true })
  grants?: GrantInput[];
}
