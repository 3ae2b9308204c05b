import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { canOn } from '../../../api/ability';
import type { Context } from '../../../api/context';
import { crudResolver, relation } from '../../../api/crud';
import { User } from '../../identity/entities/user.entity';
import { Account, Contact, Region, Subscription } from '../entities/account.entities';
import { accountService, contactService, regionService, subscriptionService } from '../services/account.services';

export const RegionCrudResolver = crudResolver(regionService);
export const AccountCrudResolver = crudResolver(accountService);
export const ContactCrudResolver = crudResolver(contactService);
export const SubscriptionCrudResolver = crudResolver(subscriptionService);

/** Children of accounts (contacts, subscriptions), one query per kind for a whole page. */
function childrenOf<T extends { id: number; archivedAt?: Date | null }>(ctx: Context, entity: new () => T, table: string, subject: string, accountId: number): Promise<T[]> {
  return ctx.loaders
    .get<number, T[]>(`${table}.byAccount`, async (ids) => {
      const rows = await ctx.em.find(entity, { account: { $in: [...ids] }, archivedAt: null } as never, { orderBy: { id: 'asc' } as never });
      return ids.map((id) => rows.filter((r) => (r as unknown as { account: { id: number } }).account.id === id));
    })
    .load(accountId)
    .then((rows) => rows.filter((r) => canOn(ctx.ability, 'read', subject, r)));
}

@Resolver(() => Account)
export class AccountFieldsResolver {
  @FieldResolver(() => Region, { nullable: true })
  region(@Root() a: Account, @Ctx() ctx: Context) {
    return relation(ctx, Region, 'Region', a.region);
  }

  @FieldResolver(() => [Contact])
  contacts(@Root() a: Account, @Ctx() ctx: Context) {
    return childrenOf(ctx, Contact, 'contacts', 'Contact', a.id);
  }

  @FieldResolver(() => [Subscription])
  subscriptions(@Root() a: Account, @Ctx() ctx: Context) {
    return childrenOf(ctx, Subscription, 'subscriptions', 'Subscription', a.id);
  }
}

@Resolver(() => Contact)
export class ContactFieldsResolver {
  @FieldResolver(() => Account, { nullable: true })
  account(@Root() c: Contact, @Ctx() ctx: Context) {
    return relation(ctx, Account, 'Account', c.account);
  }

  @FieldResolver(() => String)
  fullName(@Root() c: Contact) {
    return `${c.firstName} ${c.lastName}`;
  }
}

@Resolver(() => Subscription)
export class SubscriptionFieldsResolver {
  @FieldResolver(() => Account, { nullable: true })
  account(@Root() s: Subscription, @Ctx() ctx: Context) {
    return relation(ctx, Account, 'Account', s.account);
  }
}

@Resolver(() => Region)
export class RegionFieldsResolver {
  @FieldResolver(() => User, { nullable: true })
  responsible(@Root() r: Region, @Ctx() ctx: Context) {
    return relation(ctx, User, 'User', r.responsible);
  }
}
