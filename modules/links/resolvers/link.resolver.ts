import { IsIn } from 'class-validator';
import { Arg, Ctx, Field, ID, InputType, Mutation, ObjectType, Query, Resolver } from 'type-graphql';
import { canOn, subjectDefinitions } from '../../../api/ability';
import { authorize, findReadable, withEm, type Context } from '../../../api/context';
import { BadInputError } from '../../../api/errors';
import { parseId } from '../../../api/ids';
import { linkService } from '../services/link.service';

/**
 * Records that can be linked with the generic operations. Applications link through their
 * own operations (linkDocumentToApplication, ...), which also write the application's history.
 */
export const LINKABLE = ['ServiceRequest', 'Opportunity', 'Task', 'Document', 'Content'];

@InputType({ description: 'A record: its type (ServiceRequest, Opportunity, Task, Document, Content) and id.' })
export class RecordRefInput {
  @Field()
  @IsIn(LINKABLE, { message: `must be one of ${LINKABLE.join(', ')}` })
  type!: string;

  @Field(() => ID)
  id!: string;
}

@ObjectType({ description: 'A linked record; readable is false when you may not read it (you still see that the link exists).' })
export class RecordRef {
  @Field()
  type!: string;

  @Field(() => ID)
  id!: number;

  @Field()
  readable!: boolean;
}

async function load(ctx: Context, ref: RecordRefInput, field: string) {
  const entity = subjectDefinitions.get(ref.type)?.entity;
  if (!entity || !LINKABLE.includes(ref.type)) throw new BadInputError(`${field}.type`, `Records of type ${ref.type} cannot be linked here.`);
  return findReadable(ctx, entity, ref.type, parseId(ref.id, `${field}.id`), { field: `${field}.id` });
}

@Resolver()
export class LinkResolver {
  @Mutation(() => Boolean, { description: 'Links two records you may read, of which you may update the first (e.g. a document to a service request). True when a new link was made.' })
  async linkRecords(@Arg('from', () => RecordRefInput) from: RecordRefInput, @Arg('to', () => RecordRefInput) to: RecordRefInput, @Ctx() ctx: Context): Promise<boolean> {
    return ctx.em.transactional(async (em) => {
      const tctx = withEm(ctx, em);
      const a = await load(tctx, from, 'from');
      const b = await load(tctx, to, 'to');
      authorize(tctx, 'update', from.type, a);
      if (from.type === to.type && (a as { id: number }).id === (b as { id: number }).id) throw new BadInputError('to', 'A record cannot be linked to itself.');
      return linkService.link(tctx, { type: from.type, id: (a as { id: number }).id }, { type: to.type, id: (b as { id: number }).id });
    });
  }

  @Mutation(() => Boolean)
  async unlinkRecords(@Arg('from', () => RecordRefInput) from: RecordRefInput, @Arg('to', () => RecordRefInput) to: RecordRefInput, @Ctx() ctx: Context): Promise<boolean> {
    return ctx.em.transactional(async (em) => {
      const tctx = withEm(ctx, em);
      const a = await load(tctx, from, 'from');
      const b = await load(tctx, to, 'to');
      authorize(tctx, 'update', from.type, a);
      return linkService.unlink(tctx, { type: from.type, id: (a as { id: number }).id }, { type: to.type, id: (b as { id: number }).id });
    });
  }

  @Query(() => [RecordRef], { description: 'Every record linked to one you may read (applications included), each marked readable or not.' })
  async linkedRecordsOf(@Arg('record', () => RecordRefInput) record: RecordRefInput, @Ctx() ctx: Context): Promise<RecordRef[]> {
    const owner = (await load(ctx, record, 'record')) as { id: number };
    // One statement for the links, then one batched load per type of record found.
    const links = (await linkService.linksOf(ctx, record.type, owner.id)).filter((l) => [...LINKABLE, 'Application'].includes(l.type));
    const rows = await Promise.all(
      links.map((l) => {
        const entity = subjectDefinitions.get(l.type)?.entity;
        return entity ? ctx.loaders.byId(entity as never).load(l.id) : null;
      }),
    );
    return links.map((l, i) => {
      const row = rows[i] as object | null;
      return { type: l.type, id: l.id, readable: !!row && canOn(ctx.ability, 'read', l.type, row) };
    });
  }
}
