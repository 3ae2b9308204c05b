import type { DataProvider } from 'react-admin';

type Method = 'getList' | 'getOne' | 'getMany' | 'getManyReference' | 'create' | 'update' | 'delete' | 'updateMany' | 'deleteMany';
const METHODS: Method[] = ['getList', 'getOne', 'getMany', 'getManyReference', 'create', 'update', 'delete', 'updateMany', 'deleteMany'];

let real: Promise<DataProvider> | null = null;
const load = () => (real ??= import('./dataProvider').then((m) => m.dataProvider));

/**
 * The data provider, loaded on its first call: it carries Apollo, graphql-js and the committed
 * schema, which the sign-in page does not need.
 */
export const dataProvider = Object.fromEntries(
  METHODS.map((m) => [m, (...args: unknown[]) => load().then((dp) => (dp[m] as (...a: unknown[]) => Promise<unknown>)(...args))]),
) as unknown as DataProvider;
