import type { Grant, ModuleDefinition } from '../../api/module';
import { Account, Contact, Region, Subscription } from './entities/account.entities';
import {
  AccountCrudResolver,
  AccountFieldsResolver,
  ContactCrudResolver,
  ContactFieldsResolver,
  RegionCrudResolver,
  RegionFieldsResolver,
  SubscriptionCrudResolver,
  SubscriptionFieldsResolver,
} from './resolvers/account.resolvers';

const CRUD = ['read', 'create', 'update', 'archive'];

/** Call-center staff look up any customer, and record new ones during a call. */
const staff: Grant[] = [
  ...['Account', 'Contact', 'Subscription'].flatMap((subject) => ['read', 'create', 'update'].map((action) => ({ subject, action, scope: 'all' as const }))),
  { subject: 'Region', action: 'read', scope: 'all' },
];

/** Customers: accounts (cari), their contacts and subscriptions, and regions. */
export const accountsModule: ModuleDefinition = {
  name: 'accounts',
  entities: [Region, Account, Contact, Subscription],
  resolvers: [RegionCrudResolver, AccountCrudResolver, ContactCrudResolver, SubscriptionCrudResolver, AccountFieldsResolver, ContactFieldsResolver, SubscriptionFieldsResolver, RegionFieldsResolver],
  subjects: [
    { name: 'Region', entity: Region, actions: CRUD },
    { name: 'Account', entity: Account, actions: CRUD, fields: ['kind', 'name', 'taxNumber', 'taxOffice', 'identityNumber', 'phones', 'emails', 'address', 'city', 'district', 'region', 'extra', 'active'] },
    { name: 'Contact', entity: Contact, actions: CRUD, fields: ['account', 'firstName', 'lastName', 'title', 'phone', 'email', 'extra', 'active'] },
    { name: 'Subscription', entity: Subscription, actions: CRUD, fields: ['account', 'number', 'name', 'address', 'startDate', 'endDate', 'active'] },
  ],
  defaultGrants: { team_leader: staff, agent: staff },
};
