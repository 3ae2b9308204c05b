import { Field, ID, ObjectType, type ClassType } from 'type-graphql';
import type { EntityClass } from '@mikro-orm/core';
import { canOn } from '../../../api/ability';
import type { Context } from '../../../api/context';
import { linkService } from '../services/link.service';

export interface Linked<T> {
  id: number;
  item: T | null;
}

/**
 * A linked record as a viewer sees it: always the link (the id), and the record itself only
 * when the viewer may read it.
 */
export function LinkedOf<T extends object>(Item: ClassType<T>, name: string) {
  @ObjectType(`Linked${name}`, { description: `A linked ${name}: item is null when you may not read it (you still see that the link exists).` })
  class LinkedRecord implements Linked<T> {
    @Field(() => ID)
    id!: number;

    @Field(() => Item, { nullable: true })
    item!: T | null;
  }
  return LinkedRecord;
}

/** The records of `otherType` linked to `ownerType` #ownerId, each visible or hidden. */
export async function linkedRecords<T extends { id: number }>(ctx: Context, ownerType: string, ownerId: number, entity: EntityClass<T>, subject: string): Promise<Linked<T>[]> {
  const ids = await linkService.linkedIds(ctx, ownerType, subject).load(ownerId);
  const rows = await ctx.loaders.byId(entity as never).loadMany(ids);
  return ids.map((id, i) => {
    const r = rows[i] as T | null | Error;
    const visible = r && !(r instanceof Error) && canOn(ctx.ability, 'read', subject, r) ? r : null;
    return { id, item: visible };
  });
}
