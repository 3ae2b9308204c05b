/**
 * P9: GraphQL execution of 10,000 in-memory rows, the server's way (a type-graphql schema built
 * with the same options as api/schema.ts, executed by Apollo Server 5, result serialised) versus
 * plain graphql-js (a hand-built schema with default resolvers, `execute`, serialised). The
 * same rows, the same selection; runs interleaved so both see the same machine.
 *   node -r ./api/register.js bench/p9.ts [iterations]   → JSON on stdout
 */
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { validate as classValidate } from 'class-validator';
import {
  execute,
  GraphQLBoolean,
  GraphQLID,
  GraphQLInt,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLString,
  parse,
  validate,
} from 'graphql';
import { GraphQLDateTimeISO } from 'graphql-scalars';
import { Arg, buildSchema, Field, FieldResolver, ID, Int, ObjectType, Query, Resolver, Root } from 'type-graphql';
import { summarize, writeResult } from './lib';

const ROWS = 10_000;

@ObjectType('P9Ref')
class Ref {
  @Field(() => ID)
  id!: number;

  @Field()
  name!: string;
}

@ObjectType('P9Row')
class Row {
  @Field(() => ID)
  id!: number;

  @Field()
  number!: string;

  @Field()
  subject!: string;

  @Field(() => String, { nullable: true })
  detail?: string | null;

  @Field(() => Date)
  applicationDate!: Date;

  @Field(() => Date, { nullable: true })
  closedAt?: Date | null;

  @Field(() => Int)
  followUpCount!: number;

  @Field(() => Int)
  timeSpentMinutes!: number;

  @Field(() => Boolean)
  assigneeEveryone!: boolean;

  stageId!: number;
  teamId!: number | null;
}

const stages: Ref[] = ['Açık', 'Talep alındı', 'İşlemde', 'Bilgi verildi', 'Çözüldü', 'Kapatıldı'].map((name, i) => Object.assign(new Ref(), { id: i + 1, name }));
const teams: Ref[] = Array.from({ length: 20 }, (_, i) => Object.assign(new Ref(), { id: i + 1, name: `Ekip ${i + 1}` }));
const rows: Row[] = Array.from({ length: ROWS }, (_, i) =>
  Object.assign(new Row(), {
    id: i + 1,
    number: `2026-${String(i + 1).padStart(6, '0')}`,
    subject: 'İnternet bağlantısı sık sık kopuyor',
    detail: i % 10 === 0 ? null : 'Müşteri telefonla aradı ve durumu ayrıntılı olarak anlattı. Geri dönüş bekliyor.',
    applicationDate: new Date(Date.UTC(2026, 0, 1) + i * 60_000),
    closedAt: i % 3 === 0 ? new Date(Date.UTC(2026, 0, 2) + i * 60_000) : null,
    followUpCount: i % 7,
    timeSpentMinutes: (i * 13) % 240,
    assigneeEveryone: i % 9 === 0,
    stageId: 1 + (i % 6),
    teamId: i % 4 === 0 ? null : 1 + (i % 20),
  }),
);

@Resolver(() => Row)
class RowResolver {
  @Query(() => [Row])
  p9Rows(@Arg('limit', () => Int) limit: number): Row[] {
    return rows.slice(0, limit);
  }

  // Relations as the server resolves them: field resolvers on the row (here synchronous, in memory).
  @FieldResolver(() => Ref, { nullable: true })
  stage(@Root() r: Row): Ref | null {
    return stages[r.stageId - 1] ?? null;
  }

  @FieldResolver(() => Ref, { nullable: true })
  team(@Root() r: Row): Ref | null {
    return r.teamId ? teams[r.teamId - 1] : null;
  }
}

const QUERY = `query Rows($limit: Int!) { p9Rows(limit: $limit) { id number subject detail applicationDate closedAt followUpCount timeSpentMinutes assigneeEveryone stage { id name } team { id name } } }`;

function plainSchema(): GraphQLSchema {
  const RefType = new GraphQLObjectType({ name: 'P9Ref', fields: { id: { type: new GraphQLNonNull(GraphQLID) }, name: { type: new GraphQLNonNull(GraphQLString) } } });
  const RowType = new GraphQLObjectType<Row>({
    name: 'P9Row',
    fields: {
      id: { type: new GraphQLNonNull(GraphQLID) },
      number: { type: new GraphQLNonNull(GraphQLString) },
      subject: { type: new GraphQLNonNull(GraphQLString) },
      detail: { type: GraphQLString },
      applicationDate: { type: new GraphQLNonNull(GraphQLDateTimeISO) },
      closedAt: { type: GraphQLDateTimeISO },
      followUpCount: { type: new GraphQLNonNull(GraphQLInt) },
      timeSpentMinutes: { type: new GraphQLNonNull(GraphQLInt) },
      assigneeEveryone: { type: new GraphQLNonNull(GraphQLBoolean) },
      stage: { type: RefType, resolve: (r: Row) => stages[r.stageId - 1] ?? null },
      team: { type: RefType, resolve: (r: Row) => (r.teamId ? teams[r.teamId - 1] : null) },
    },
  });
  return new GraphQLSchema({
    query: new GraphQLObjectType({
      name: 'Query',
      fields: { p9Rows: { type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(RowType))), args: { limit: { type: new GraphQLNonNull(GraphQLInt) } }, resolve: (_: unknown, a: { limit: number }) => rows.slice(0, a.limit) } },
    }),
  });
}

async function main() {
  const iterations = Number(process.argv[2] ?? 40);
  // The options of api/schema.ts: class-validator on object arguments, field auth in 'null' mode.
  const tgSchema = await buildSchema({
    resolvers: [RowResolver],
    validateFn: (async (value: unknown) => {
      if (value && typeof value === 'object') await classValidate(value as object, { forbidUnknownValues: false });
    }) as never,
    authChecker: () => true,
    authMode: 'null',
    emitSchemaFile: false,
  });
  // As api/server.ts configures it (Apollo's cache-control plugin disabled, since it wraps
  // every field resolver); the second instance is kept for comparison with earlier runs.
  const apollo = new ApolloServer({ schema: tgSchema, introspection: false, plugins: [ApolloServerPluginCacheControlDisabled()] });
  await apollo.start();
  const apolloNoCacheControl = new ApolloServer({ schema: tgSchema, introspection: false, plugins: [ApolloServerPluginCacheControlDisabled()] });
  await apolloNoCacheControl.start();
  const plain = plainSchema();
  const doc = parse(QUERY);
  if (validate(plain, doc).length || validate(tgSchema, doc).length) throw new Error('P9 query does not validate');
  const variables = { limit: ROWS };

  const runs = {
    server: async () => {
      const r = await apollo.executeOperation({ query: QUERY, variables });
      if (r.body.kind !== 'single' || r.body.singleResult.errors) throw new Error(JSON.stringify(r.body));
      return JSON.stringify(r.body.singleResult).length;
    },
    serverWithoutCacheControl: async () => {
      const r = await apolloNoCacheControl.executeOperation({ query: QUERY, variables });
      if (r.body.kind !== 'single' || r.body.singleResult.errors) throw new Error(JSON.stringify(r.body));
      return JSON.stringify(r.body.singleResult).length;
    },
    typeGraphqlExecute: async () => {
      const r = await execute({ schema: tgSchema, document: doc, variableValues: variables, contextValue: {} });
      if (r.errors) throw new Error(JSON.stringify(r.errors));
      return JSON.stringify(r).length;
    },
    graphqlJs: async () => {
      const r = await execute({ schema: plain, document: doc, variableValues: variables });
      if (r.errors) throw new Error(JSON.stringify(r.errors));
      return JSON.stringify(r).length;
    },
  };
  const sizes: Record<string, number> = {};
  for (let i = 0; i < 5; i++) for (const [k, f] of Object.entries(runs)) sizes[k] = await f();
  if (new Set(Object.values(sizes)).size !== 1) throw new Error(`P9 responses differ in size: ${JSON.stringify(sizes)}`);
  const lat: Record<string, number[]> = { server: [], serverWithoutCacheControl: [], typeGraphqlExecute: [], graphqlJs: [] };
  for (let i = 0; i < iterations; i++) {
    for (const [k, f] of Object.entries(runs)) {
      const t0 = process.hrtime.bigint();
      await f();
      lat[k].push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
  }
  await apollo.stop();
  await apolloNoCacheControl.stop();
  writeResult(
    {
      rows: ROWS,
      responseBytes: sizes.server,
      iterations,
      server: summarize(lat.server, 0, 0),
      serverWithoutCacheControl: summarize(lat.serverWithoutCacheControl, 0, 0),
      typeGraphqlExecute: summarize(lat.typeGraphqlExecute, 0, 0),
      graphqlJs: summarize(lat.graphqlJs, 0, 0),
    },
  );
}

main().catch((err) => {
  process.stderr.write(`p9 failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
