import { Entity, Index, ManyToOne, Property, type Opt, type Rel } from '@mikro-orm/core';
import { Field, ObjectType } from 'type-graphql';
import { BaseEntity } from '../../../api/base.entity';
import { User } from '../../identity/entities/user.entity';

@ObjectType({ description: 'A knowledge article (içerik): a known solution, a procedure, an answer to give.' })
@Entity({ tableName: 'contents' })
@Index({ name: 'contents_search_trgm', expression: `create index "contents_search_trgm" on "contents" using gin (tr_fold("title" || ' ' || "body") gin_trgm_ops)` })
@Index({ name: 'contents_tags_gin', expression: 'create index "contents_tags_gin" on "contents" using gin ("tags")' })
export class Content extends BaseEntity {
  @Field()
  @Property({ length: 300 })
  title!: string;

  @Field({ description: 'The article (plain text or Markdown).' })
  @Property({ type: 'text' })
  body!: string;

  @Field(() => String, { nullable: true })
  @Index()
  @Property({ length: 200, nullable: true })
  category?: string | null;

  @Field(() => [String])
  @Property({ type: 'text[]', default: '{}' })
  tags: Opt<string[]> = [];

  @Field(() => Boolean, { description: 'Unpublished articles are drafts, visible to their editors.' })
  @Index()
  @Property({ type: 'boolean', default: true })
  published: Opt<boolean> = true;

  @ManyToOne(() => User, { nullable: true })
  createdBy?: Rel<User> | null;

  @Field(() => Date, { nullable: true })
  @Index()
  @Property({ type: 'timestamptz', nullable: true })
  archivedAt?: Date | null;
}
