import { raw } from '@mikro-orm/core';
import { Ctx, FieldResolver, Int, Resolver, Root } from 'type-graphql';
import { restrictWhere } from '../../../api/ability';
import type { Context } from '../../../api/context';
import { Account } from '../../accounts/entities/account.entities';
import { ServiceRequest } from '../entities/service-request.entities';

/** Counts of open service requests per account (those the viewer may read), one query per page. */
@Resolver(() => Account)
export class AccountServiceRequestsResolver {
  @FieldResolver(() => Int, { description: 'Open service requests of this account that you may read.' })
  openServiceRequestCount(@Root() a: Account, @Ctx() ctx: Context) {
    return ctx.loaders
      .get<number, number>('Account.openServiceRequestCount', async (ids) => {
        const where = restrictWhere<ServiceRequest>(ctx.ability, 'read', 'ServiceRequest', { account: { $in: [...ids] }, closedAt: null, archivedAt: null });
        if (!where) return ids.map(() => 0);
        const rows = (await ctx.em
          .createQueryBuilder(ServiceRequest, 's')
          .select([raw('s.account_id as owner'), raw('count(*)::int as n')])
          .where(where as never)
          .groupBy('s.account_id')
          .execute('all', false)) as { owner: number; n: number }[];
        const map = new Map(rows.map((r) => [Number(r.owner), Number(r.n)]));
        return ids.map((id) => map.get(id) ?? 0);
      })
      .load(a.id);
  }
}
