import { ArrayMaxSize, IsBoolean, IsEmail, IsEnum, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { GraphQLJSONObject, LocalDateResolver } from 'graphql-scalars';
import { Field, ID, InputType, registerEnumType } from 'type-graphql';
import { SortOf } from '../../../api/pagination';
import { ExtraValueFilter } from '../../extra-fields/dto/extra-field.input';
import { AccountKind } from '../entities/account.entities';

const PHONE = /^\+?[0-9 ()-]{3,40}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

@InputType()
export class CreateAccountInput {
  @Field(() => AccountKind)
  @IsEnum(AccountKind)
  kind!: AccountKind;

  @Field()
  @IsString()
  @Matches(/\S/, { message: 'must not be empty' })
  @MaxLength(300)
  name!: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Matches(/^\d{10}$/, { message: 'must be 10 digits (vergi kimlik no)' })
  taxNumber?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(100)
  taxOffice?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Matches(/^[1-9]\d{10}$/, { message: 'must be 11 digits (T.C. kimlik no)' })
  identityNumber?: string | null;

  @Field(() => [String], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(10)
  @Matches(PHONE, { each: true, message: 'must be phone numbers' })
  phones?: string[];

  @Field(() => [String], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(10)
  @IsEmail({}, { each: true, message: 'must be e-mail addresses' })
  emails?: string[];

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(2000)
  address?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(100)
  city?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(100)
  district?: string | null;

  @Field(() => ID, { nullable: true })
  @IsOptional()
  regionId?: string | null;

  @Field(() => GraphQLJSONObject, { nullable: true, description: 'Extra field values by key.' })
  @IsOptional()
  extra?: Record<string, unknown>;

  @Field({ nullable: true })
  @IsOptional()
  @IsBoolean()
  active?: boolean;
}

@InputType()
export class UpdateAccountInput {
  @Field(() => AccountKind, { nullable: true })
  @IsOptional()
  @IsEnum(AccountKind)
  kind?: AccountKind;

  @Field({ nullable: true })
  @IsOptional()
  @IsString()
  @Matches(/\S/, { message: 'must not be empty' })
  @MaxLength(300)
  name?: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Matches(/^\d{10}$/, { message: 'must be 10 digits (vergi kimlik no)' })
  taxNumber?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(100)
  taxOffice?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Matches(/^[1-9]\d{10}$/, { message: 'must be 11 digits (T.C. kimlik no)' })
  identityNumber?: string | null;

  @Field(() => [String], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(10)
  @Matches(PHONE, { each: true, message: 'must be phone numbers' })
  phones?: string[];

  @Field(() => [String], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(10)
  @IsEmail({}, { each: true, message: 'must be e-mail addresses' })
  emails?: string[];

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(2000)
  address?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(100)
  city?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(100)
  district?: string | null;

  @Field(() => ID, { nullable: true })
  @IsOptional()
  regionId?: string | null;

  @Field(() => GraphQLJSONObject, { nullable: true })
  @IsOptional()
  extra?: Record<string, unknown>;

  @Field({ nullable: true })
  @IsOptional()
  @IsBoolean()
  active?: boolean;
}

@InputType()
export class AccountFilter {
  @Field({ nullable: true, description: 'Name, tax or identity number contains (Turkish-aware).' })
  @IsOptional()
  @MaxLength(200)
  search?: string;

  @Field({ nullable: true, description: 'Any of the account\'s phones ends with the same last ten digits.' })
  @IsOptional()
  @MaxLength(40)
  phone?: string;

  @Field(() => AccountKind, { nullable: true })
  @IsOptional()
  kind?: AccountKind;

  @Field(() => ID, { nullable: true })
  @IsOptional()
  regionId?: string;

  @Field({ nullable: true })
  @IsOptional()
  active?: boolean;

  @Field(() => [ExtraValueFilter], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(20)
  extra?: ExtraValueFilter[];

  @Field({ nullable: true, defaultValue: false })
  @IsOptional()
  includeArchived?: boolean;
}

export enum AccountSortField {
  name = 'name',
  createdAt = 'createdAt',
  city = 'city',
}
registerEnumType(AccountSortField, { name: 'AccountSortField' });

export const AccountSort = SortOf(AccountSortField, 'AccountSort');
export type AccountSort = InstanceType<typeof AccountSort>;

// ---- contacts ----
@InputType()
export class CreateContactInput {
  @Field(() => ID)
  accountId!: string;

  @Field()
  @IsString()
  @Matches(/\S/, { message: 'must not be empty' })
  @MaxLength(100)
  firstName!: string;

  @Field()
  @IsString()
  @Matches(/\S/, { message: 'must not be empty' })
  @MaxLength(100)
  lastName!: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(100)
  title?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Matches(PHONE, { message: 'must be a phone number' })
  phone?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsEmail({}, { message: 'must be a valid e-mail address' })
  @MaxLength(320)
  email?: string | null;

  @Field(() => GraphQLJSONObject, { nullable: true })
  @IsOptional()
  extra?: Record<string, unknown>;

  @Field({ nullable: true })
  @IsOptional()
  @IsBoolean()
  active?: boolean;
}

@InputType()
export class UpdateContactInput {
  @Field({ nullable: true })
  @IsOptional()
  @IsString()
  @Matches(/\S/, { message: 'must not be empty' })
  @MaxLength(100)
  firstName?: string;

  @Field({ nullable: true })
  @IsOptional()
  @IsString()
  @Matches(/\S/, { message: 'must not be empty' })
  @MaxLength(100)
  lastName?: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(100)
  title?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Matches(PHONE, { message: 'must be a phone number' })
  phone?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsEmail({}, { message: 'must be a valid e-mail address' })
  @MaxLength(320)
  email?: string | null;

  @Field(() => GraphQLJSONObject, { nullable: true })
  @IsOptional()
  extra?: Record<string, unknown>;

  @Field({ nullable: true })
  @IsOptional()
  @IsBoolean()
  active?: boolean;
}

@InputType()
export class ContactFilter {
  @Field(() => ID, { nullable: true })
  @IsOptional()
  accountId?: string;

  @Field({ nullable: true, description: 'Name, e-mail or phone contains (Turkish-aware).' })
  @IsOptional()
  @MaxLength(200)
  search?: string;

  @Field({ nullable: true })
  @IsOptional()
  active?: boolean;

  @Field(() => [ExtraValueFilter], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(20)
  extra?: ExtraValueFilter[];

  @Field({ nullable: true, defaultValue: false })
  @IsOptional()
  includeArchived?: boolean;
}

export enum ContactSortField {
  lastName = 'lastName',
  firstName = 'firstName',
  createdAt = 'createdAt',
}
registerEnumType(ContactSortField, { name: 'ContactSortField' });

export const ContactSort = SortOf(ContactSortField, 'ContactSort');
export type ContactSort = InstanceType<typeof ContactSort>;

// ---- subscriptions ----
@InputType()
export class CreateSubscriptionInput {
  @Field(() => ID)
  accountId!: string;

  @Field()
  @Matches(/^[\p{L}\p{N}\-/._]{1,50}$/u, { message: 'must be 1-50 letters, digits or - / . _' })
  number!: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(200)
  name?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(2000)
  address?: string | null;

  @Field(() => LocalDateResolver, { nullable: true })
  @IsOptional()
  @Matches(DATE)
  startDate?: string | null;

  @Field(() => LocalDateResolver, { nullable: true })
  @IsOptional()
  @Matches(DATE)
  endDate?: string | null;

  @Field({ nullable: true })
  @IsOptional()
  @IsBoolean()
  active?: boolean;
}

@InputType()
export class UpdateSubscriptionInput {
  @Field({ nullable: true })
  @IsOptional()
  @Matches(/^[\p{L}\p{N}\-/._]{1,50}$/u, { message: 'must be 1-50 letters, digits or - / . _' })
  number?: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(200)
  name?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(2000)
  address?: string | null;

  @Field(() => LocalDateResolver, { nullable: true })
  @IsOptional()
  @Matches(DATE)
  startDate?: string | null;

  @Field(() => LocalDateResolver, { nullable: true })
  @IsOptional()
  @Matches(DATE)
  endDate?: string | null;

  @Field({ nullable: true })
  @IsOptional()
  @IsBoolean()
  active?: boolean;
}

@InputType()
export class SubscriptionFilter {
  @Field(() => ID, { nullable: true })
  @IsOptional()
  accountId?: string;

  @Field({ nullable: true, description: 'Number or name contains.' })
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

export enum SubscriptionSortField {
  number = 'number',
  createdAt = 'createdAt',
  startDate = 'startDate',
}
registerEnumType(SubscriptionSortField, { name: 'SubscriptionSortField' });

export const SubscriptionSort = SortOf(SubscriptionSortField, 'SubscriptionSort');
export type SubscriptionSort = InstanceType<typeof SubscriptionSort>;

// ---- regions ----
@InputType()
export class CreateRegionInput {
  @Field()
  @IsString()
  @Matches(/\S/, { message: 'must not be empty' })
  @MaxLength(200)
  name!: string;

  @Field(() => ID, { nullable: true })
  @IsOptional()
  responsibleId?: string | null;

  @Field({ nullable: true })
  @IsOptional()
  @IsBoolean()
  active?: boolean;
}

@InputType()
export class UpdateRegionInput {
  @Field({ nullable: true })
  @IsOptional()
  @IsString()
  @Matches(/\S/, { message: 'must not be empty' })
  @MaxLength(200)
  name?: string;

  @Field(() => ID, { nullable: true })
  @IsOptional()
  responsibleId?: string | null;

  @Field({ nullable: true })
  @IsOptional()
  @IsBoolean()
  active?: boolean;
}

@InputType()
export class RegionFilter {
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

export enum RegionSortField {
  name = 'name',
  createdAt = 'createdAt',
}
registerEnumType(RegionSortField, { name: 'RegionSortField' });

export const RegionSort = SortOf(RegionSortField, 'RegionSort');
export type RegionSort = InstanceType<typeof RegionSort>;
