import { textArray } from '../../../api/ids';
import { raw, type FilterQuery } from '@mikro-orm/core';
import { crudService } from '../../../api/crud';
import { User } from '../../identity/entities/user.entity';
import { ContentFilter, ContentSort, CreateContentInput, UpdateContentInput } from '../dto/content.input';
import { Content } from '../entities/content.entity';

const cleanTags = (tags: string[] | undefined) => (tags === undefined ? undefined : [...new Set(tags.map((t) => t.trim()).filter(Boolean))]);

export const contentService = crudService<Content, CreateContentInput, UpdateContentInput, ContentFilter>({
  entity: Content,
  subject: 'Content',
  name: 'Content',
  plural: 'contents',
  CreateInput: CreateContentInput,
  UpdateInput: UpdateContentInput,
  Filter: ContentFilter,
  Sort: ContentSort,
  defaultSort: [{ field: 'title' }],
  searchColumns: ['title', 'body'],
  async fromCreate(ctx, input) {
    return {
      title: input.title.trim(),
      body: input.body,
      category: input.category?.trim() || null,
      tags: cleanTags(input.tags) ?? [],
      published: input.published ?? true,
      createdBy: ctx.user ? ctx.em.getReference(User, ctx.user.id) : null,
    };
  },
  async fromUpdate(_ctx, input) {
    const data: Record<string, unknown> = {};
    if (input.title !== undefined) data.title = input.title.trim();
    if (input.body !== undefined) data.body = input.body;
    if (input.category !== undefined) data.category = input.category?.trim() || null;
    if (input.tags !== undefined) data.tags = cleanTags(input.tags);
    if (input.published !== undefined) data.published = input.published;
    return data;
  },
  async filterWhere(_ctx, f) {
    const tags = cleanTags(f.tags);
    return () => {
      const w: FilterQuery<Content>[] = [];
      if (f.category?.trim()) w.push({ category: f.category.trim() });
      if (f.published !== undefined && f.published !== null) w.push({ published: f.published });
      if (tags?.length) w.push({ [raw((a) => `${a}.tags @> ?::text[]`, [textArray(tags)])]: true } as FilterQuery<Content>);
      return w;
    };
  },
});
