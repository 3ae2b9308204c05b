import { ApolloClient, ApolloLink, HttpLink, InMemoryCache, gql as apolloGql } from '@apollo/client';
import buildDataProvider, { type BuildQueryFactory } from 'ra-data-graphql';
import { CREATE, DELETE, GET_LIST, GET_MANY, GET_MANY_REFERENCE, GET_ONE, HttpError, UPDATE, type DataProvider } from 'react-admin';
import { getNamedType, getNullableType, isEnumType, isInputObjectType, isListType, type GraphQLInputObjectType } from 'graphql';
import { argType, introspection, rootField, selectionOf } from './schema';
import { RESOURCES, type ResourceOps } from './resources';
import { session } from './session';
import { toHttpError } from './graphql';
import { APPLICATION_DETAIL } from './documents';

const byType = Object.fromEntries(Object.values(RESOURCES).map((r) => [r.type, r]));

function ops(resource: string): ResourceOps {
  const r = RESOURCES[resource];
  if (!r) throw new Error(`Unknown resource ${resource}`);
  return r;
}

const isDay = (v: unknown): v is string => typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v);

/** A DateTimeISO from a date input ("2026-03-05"): the start (or end) of that local day. */
function dayToIso(v: string, end = false): string {
  const d = new Date(`${v}T00:00:00`);
  if (end) d.setDate(d.getDate() + 1), d.setMilliseconds(-1);
  return d.toISOString();
}

/** Coerces a form or filter value to what an input field of the schema expects. */
function coerce(value: unknown, typeName: string, isList: boolean, key: string): unknown {
  if (value === '' || value === undefined) return undefined;
  if (value === null) return null;
  if (isList && !Array.isArray(value)) return [value];
  if (typeName === 'DateTimeISO' && isDay(value)) return dayToIso(value, /to$/i.test(key));
  if (typeName === 'Int' && typeof value === 'string') return Number.parseInt(value, 10);
  if (typeName === 'Float' && typeof value === 'string') return Number.parseFloat(value);
  if (typeName === 'ID' && typeof value === 'number') return String(value);
  return value;
}

/** Keeps the keys the input type knows (react-admin's `q` becomes `search`), coerced. */
export function shapeInput(type: GraphQLInputObjectType | undefined, data: Record<string, any>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!type) return out;
  const fields = type.getFields();
  for (const [rawKey, value] of Object.entries(data ?? {})) {
    const key = rawKey === 'q' ? 'search' : rawKey;
    const f = fields[key];
    if (!f) continue;
    const named = getNamedType(f.type);
    const list = isListType(getNullableType(f.type));
    let v: unknown;
    if (isInputObjectType(named) && Array.isArray(value)) {
      v = value.map((item) => shapeInput(named, item));
    } else if (isInputObjectType(named) && value && typeof value === 'object' && !Array.isArray(value)) {
      const nested: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(shapeInput(named, value))) nested[k] = coerce(x, getNamedType(named.getFields()[k].type).name, false, k);
      v = Object.values(nested).some((x) => x !== undefined) ? nested : undefined;
    } else v = coerce(value, named.name, list, key);
    if (v !== undefined) out[key] = v;
  }
  return out;
}

/** Adds `stageId`, `memberIds`... next to relations, so forms can edit them by id. */
export function withIds(record: any): any {
  if (!record || typeof record !== 'object') return record;
  const out: any = { ...record };
  for (const [k, v] of Object.entries(record)) {
    if (v && typeof v === 'object' && !Array.isArray(v) && 'id' in (v as any)) out[`${k}Id`] = (v as any).id;
    if (Array.isArray(v) && v.length && v.every((x) => x && typeof x === 'object' && 'id' in x && !('item' in x))) {
      out[`${k.replace(/ies$/, 'y').replace(/s$/, '')}Ids`] = v.map((x: any) => x.id);
    }
  }
  if (Array.isArray(record.allowedNext)) out.allowedNextStageIds = record.allowedNext.map((x: any) => x.id);
  if ('assigneeUser' in record || 'assigneeTeam' in record) {
    out.assignee = { userId: record.assigneeUser?.id ?? null, teamId: record.assigneeTeam?.id ?? null, everyone: !!record.assigneeEveryone };
  }
  return out;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** What a record is fetched with: detail pages keep their own, richer selection. */
const oneSelection = (r: ResourceOps) => (r.type === 'Application' ? APPLICATION_DETAIL : selectionOf(r.type, 'one'));

export const buildQuery: BuildQueryFactory = () => (fetchType, resource, params: any) => {
  const r = ops(resource);
  switch (fetchType) {
    case GET_LIST:
    case GET_MANY:
    case GET_MANY_REFERENCE: {
      const field = rootField('Query', r.list);
      const paged = field.args.some((a) => a.name === 'page');
      const filterType = argType('Query', r.list, 'filter') as GraphQLInputObjectType | undefined;
      const sortType = argType('Query', r.list, 'sort') as GraphQLInputObjectType | undefined;
      let rawFilter: Record<string, any> = { ...(params.filter ?? {}) };
      if (fetchType === GET_MANY) rawFilter = { ids: params.ids };
      if (fetchType === GET_MANY_REFERENCE) rawFilter[params.target] = params.id;
      const filter = shapeInput(filterType, rawFilter);
      const page = params.pagination ? { limit: params.pagination.perPage, offset: (params.pagination.page - 1) * params.pagination.perPage } : { limit: 500 };
      let sort: unknown;
      const sortEnum = sortType ? getNamedType(sortType.getFields().field.type) : undefined;
      if (params.sort?.field && isEnumType(sortEnum) && sortEnum.getValue(params.sort.field)) sort = [{ field: params.sort.field, direction: params.sort.order === 'DESC' ? 'DESC' : 'ASC' }];
      const vars: Record<string, unknown> = {};
      const decl: string[] = [];
      const args: string[] = [];
      if (filterType) (decl.push(`$filter: ${filterType.name}`), args.push('filter: $filter'), (vars.filter = filter));
      if (paged) (decl.push('$page: PageInput'), args.push('page: $page'), (vars.page = page));
      if (sort) (decl.push(`$sort: [${sortType!.name}!]`), args.push('sort: $sort'), (vars.sort = sort));
      if (!paged && field.args.some((a) => a.name === 'includeArchived')) (decl.push('$includeArchived: Boolean'), args.push('includeArchived: $includeArchived'), (vars.includeArchived = !!params.filter?.includeArchived));
      const sel = selectionOf(r.type, 'list');
      const body = paged ? `items { ${sel} } total totalExact pageInfo { hasNextPage }` : sel;
      const q = `query ${r.list}List${decl.length ? `(${decl.join(', ')})` : ''} { data: ${r.list}${args.length ? `(${args.join(', ')})` : ''} { ${body} } }`;
      return {
        query: apolloGql(q),
        variables: vars,
        parseResponse: ({ data }: any) => {
          let items: any[] = paged ? data.data.items : data.data;
          if (fetchType === GET_MANY && !filterType?.getFields().ids) items = items.filter((x) => params.ids.map(String).includes(String(x.id)));
          const total = paged ? data.data.total : items.length;
          // A capped count (totalExact false) is a lower bound: page by "is there more" instead.
          if (paged && data.data.totalExact === false && params.pagination) {
            return { data: items.map(withIds), pageInfo: { hasNextPage: !!data.data.pageInfo?.hasNextPage || items.length === params.pagination.perPage, hasPreviousPage: params.pagination.page > 1 } };
          }
          if (!paged && params.pagination) {
            const { page: p, perPage } = params.pagination;
            items = items.slice((p - 1) * perPage, p * perPage);
          }
          return { data: items.map(withIds), total };
        },
      };
    }
    case GET_ONE: {
      const sel = oneSelection(r);
      return {
        query: apolloGql(`query ${r.one}One($id: ID!) { data: ${r.one}(id: $id) { ${sel} } }`),
        variables: { id: String(params.id) },
        parseResponse: ({ data }: any) => ({ data: withIds(data.data) }),
      };
    }
    case CREATE: {
      if (!r.create) throw new HttpError('This record cannot be created here.', 400);
      const input = argType('Mutation', r.create, 'input') as GraphQLInputObjectType;
      return {
        query: apolloGql(`mutation ${r.create}($input: ${input.name}!) { data: ${r.create}(input: $input) { ${oneSelection(r)} } }`),
        variables: { input: shapeInput(input, params.data) },
        parseResponse: ({ data }: any) => ({ data: withIds(data.data) }),
      };
    }
    case UPDATE: {
      if (!r.update) throw new HttpError('This record cannot be changed here.', 400);
      const input = argType('Mutation', r.update, 'input') as GraphQLInputObjectType;
      const prev = params.previousData ?? {};
      const changed: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(params.data ?? {})) if (!same(v, prev[k])) changed[k] = v === '' ? null : v;
      const hasVersion = rootField('Mutation', r.update).args.some((a) => a.name === 'version');
      const version = prev.version ?? params.data?.version;
      return {
        query: apolloGql(
          `mutation ${r.update}($id: ID!, $input: ${input.name}!${hasVersion ? ', $version: Int!' : ''}) { data: ${r.update}(id: $id, input: $input${hasVersion ? ', version: $version' : ''}) { ${oneSelection(r)} } }`,
        ),
        variables: { id: String(params.id), input: shapeInput(input, changed), ...(hasVersion ? { version } : {}) },
        parseResponse: ({ data }: any) => ({ data: withIds(data.data) }),
      };
    }
    case DELETE: {
      if (!r.archive) throw new HttpError('This record cannot be archived.', 400);
      return {
        query: apolloGql(`mutation ${r.archive}($id: ID!) { data: ${r.archive}(id: $id) { id } }`),
        variables: { id: String(params.id) },
        parseResponse: ({ data }: any) => ({ data: { ...params.previousData, ...data.data } }),
      };
    }
    default:
      throw new HttpError(`Unsupported operation ${fetchType}`, 400);
  }
};

const authLink = new ApolloLink((operation, forward) => {
  const token = session.token();
  operation.setContext(({ headers = {} }: { headers?: Record<string, string> }) => ({ headers: { ...headers, ...(token ? { authorization: `Bearer ${token}` } : {}) } }));
  return forward(operation);
});

const apolloClient = new ApolloClient({
  link: authLink.concat(new HttpLink({ uri: '/graphql' })),
  cache: new InMemoryCache(),
  defaultOptions: { query: { fetchPolicy: 'no-cache', errorPolicy: 'none' }, mutate: { fetchPolicy: 'no-cache' } },
});

/**
 * Turns Apollo's errors (inside ra-data-graphql's HttpError) into ours: status, code, the fields'
 * errors in the user's language. `formFields`: the names the saving form holds.
 */
function translate(err: any, formFields?: string[]): never {
  const apollo = err?.body ?? err;
  const gqlErrors = apollo?.graphQLErrors?.length ? apollo.graphQLErrors : apollo?.networkError?.result?.errors;
  if (gqlErrors?.length) throw toHttpError(gqlErrors, undefined, undefined, formFields);
  throw err;
}

const raProvider = buildDataProvider({
  client: apolloClient,
  buildQuery,
  introspection: {
    schema: introspection as any,
    operationNames: {
      [GET_LIST]: (t: any) => byType[t.name]?.list,
      [GET_ONE]: (t: any) => byType[t.name]?.one,
      [GET_MANY]: (t: any) => byType[t.name]?.list,
      [GET_MANY_REFERENCE]: (t: any) => byType[t.name]?.list,
      [CREATE]: (t: any) => byType[t.name]?.create,
      [UPDATE]: (t: any) => byType[t.name]?.update,
      [DELETE]: (t: any) => byType[t.name]?.archive,
    },
  },
  query: { fetchPolicy: 'no-cache' },
  mutation: { fetchPolicy: 'no-cache' },
} as any);

const wrap = <K extends keyof DataProvider>(name: K) => (resource: string, params: any) =>
  (raProvider as any)[name](resource, params).catch((err: unknown) => translate(err, name === 'create' || name === 'update' ? Object.keys(params?.data ?? {}) : undefined));

export const dataProvider: DataProvider = {
  async getList(resource, params) {
    const { page = 1, perPage = 25 } = params.pagination ?? {};
    if (perPage <= 500) return wrap('getList')(resource, params);
    // Exports ask for more rows than one API page (500) holds: fetch them page by page.
    const data: any[] = [];
    let total = 0;
    for (let i = 0; i * 500 < perPage; i++) {
      const chunk = await wrap('getList')(resource, { ...params, pagination: { page: ((page - 1) * perPage) / 500 + i + 1, perPage: 500 } });
      data.push(...chunk.data);
      total = chunk.total ?? 0;
      if (chunk.data.length < 500) break;
    }
    return { data: data.slice(0, perPage), total };
  },
  getOne: wrap('getOne'),
  async getMany(resource, params) {
    const filterType = argType('Query', ops(resource).list, 'filter') as GraphQLInputObjectType | undefined;
    if (filterType?.getFields().ids) return wrap('getMany')(resource, params);
    // No `ids` filter on this list: one lookup per record (references show few at a time).
    const found = await Promise.all(params.ids.map((id) => dataProvider.getOne(resource, { id }).then((r) => r.data, () => null)));
    return { data: found.filter(Boolean) as any[] };
  },
  getManyReference: wrap('getManyReference'),
  create: wrap('create'),
  update: wrap('update'),
  delete: wrap('delete'),
  // The API has no bulk writes: one call per record, all reported together.
  async updateMany(resource, params) {
    await Promise.all(params.ids.map(async (id) => {
      const { data: previousData } = await dataProvider.getOne(resource, { id });
      return dataProvider.update(resource, { id, data: params.data, previousData });
    }));
    return { data: params.ids };
  },
  async deleteMany(resource, params) {
    await Promise.all(params.ids.map((id) => dataProvider.delete(resource, { id, previousData: { id } as any })));
    return { data: params.ids };
  },
};
