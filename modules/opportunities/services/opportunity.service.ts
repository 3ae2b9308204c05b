import { raw, type FilterQuery } from '@mikro-orm/core';
import type { GraphQLResolveInfo } from 'graphql';
import { assertCanWriteInput, canOn } from '../../../api/ability';
import { assertVersion, authorize, findReadable, scoped, type Context, withEm } from '../../../api/context';
import { BadInputError, ForbiddenError } from '../../../api/errors';
import { likePattern, parseId, parseIds, searchFold } from '../../../api/ids';
import { direction, paginate, selects, type PageInput } from '../../../api/pagination';
import { Account } from '../../accounts/entities/account.entities';
import { accountService, contactOfAccount } from '../../accounts/services/account.services';
import { User } from '../../identity/entities/user.entity';
import { requireActiveUser } from '../../identity/services/assignee.service';
import { campaignService, projectService } from '../../reference/services/reference.services';
import {
  MAX_AMOUNT,
  type CreateOpportunityInput,
  type CurrencyAmount,
  type OpportunityDateRange,
  type OpportunityFilter,
  type OpportunityPipelineStage,
  type OpportunitySort,
  type UpdateOpportunityInput,
} from '../dto/opportunity.input';
import { Currency, Opportunity } from '../entities/opportunity.entity';
import { SalesStage, SalesStageOutcome } from '../entities/sales-stage.entity';
import { sameValue } from '../../../api/history';

const SUBJECT = 'Opportunity';
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const CURRENCIES = Object.values(Currency) as string[];

/**
 * What a new opportunity needs. The create mutation passes its input; other modules (an
 * application turned into an opportunity) pass what they have.
 */
export interface NewOpportunity {
  accountId: string | number;
  contactId?: string | number | null;
  title: string;
  description?: string | null;
  /** 0 when absent; at most two decimals are kept. */
  expectedAmount?: number | null;
  /** TRY when absent. */
  currency?: Currency | `${Currency}` | null;
  /** 0-100; the stage's default when absent. */
  probability?: number | null;
  /** The first open stage when absent. */
  stageId?: string | number | null;
  expectedCloseDate?: string | null;
  /** The signed-in user when absent. */
  ownerId?: string | number | null;
  campaignId?: string | number | null;
  projectId?: string | number | null;
}

/** Input keys → entity fields, for field rules. */
const FIELD_OF: Record<string, string> = {
  accountId: 'account',
  contactId: 'contact',
  stageId: 'stage',
  ownerId: 'owner',
  campaignId: 'campaign',
  projectId: 'project',
};
const fieldOf = (k: string) => FIELD_OF[k] ?? k;

function validDate(value: string, field: string): string {
  if (!DATE.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`)) || new Date(`${value}T00:00:00Z`).toISOString().slice(0, 10) !== value) {
    throw new BadInputError(field, 'Not a valid date (YYYY-MM-DD).', 'INVALID_DATE');
  }
  return value;
}

/** Optional text: trimmed, empty becomes null, at most `max` characters. */
function text(value: string | null | undefined, field: string, max: number): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'string') throw new BadInputError(field, 'Must be text.');
  const t = value.trim();
  if (t.length > max) throw new BadInputError(field, `At most ${max} characters.`, 'TOO_LONG', { max });
  return t || null;
}

function requiredTitle(value: string | null | undefined): string {
  const t = text(value, 'input.title', 300);
  if (!t) throw new BadInputError('input.title', 'A title is required.', 'REQUIRED');
  return t;
}

/** An amount for numeric(14,2): finite, not negative, rounded to two decimals. */
function amount(value: number | null | undefined, field: string): number {
  if (value === null || value === undefined) return 0;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new BadInputError(field, 'Must be a number.', 'NOT_NUMBER');
  if (value < 0) throw new BadInputError(field, 'Must not be negative.');
  const rounded = Math.round((value + Number.EPSILON) * 100) / 100;
  if (rounded > MAX_AMOUNT) throw new BadInputError(field, `At most ${MAX_AMOUNT}.`);
  return rounded;
}

function currency(value: string | null | undefined, field: string): Currency {
  if (value === null || value === undefined) return Currency.TRY;
  if (!CURRENCIES.includes(value)) throw new BadInputError(field, `Unknown currency: ${value}. One of ${CURRENCIES.join(', ')}.`);
  return value as Currency;
}

function probability(value: number | null | undefined, field: string): number | null {
  if (value === null || value === undefined) return null;
  if (!Number.isInteger(value) || value < 0 || value > 100) throw new BadInputError(field, 'Must be a whole number from 0 to 100.');
  return value;
}



async function stageById(ctx: Context, id: string | number | null | undefined, field: string): Promise<SalesStage> {
  if (id !== null && id !== undefined && id !== '') {
    const s = await ctx.em.findOne(SalesStage, { id: parseId(id, field), archivedAt: null });
    if (!s) throw new BadInputError(field, `No such sales stage: ${id}.`, 'NOT_FOUND_REFERENCE');
    if (!s.active) throw new BadInputError(field, `${s.name} is inactive.`, 'INACTIVE_REFERENCE');
    return s;
  }
  const first = await ctx.em.findOne(SalesStage, { archivedAt: null, active: true, outcome: SalesStageOutcome.OPEN }, { orderBy: { sortOrder: 'asc', id: 'asc' } });
  if (!first) throw new BadInputError(field, 'No open sales stage is configured; an administrator must create one.');
  return first;
}

/** Loads an opportunity for a write: readable (else NOT_FOUND), locked, not archived, allowed, right version. */
async function forWrite(ctx: Context, id: string, action: string, version?: number): Promise<Opportunity> {
  const opp = await findReadable(ctx, Opportunity, SUBJECT, parseId(id, 'id'), { forUpdate: true });
  if (opp.archivedAt) throw new BadInputError('id', `Opportunity ${opp.id} is archived.`, 'ARCHIVED');
  authorize(ctx, action, SUBJECT, opp);
  if (version !== undefined) assertVersion(SUBJECT, opp, version);
  return opp;
}

async function publish(ctx: Context, type: string, opp: Opportunity) {
  await ctx.events.publish(ctx.em, { type: `${SUBJECT}.${type}`, subject: SUBJECT, id: opp.id, actorId: ctx.user?.id, data: { accountId: opp.account.id } });
}


const SORT_PATHS: Record<string, (d: string) => Record<string, unknown>> = {
  stage: (d) => ({ stage: { sortOrder: d } }),
};

/**
 * Creates an opportunity inside the caller's transaction (`tctx` is a context on its
 * transactional EntityManager, see withEm): checks the permission and field rules,
 * validates (errors name `input.<key>`) and publishes `Opportunity.created`. The create
 * mutation and other modules' conversions both use it.
 */
export async function createOpportunityIn(tctx: Context, input: NewOpportunity): Promise<Opportunity> {
  authorize(tctx, 'create', SUBJECT);
  assertCanWriteInput(tctx.ability, 'create', SUBJECT, null, input, fieldOf);
  const em = tctx.em;
  if (input.accountId === null || input.accountId === undefined || input.accountId === '') throw new BadInputError('input.accountId', 'An account is required.', 'REQUIRED');
  const account = (await accountService.require(tctx, input.accountId, 'input.accountId'))!;
  const contact = await contactOfAccount(tctx, input.contactId, account, 'input.contactId');
  const title = requiredTitle(input.title);
  const stage = await stageById(tctx, input.stageId, 'input.stageId');
  const owner = input.ownerId !== undefined && input.ownerId !== null ? await requireActiveUser(tctx, input.ownerId, 'input.ownerId') : tctx.user ? em.getReference(User, tctx.user.id) : null;
  const opp = em.create(Opportunity, {
    account,
    contact,
    title,
    description: text(input.description, 'input.description', 100_000),
    expectedAmount: amount(input.expectedAmount, 'input.expectedAmount'),
    currency: currency(input.currency, 'input.currency'),
    probability: probability(input.probability, 'input.probability') ?? stage.probability,
    stage,
    expectedCloseDate: input.expectedCloseDate ? validDate(input.expectedCloseDate, 'input.expectedCloseDate') : null,
    owner,
    campaign: await campaignService.require(tctx, input.campaignId, 'input.campaignId'),
    project: await projectService.require(tctx, input.projectId, 'input.projectId'),
    createdBy: tctx.user ? em.getReference(User, tctx.user.id) : null,
    closedAt: stage.outcome !== SalesStageOutcome.OPEN ? new Date() : null,
  });
  await em.flush();
  await publish(tctx, 'created', opp);
  return opp;
}

/** A range filter on a date column, both ends included. */
function dateRange(field: string, r: OpportunityDateRange | undefined | null, path: string): FilterQuery<Opportunity>[] {
  if (!r || (!r.from && !r.to)) return [];
  const cond: Record<string, string> = {};
  if (r.from) cond.$gte = validDate(r.from, `${path}.from`);
  if (r.to) cond.$lte = validDate(r.to, `${path}.to`);
  return [{ [field]: cond } as FilterQuery<Opportunity>];
}

export const opportunityService = {
  /** The list's filter as conditions (checked first; a factory, see paginate). */
  async where(ctx: Context, f: OpportunityFilter = {}): Promise<() => FilterQuery<Opportunity> | null> {
    const ids = (v: string[] | undefined | null, field: string) => (v?.length ? parseIds(v, field) : undefined);
    const p = {
      ids: ids(f.ids, 'filter.ids'),
      accounts: ids(f.accountIds, 'filter.accountIds'),
      contact: f.contactId ? parseId(f.contactId, 'filter.contactId') : undefined,
      stages: ids(f.stageIds, 'filter.stageIds'),
      owners: ids(f.ownerIds, 'filter.ownerIds'),
      campaigns: ids(f.campaignIds, 'filter.campaignIds'),
      projects: ids(f.projectIds, 'filter.projectIds'),
    };
    const closeDates = () => dateRange('expectedCloseDate', f.expectedCloseDate, 'filter.expectedCloseDate');
    closeDates(); // checks the dates before any query
    const min = f.amount?.min ?? undefined;
    const max = f.amount?.max ?? undefined;
    if (min !== undefined && !Number.isFinite(min)) throw new BadInputError('filter.amount.min', 'Must be a number.', 'NOT_NUMBER');
    if (max !== undefined && !Number.isFinite(max)) throw new BadInputError('filter.amount.max', 'Must be a number.', 'NOT_NUMBER');
    if (f.currency && !CURRENCIES.includes(f.currency)) throw new BadInputError('filter.currency', `Unknown currency: ${f.currency}.`);
    // The outcome lives on the stage: resolved to stage ids once (a handful of rows).
    const outcomeStages = f.outcome ? (await ctx.em.find(SalesStage, { outcome: f.outcome }, { fields: ['id'] })).map((s) => s.id) : undefined;
    const term = f.search?.trim();
    return () => {
      const w: FilterQuery<Opportunity>[] = [];
      if (!f.includeArchived) w.push({ archivedAt: null });
      if (p.ids) w.push({ id: { $in: p.ids } });
      if (p.accounts) w.push({ account: { $in: p.accounts } });
      if (p.contact) w.push({ contact: p.contact });
      if (p.stages) w.push({ stage: { $in: p.stages } });
      if (outcomeStages) w.push({ stage: { $in: outcomeStages } });
      if (p.owners) w.push({ owner: { $in: p.owners } });
      if (p.campaigns) w.push({ campaign: { $in: p.campaigns } });
      if (p.projects) w.push({ project: { $in: p.projects } });
      if (f.currency) w.push({ currency: f.currency });
      if (min !== undefined) w.push({ expectedAmount: { $gte: min } });
      if (max !== undefined) w.push({ expectedAmount: { $lte: max } });
      w.push(...closeDates());
      if (term) {
        // The same expression as the trigram index opportunities_search_trgm.
        const expr = raw((a) => `tr_fold(${a}.title || ' ' || coalesce(${a}.description, ''))`);
        w.push({ [expr]: { $like: likePattern(searchFold(term)) } } as FilterQuery<Opportunity>);
      }
      return scoped<Opportunity>(ctx, 'read', SUBJECT, w.length ? { $and: w } : {});
    };
  },

  async list(ctx: Context, filter: OpportunityFilter | undefined | null, sort: OpportunitySort[] | undefined | null, page: PageInput | undefined | null, info?: GraphQLResolveInfo) {
    const whereOf = await opportunityService.where(ctx, filter ?? {});
    const order = sort?.length
      ? sort.map((s) => {
          const d = direction(s.direction);
          return SORT_PATHS[s.field] ? SORT_PATHS[s.field](d) : { [s.field]: d };
        })
      : [{ createdAt: 'desc' }, { id: 'desc' }];
    // Sorting by a relation's column needs that relation loaded (cursors read its value).
    const populate = (sort ?? []).map((s) => s.field as string).filter((f) => f in SORT_PATHS);
    return paginate(ctx.em, Opportunity, whereOf, {
      page,
      populate: populate.length ? populate : undefined,
      orderBy: order as never,
      countCap: ctx.config.LIST_COUNT_CAP,
      wantTotal: selects(info, 'total', 'totalExact'),
      wantItems: selects(info, 'items', 'pageInfo'),
    });
  },

  get(ctx: Context, id: string | number) {
    return findReadable(ctx, Opportunity, SUBJECT, typeof id === 'number' ? id : parseId(id, 'id'));
  },

  async create(ctx: Context, input: CreateOpportunityInput): Promise<Opportunity> {
    authorize(ctx, 'create', SUBJECT);
    assertCanWriteInput(ctx.ability, 'create', SUBJECT, null, input, fieldOf);
    return ctx.em.transactional(async (em) => {
      const tctx = withEm(ctx, em);
      return createOpportunityIn(tctx, input);
    });
  },

  async update(ctx: Context, id: string, version: number, input: UpdateOpportunityInput): Promise<Opportunity> {
    return ctx.em.transactional(async (em) => {
      const tctx = withEm(ctx, em);
      const opp = await forWrite(tctx, id, 'update', version);
      assertCanWriteInput(ctx.ability, 'update', SUBJECT, opp, input, fieldOf);
      const next: Record<string, unknown> = {};
      if (input.accountId === null) throw new BadInputError('input.accountId', 'An account is required.', 'REQUIRED');
      const account = input.accountId !== undefined ? (await accountService.require(tctx, input.accountId, 'input.accountId'))! : await em.findOneOrFail(Account, opp.account.id);
      if (input.accountId !== undefined) next.account = account;
      // A new account re-checks the contact kept from before.
      if (input.contactId !== undefined || input.accountId !== undefined) {
        next.contact = await contactOfAccount(tctx, input.contactId !== undefined ? input.contactId : (opp.contact?.id ?? null), account, 'input.contactId');
      }
      if (input.title !== undefined) next.title = requiredTitle(input.title);
      if (input.description !== undefined) next.description = text(input.description, 'input.description', 100_000);
      if (input.expectedAmount !== undefined) {
        if (input.expectedAmount === null) throw new BadInputError('input.expectedAmount', 'An amount is required (0 when unknown).', 'REQUIRED');
        next.expectedAmount = amount(input.expectedAmount, 'input.expectedAmount');
      }
      if (input.currency !== undefined) {
        if (input.currency === null) throw new BadInputError('input.currency', 'A currency is required.', 'REQUIRED');
        next.currency = currency(input.currency, 'input.currency');
      }
      if (input.probability !== undefined) {
        const pr = probability(input.probability, 'input.probability');
        if (pr === null) throw new BadInputError('input.probability', 'A probability is required.', 'REQUIRED');
        next.probability = pr;
      }
      if (input.expectedCloseDate !== undefined) next.expectedCloseDate = input.expectedCloseDate ? validDate(input.expectedCloseDate, 'input.expectedCloseDate') : null;
      if (input.ownerId !== undefined) next.owner = await requireActiveUser(tctx, input.ownerId, 'input.ownerId');
      if (input.campaignId !== undefined) next.campaign = await campaignService.require(tctx, input.campaignId, 'input.campaignId');
      if (input.projectId !== undefined) next.project = await projectService.require(tctx, input.projectId, 'input.projectId');
      const changes = Object.entries(next).filter(([field, value]) => !sameValue((opp as unknown as Record<string, unknown>)[field], value));
      if (!changes.length) return opp;
      // A new owner: the user must still be allowed to update it afterwards, so that with
      // the default grants an agent keeps their own and a team leader keeps it in their teams.
      if (changes.some(([field]) => field === 'owner')) {
        const after = Object.assign(Object.create(Opportunity.prototype) as Opportunity, opp, next);
        if (!canOn(ctx.ability, 'update', SUBJECT, after)) throw new ForbiddenError('You may not give this opportunity to that owner: it would leave what you may update.', { field: 'input.ownerId' });
      }
      for (const [field, value] of changes) (opp as unknown as Record<string, unknown>)[field] = value;
      opp.updatedAt = new Date();
      await em.flush();
      await publish(tctx, 'changed', opp);
      return opp;
    });
  },

  /**
   * Moves to another sales stage. The probability becomes the new stage's default; entering
   * a WON or LOST stage from an open one sets closedAt, going back to an open one clears it.
   */
  async changeStage(ctx: Context, id: string, version: number, stageId: string): Promise<Opportunity> {
    return ctx.em.transactional(async (em) => {
      const tctx = withEm(ctx, em);
      const opp = await forWrite(tctx, id, 'changeStage', version);
      const from = await em.findOneOrFail(SalesStage, opp.stage.id);
      const to = await stageById(tctx, stageId, 'stageId');
      if (to.id === from.id) throw new BadInputError('stageId', `The opportunity is already in ${from.name}.`);
      opp.stage = to;
      opp.probability = to.probability;
      const wasOpen = from.outcome === SalesStageOutcome.OPEN;
      const isOpen = to.outcome === SalesStageOutcome.OPEN;
      if (wasOpen && !isOpen) opp.closedAt = new Date();
      else if (!wasOpen && isOpen) opp.closedAt = null;
      else if (!isOpen && !opp.closedAt) opp.closedAt = new Date();
      opp.updatedAt = new Date();
      await em.flush();
      await publish(tctx, 'stageChanged', opp);
      return opp;
    });
  },

  async archive(ctx: Context, id: string): Promise<Opportunity> {
    return ctx.em.transactional(async (em) => {
      const tctx = withEm(ctx, em);
      const opp = await findReadable(tctx, Opportunity, SUBJECT, parseId(id, 'id'), { forUpdate: true });
      authorize(tctx, 'archive', SUBJECT, opp);
      if (!opp.archivedAt) {
        opp.archivedAt = new Date();
        await em.flush();
        await publish(tctx, 'archived', opp);
      }
      return opp;
    });
  },

  /**
   * Pipeline totals per stage: count, amounts and weighted amounts per currency, over the
   * opportunities the viewer may read that match the filter. One GROUP BY query.
   */
  async pipeline(ctx: Context, filter: OpportunityFilter | undefined | null): Promise<OpportunityPipelineStage[]> {
    const f = filter ?? {};
    const whereOf = await opportunityService.where(ctx, f);
    const where = whereOf();
    let rows: { stage_id: number; currency: string; count: number; total: string; weighted: string }[] = [];
    if (where) {
      const qb = ctx.em
        .createQueryBuilder(Opportunity, 'o')
        .select([
          raw('o.stage_id as stage_id'),
          raw('o.currency::text as currency'),
          raw('count(*)::int as count'),
          raw('coalesce(sum(o.expected_amount), 0)::text as total'),
          raw('round(coalesce(sum(o.expected_amount * o.probability), 0) / 100, 2)::text as weighted'),
        ])
        .where(where as never)
        .groupBy(['o.stage_id', 'o.currency']);
      rows = (await qb.execute('all', false)) as typeof rows;
    }
    // Every stage of the pipeline (the filter's stages, when it names some), plus any other
    // stage that holds matching opportunities (an archived or inactive one).
    const named = f.stageIds?.length ? parseIds(f.stageIds, 'filter.stageIds') : undefined;
    const stageWhere: FilterQuery<SalesStage>[] = [{ archivedAt: null, active: true }];
    if (named) stageWhere.push({ id: { $in: named } });
    if (f.outcome) stageWhere.push({ outcome: f.outcome });
    const withRows = [...new Set(rows.map((r) => Number(r.stage_id)))];
    const stages = await ctx.em.find(SalesStage, { $or: [{ $and: stageWhere }, ...(withRows.length ? [{ id: { $in: withRows } }] : [])] }, { orderBy: { sortOrder: 'asc', name: 'asc', id: 'asc' } });
    const order = (c: string) => CURRENCIES.indexOf(c);
    return stages.map((stage) => {
      const mine = rows.filter((r) => Number(r.stage_id) === stage.id).sort((a, b) => order(a.currency) - order(b.currency));
      const per = (key: 'total' | 'weighted'): CurrencyAmount[] => mine.map((r) => ({ currency: r.currency as Currency, amount: Number(r[key]) }));
      return { stageRef: stage, count: mine.reduce((n, r) => n + Number(r.count), 0), totalAmount: per('total'), weightedAmount: per('weighted') };
    });
  },
};
