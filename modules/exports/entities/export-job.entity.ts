import { BigIntType, Entity, Index, ManyToOne, Property, type Opt, type Rel } from '@mikro-orm/core';
import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, Float, Int, ObjectType, registerEnumType } from 'type-graphql';
import { BaseEntity } from '../../../api/base.entity';
import { User } from '../../identity/entities/user.entity';

export enum JobStatus {
  QUEUED = 'QUEUED',
  RUNNING = 'RUNNING',
  DONE = 'DONE',
  FAILED = 'FAILED',
  CANCELLED = 'CANCELLED',
  EXPIRED = 'EXPIRED',
}
registerEnumType(JobStatus, { name: 'JobStatus', description: 'Where a background export or import is.' });

export enum ExportFormat {
  XLSX = 'XLSX',
  PDF = 'PDF',
}
registerEnumType(ExportFormat, { name: 'ExportFormat' });

/**
 * A background job a user started: an export (its file is kept until `expiresAt`) or an
 * import. Progress is published as `ExportJob.progress` events; only the owner sees it.
 */
@ObjectType({ description: 'A background export or import and its progress.' })
@Entity({ tableName: 'export_jobs' })
@Index({ properties: ['owner', 'createdAt'] })
export class ExportJob extends BaseEntity {
  @ManyToOne(() => User)
  owner!: Rel<User>;

  @Field({ description: 'applications (the list), application (one record), import.accounts, import.contacts.' })
  @Property({ length: 40 })
  kind!: string;

  @Field(() => ExportFormat, { nullable: true })
  @Property({ type: 'string', length: 10, nullable: true })
  format?: ExportFormat | null;

  @Property({ type: 'jsonb', default: '{}' })
  params: Opt<Record<string, unknown>> = {};

  @Field(() => JobStatus)
  @Index()
  @Property({ type: 'string', length: 20, default: JobStatus.QUEUED })
  status: Opt<JobStatus> = JobStatus.QUEUED;

  @Field(() => Float, { description: '0-100.' })
  @Property({ type: 'real', default: 0 })
  progress: Opt<number> = 0;

  @Field(() => Int, { description: 'Rows written (exports) or read (imports) so far.' })
  @Property({ type: 'integer', default: 0 })
  rowCount: Opt<number> = 0;

  @Field(() => Int, { nullable: true, description: 'Rows in all, when known.' })
  @Property({ type: 'integer', nullable: true })
  totalRows?: number | null;

  @Field(() => String, { nullable: true, description: 'The name the download is offered under.' })
  @Property({ length: 255, nullable: true })
  fileName?: string | null;

  @Property({ length: 100, nullable: true })
  storageKey?: string | null;

  @Field(() => Float, { nullable: true, description: 'Bytes.' })
  @Property({ type: new BigIntType('number'), nullable: true })
  size?: number | null;

  @Field(() => GraphQLJSONObject, { nullable: true, description: 'What the job produced (an import report).' })
  @Property({ type: 'jsonb', nullable: true })
  result?: Record<string, unknown> | null;

  @Field(() => String, { nullable: true })
  @Property({ type: 'text', nullable: true })
  error?: string | null;

  @Field(() => Date, { nullable: true })
  @Property({ type: 'timestamptz', nullable: true })
  finishedAt?: Date | null;

  @Field(() => Date, { nullable: true, description: 'The file and its links stop working then.' })
  @Index()
  @Property({ type: 'timestamptz', nullable: true })
  expiresAt?: Date | null;
}
