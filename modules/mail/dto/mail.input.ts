import { IsBoolean, IsEmail, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';

@InputType()
export class CreateMailboxInput {
  @Field()
  @IsString()
  @Matches(/\S/, { message: 'must not be empty' })
  @MaxLength(200)
  name!: string;

  @Field()
  @IsString()
  @Matches(/^[A-Za-z0-9.:[\]-]+$/, { message: 'must be a host name or an IP address' })
  @MaxLength(255)
  imapHost!: string;

  @Field(() => Int)
  @IsInt()
  @Min(1)
  @Max(65535)
  imapPort!: number;

  @Field(() => Boolean, { nullable: true, defaultValue: true })
  @IsOptional()
  @IsBoolean()
  imapTls?: boolean;

  @Field()
  @IsString()
  @Matches(/\S/, { message: 'must not be empty' })
  @MaxLength(255)
  imapUser!: string;

  @Field(() => String, { nullable: true, description: 'Write-only.' })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  imapPassword?: string | null;

  @Field(() => String, { nullable: true, defaultValue: 'INBOX' })
  @IsOptional()
  @IsString()
  @Matches(/\S/, { message: 'must not be empty' })
  @MaxLength(255)
  folder?: string;

  @Field()
  @IsString()
  @Matches(/^[A-Za-z0-9.:[\]-]+$/, { message: 'must be a host name or an IP address' })
  @MaxLength(255)
  smtpHost!: string;

  @Field(() => Int)
  @IsInt()
  @Min(1)
  @Max(65535)
  smtpPort!: number;

  @Field(() => Boolean, { nullable: true, defaultValue: true })
  @IsOptional()
  @IsBoolean()
  smtpTls?: boolean;

  @Field(() => String, { nullable: true, description: 'Empty: no SMTP authentication.' })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  smtpUser?: string | null;

  @Field(() => String, { nullable: true, description: 'Write-only.' })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  smtpPassword?: string | null;

  @Field()
  @IsString()
  @Matches(/\S/, { message: 'must not be empty' })
  @MaxLength(200)
  fromName!: string;

  @Field()
  @IsEmail({}, { message: 'must be a valid e-mail address' })
  @MaxLength(320)
  fromAddress!: string;

  @Field(() => ID)
  defaultCategoryId!: string;

  @Field(() => ID, { nullable: true })
  @IsOptional()
  defaultPriorityId?: string | null;

  @Field(() => ID, { nullable: true })
  @IsOptional()
  defaultTeamId?: string | null;

  @Field(() => Boolean, { nullable: true })
  @IsOptional()
  @IsBoolean()
  active?: boolean;

  @Field(() => Boolean, { nullable: true })
  @IsOptional()
  @IsBoolean()
  reopenClosed?: boolean;

  @Field(() => Boolean, { nullable: true })
  @IsOptional()
  @IsBoolean()
  sendAcknowledgement?: boolean;

  @Field(() => Int, { nullable: true })
  @IsOptional()
  @IsInt()
  @Min(1024)
  maxMessageBytes?: number | null;
}

@InputType()
export class UpdateMailboxInput {
  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  @Matches(/\S/, { message: 'must not be empty' })
  @MaxLength(200)
  name?: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Matches(/^[A-Za-z0-9.:[\]-]+$/, { message: 'must be a host name or an IP address' })
  @MaxLength(255)
  imapHost?: string;

  @Field(() => Int, { nullable: true })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(65535)
  imapPort?: number;

  @Field(() => Boolean, { nullable: true })
  @IsOptional()
  @IsBoolean()
  imapTls?: boolean;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  @Matches(/\S/, { message: 'must not be empty' })
  @MaxLength(255)
  imapUser?: string;

  @Field(() => String, { nullable: true, description: 'Write-only; absent keeps the stored one, "" removes it.' })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  imapPassword?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  @Matches(/\S/, { message: 'must not be empty' })
  @MaxLength(255)
  folder?: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Matches(/^[A-Za-z0-9.:[\]-]+$/, { message: 'must be a host name or an IP address' })
  @MaxLength(255)
  smtpHost?: string;

  @Field(() => Int, { nullable: true })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(65535)
  smtpPort?: number;

  @Field(() => Boolean, { nullable: true })
  @IsOptional()
  @IsBoolean()
  smtpTls?: boolean;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  smtpUser?: string | null;

  @Field(() => String, { nullable: true, description: 'Write-only; absent keeps the stored one, "" removes it.' })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  smtpPassword?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  @Matches(/\S/, { message: 'must not be empty' })
  @MaxLength(200)
  fromName?: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsEmail({}, { message: 'must be a valid e-mail address' })
  @MaxLength(320)
  fromAddress?: string;

  @Field(() => ID, { nullable: true })
  @IsOptional()
  defaultCategoryId?: string;

  @Field(() => ID, { nullable: true })
  @IsOptional()
  defaultPriorityId?: string | null;

  @Field(() => ID, { nullable: true })
  @IsOptional()
  defaultTeamId?: string | null;

  @Field(() => Boolean, { nullable: true })
  @IsOptional()
  @IsBoolean()
  active?: boolean;

  @Field(() => Boolean, { nullable: true })
  @IsOptional()
  @IsBoolean()
  reopenClosed?: boolean;

  @Field(() => Boolean, { nullable: true })
  @IsOptional()
  @IsBoolean()
  sendAcknowledgement?: boolean;

  @Field(() => Int, { nullable: true })
  @IsOptional()
  @IsInt()
  @Min(1024)
  maxMessageBytes?: number | null;
}

@ObjectType({ description: 'The outcome of "test connection": the first step that failed, or ok.' })
export class MailboxTestResult {
  @Field(() => Boolean)
  ok!: boolean;

  @Field({ description: 'imap:dns, imap:tcp, imap:tls, imap:login, imap:folder, smtp:dns, smtp:tcp, smtp:tls, smtp:login, or "ok".' })
  stage!: string;

  @Field()
  message!: string;

  @Field(() => [String], { description: 'Every step tried, with its result.' })
  steps!: string[];
}
