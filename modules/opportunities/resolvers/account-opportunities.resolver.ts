import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { restrictWhere } from '../../../api/ability';
import type { Context } from '../../../api/context';
import { Account } from '../../accounts/entities/account.entities';
import { Opportunity } from '../entities/opportunity.entity';

/** The open opportunities of accounts (those the viewer may read), one query per page. */
@Resolver(() => Account)
export class AccountOpportunitiesResolver {
  @FieldResolver(() => [Opportunity], { description: 'Open opportunities of this account that you may read, with their amounts.' })
  openOpportunities(@Root() a: Account, @Ctx() ctx: Context) {
    return ctx.loaders
      .get<number, Opportunity[]>('Account.openOpportunities', async (ids) => {
        const where = restrictWhere<Opportunity>(ctx.ability, 'read', 'Opportunity', { account: { $in: [...ids] }, closedAt: null, archivedAt: null });
        if (!where) return ids.map(() => []);
        const rows = await ctx.em.find(Opportunity, where, { orderBy: { expectedCloseDate: 'asc', id: 'asc' } });
        return ids.map((id) => rows.filter((o) => o.account.id === id));
      })
      .load(a.id);
  }
}
