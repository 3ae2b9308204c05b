import { Entity, Index, ManyToOne, Property, type Opt, type Rel } from '@mikro-orm/core';
import { Field, Float, ObjectType } from 'type-graphql';
import { BaseEntity } from '../../../api/base.entity';
import { User } from '../../identity/entities/user.entity';

@ObjectType({ description: 'A file in the digital archive (dijital arşiv), linkable to many records.' })
@Entity({ tableName: 'documents' })
@Index({ name: 'documents_name_trgm', expression: `create index "documents_name_trgm" on "documents" using gin (tr_fold("name" || ' ' || coalesce("description", '')) gin_trgm_ops)` })
@Index({ name: 'documents_tags_gin', expression: 'create index "documents_tags_gin" on "documents" using gin ("tags")' })
export class Document extends BaseEntity {
  @Field({ description: 'Display name (the uploaded file name unless given).' })
  @Property({ length: 255 })
  name!: string;

  @Field()
  @Property({ length: 255 })
  fileName!: string;

  @Field(() => String, { nullable: true })
  @Property({ type: 'text', nullable: true })
  description?: string | null;

  @Field(() => String, { nullable: true, description: 'A folder path such as "Sözleşmeler/2026".' })
  @Index()
  @Property({ length: 500, nullable: true })
  folder?: string | null;

  @Field(() => [String])
  @Property({ type: 'text[]', default: '{}' })
  tags: Opt<string[]> = [];

  @Field({ description: 'Checked against the content when uploaded.' })
  @Property({ length: 200 })
  mimeType!: string;

  @Field(() => Float, { description: 'Bytes.' })
  @Property({ type: 'bigint' })
  size!: number;

  @Field({ description: 'SHA-256 of the content: equal hashes are the same file.' })
  @Index()
  @Property({ length: 64 })
  sha256!: string;

  /** Generated file name under the storage folder; never derived from the user's name. */
  @Property({ length: 100, hidden: true })
  storageKey!: string;

  @Index()
  @ManyToOne(() => User, { nullable: true })
  uploadedBy?: Rel<User> | null;

  @Field(() => Date, { nullable: true })
  @Index()
  @Property({ type: 'timestamptz', nullable: true })
  archivedAt?: Date | null;
}
