import { ArrayMaxSize, IsBoolean, IsEmail, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { Field, ID, InputType, registerEnumType } from 'type-graphql';
import { SortOf } from '../../../api/pagination';

const PHONE = /^\+?[0-9 ()-]{3,40}$/;

@InputType()
export class CreateUserInput {
  @Field()
  @IsString()
  @Matches(/\S/, { message: 'must not be empty' })
  @MaxLength(200)
  name!: string;

  @Field()
  @IsEmail({}, { message: 'must be a valid e-mail address' })
  @MaxLength(320)
  email!: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Matches(PHONE, { message: 'must be a phone number (digits, spaces, + ( ) -)' })
  phone?: string | null;

  @Field({ description: 'At least 10 characters.' })
  @MinLength(10, { message: 'must be at least 10 characters' })
  @MaxLength(1000)
  password!: string;

  @Field({ nullable: true, defaultValue: true })
  @IsOptional()
  @IsBoolean()
  active?: boolean;

  @Field(() => [String], { nullable: true, description: 'IP addresses or CIDR ranges; empty means anywhere.' })
  @IsOptional()
  @ArrayMaxSize(100)
  @MaxLength(64, { each: true })
  allowedIpRanges?: string[];

  @Field(() => [ID], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(50)
  roleIds?: string[];

  @Field(() => [ID], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(200)
  teamIds?: string[];
}

@InputType()
export class UpdateUserInput {
  @Field({ nullable: true })
  @IsOptional()
  @IsString()
  @Matches(/\S/, { message: 'must not be empty' })
  @MaxLength(200)
  name?: string;

  @Field({ nullable: true })
  @IsOptional()
  @IsEmail({}, { message: 'must be a valid e-mail address' })
  @MaxLength(320)
  email?: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Matches(PHONE, { message: 'must be a phone number (digits, spaces, + ( ) -)' })
  phone?: string | null;

  @Field({ nullable: true, description: 'Setting a password ends the user\'s other sessions.' })
  @IsOptional()
  @MinLength(10, { message: 'must be at least 10 characters' })
  @MaxLength(1000)
  password?: string;

  @Field({ nullable: true })
  @IsOptional()
  @IsBoolean()
  active?: boolean;

  @Field(() => [String], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(100)
  @MaxLength(64, { each: true })
  allowedIpRanges?: string[];

  @Field(() => [ID], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(50)
  roleIds?: string[];

  @Field(() => [ID], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(200)
  teamIds?: string[];
}

@InputType()
export class UserFilter {
  @Field({ nullable: true, description: 'Name or e-mail contains (Turkish-aware, case-insensitive).' })
  @IsOptional()
  @MaxLength(200)
  search?: string;

  @Field({ nullable: true })
  @IsOptional()
  active?: boolean;

  @Field(() => ID, { nullable: true })
  @IsOptional()
  teamId?: string;

  @Field(() => ID, { nullable: true })
  @IsOptional()
  roleId?: string;

  @Field({ nullable: true, defaultValue: false, description: 'Include archived users.' })
  @IsOptional()
  includeArchived?: boolean;
}

export enum UserSortField {
  name = 'name',
  email = 'email',
  createdAt = 'createdAt',
  lastSignInAt = 'lastSignInAt',
}
registerEnumType(UserSortField, { name: 'UserSortField' });

export const UserSort = SortOf(UserSortField, 'UserSort');
export type UserSort = InstanceType<typeof UserSort>;
