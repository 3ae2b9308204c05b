import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import express, { type Request } from 'express';
import proxyaddr from 'proxy-addr';
import { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { getOperationAST, getVariableValues, GraphQLError, NoSchemaIntrospectionCustomRule, parse, specifiedRules, validate, type ExecutionArgs, type GraphQLSchema } from 'graphql';
import { WebSocketServer, type WebSocket } from 'ws';
import { useServer } from 'graphql-ws/use/ws';
import type { SqlEntityManager } from '@mikro-orm/postgresql';
import { createContext, type AppServices, type Context, type Identity } from './context';
import { AppError, formatError, isConnectionError, UnauthenticatedError, withoutSuggestions } from './errors';
import { fieldOfVariableError, namedInputErrors } from './input-errors';
import { limitRules } from './limits';
import { logger } from './logger';
import { pendingMigrations } from './orm';
import { LiveSockets, WS_CLOSE, type LiveSocket } from './sockets';
import { createSchema } from './schema';
import { serveBackoffice } from './static';
import { resolveIdentity } from '../modules/identity';
import { modules } from '../modules/registry';

export interface RunningServer {
  httpServer: http.Server;
  schema: GraphQLSchema;
  /** The open WebSockets and their rights. */
  sockets: LiveSockets;
  listen(port: number, host?: string): Promise<number>;
  /** Stops accepting, finishes in-flight requests, closes sockets. */
  close(): Promise<void>;
}

const HTTP_STATUS: Record<string, number> = {
  BAD_USER_INPUT: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  SERVICE_UNAVAILABLE: 503,
};

const BACKOFFICE_DIST = path.join(__dirname, '..', 'backoffice', 'dist');

function bearer(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const m = /^Bearer\s+([A-Za-z0-9_\-.~+/=]{10,200})$/i.exec(value.trim());
  return m ? m[1] : null;
}

/**
 * Resolves the caller: no token means anonymous; a bad token is remembered and reported
 * by the first operation that needs a user (so `signIn` still works with a stale header).
 */
async function identify(services: AppServices, em: SqlEntityManager, token: string | null, ip: string): Promise<{ identity: Identity | null; authError: Error | null }> {
  if (!token) return { identity: null, authError: null };
  try {
    return { identity: await resolveIdentity(em, services.config, token, ip), authError: null };
  } catch (err) {
    if (err instanceof UnauthenticatedError) return { identity: null, authError: err };
    throw err;
  }
}

function unavailable(err: unknown): GraphQLError {
  if (isConnectionError(err)) {
    return new GraphQLError('The database is unavailable; try again shortly.', { extensions: { code: 'SERVICE_UNAVAILABLE', http: { status: 503 } } });
  }
  logger.error({ err }, 'context creation failed');
  return new GraphQLError('Internal server error', { extensions: { code: 'INTERNAL_SERVER_ERROR', http: { status: 500 } } });
}

export async function createServer(services: AppServices): Promise<RunningServer> {
  const { config, orm } = services;
  const production = config.NODE_ENV === 'production';
  const schema = await createSchema();
  const trust = proxyaddr.compile(config.TRUSTED_PROXIES);
  const clientIp = (req: http.IncomingMessage) => proxyaddr(req as never, trust);

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', trust);
  app.use((req, res, next) => {
    const given = req.headers['x-request-id'];
    const requestId = typeof given === 'string' && /^[\w.-]{1,100}$/.test(given) ? given : randomUUID();
    (req as Request & { requestId: string }).requestId = requestId;
    res.setHeader('X-Request-Id', requestId);
    const started = process.hrtime.bigint();
    // The path as the client asked it: by 'finish', `req.path` is relative to the router that
    // last handled the request (`/` for everything under app.use('/graphql', ...)).
    const requestPath = (req.originalUrl || req.url).split('?')[0];
    res.on('finish', () => {
      if (requestPath === '/healthz' || requestPath === '/readyz') return;
      logger.info({ requestId, method: req.method, path: requestPath, status: res.statusCode, ms: Number(process.hrtime.bigint() - started) / 1e6 }, 'request');
    });
    next();
  });

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  let migrationsOk = false;
  app.get('/readyz', async (_req, res) => {
    try {
      await orm.em.getConnection().execute('select 1');
      if (!migrationsOk) {
        const pending = await pendingMigrations(orm);
        if (pending.length) {
          res.status(503).json({ status: 'migrations pending', pending });
          return;
        }
        migrationsOk = true;
      }
      res.json({ status: 'ready' });
    } catch (err) {
      res.status(503).json({ status: 'database unreachable', error: production ? undefined : (err as Error).message });
    }
  });

  const httpServer = http.createServer(app);

  // ---- WebSocket (graphql-ws) on the same port and path ----
  const wsServer = new WebSocketServer({ server: httpServer, path: '/graphql', maxPayload: 256 * 1024 });
  type Extra = Partial<LiveSocket> & { request: http.IncomingMessage; socket: WebSocket };
  const live = new LiveSockets(services);
  const wsRules = [...specifiedRules, ...limitRules(config), ...(config.GRAPHQL_INTROSPECTION ? [] : [NoSchemaIntrospectionCustomRule])];

  const wsCleanup = useServer<Record<string, unknown> | undefined, Extra>(
    {
      schema,
      onConnect: async (ctx) => {
        const token = bearer(ctx.connectionParams?.authorization ?? ctx.connectionParams?.Authorization);
        if (!token) return false; // closes with 4403 Forbidden
        const ip = clientIp(ctx.extra.request);
        const em = orm.em.fork() as SqlEntityManager;
        try {
          const identity = await resolveIdentity(em, config, token, ip);
          if (live.countOf(identity.user.id) >= config.WS_MAX_CONNECTIONS_PER_USER) {
            ctx.extra.socket.close(WS_CLOSE.tooManyConnections, `At most ${config.WS_MAX_CONNECTIONS_PER_USER} connections per user`);
            return false;
          }
          Object.assign(ctx.extra, { identity, token, ip, contexts: new Map<string, Context>() });
          live.add(ctx.extra as LiveSocket);
          return true;
        } catch (err) {
          if (!(err instanceof UnauthenticatedError)) logger.warn({ err }, 'websocket authentication failed');
          return false;
        }
      },
      onSubscribe: (ctx, id, payload): ExecutionArgs | readonly GraphQLError[] => {
        const extra = ctx.extra as LiveSocket;
        let document;
        try {
          document = parse(payload.query, { maxTokens: config.GRAPHQL_MAX_TOKENS });
        } catch (err) {
          return [new GraphQLError((err as Error).message, { extensions: { code: 'GRAPHQL_PARSE_FAILED' } })];
        }
        const errors = validate(schema, document, wsRules);
        if (errors.length) {
          return errors.map((e) => {
            const message = withoutSuggestions(e.message, production);
            return new GraphQLError(message, { nodes: e.nodes, extensions: { ...e.extensions, code: e.extensions?.code ?? 'GRAPHQL_VALIDATION_FAILED' } });
          });
        }
        const operation = getOperationAST(document, payload.operationName ?? undefined);
        if (!operation) return [new GraphQLError('Unknown or ambiguous operation name.', { extensions: { code: 'OPERATION_RESOLUTION_FAILURE' } })];
        const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], payload.variables ?? {});
        if (coerced.errors) {
          return coerced.errors.map((e) => {
            const field = fieldOfVariableError(e.message, document);
            return new GraphQLError(withoutSuggestions(e.message, production), { nodes: e.nodes, extensions: { code: 'BAD_USER_INPUT', ...(field ? { field } : {}) } });
          });
        }
        // The cap counts subscriptions (long-lived), not queries and mutations sent over the socket.
        if (operation.operation === 'subscription' && extra.contexts.size >= config.WS_MAX_SUBSCRIPTIONS) {
          return [new GraphQLError(`At most ${config.WS_MAX_SUBSCRIPTIONS} subscriptions per connection.`, { extensions: { code: 'RATE_LIMITED' } })];
        }
        // Built with the socket's current rights; a subscription's context is kept so that a
        // change of the user's roles or teams reaches it (LiveSockets).
        const contextValue: Context = createContext(services, extra.identity, { ip: extra.ip });
        if (operation.operation === 'subscription') extra.contexts.set(id, contextValue);
        return { schema, document, variableValues: payload.variables ?? undefined, operationName: payload.operationName ?? undefined, contextValue };
      },
      onComplete: (ctx, id) => {
        ctx.extra.contexts?.delete(id);
      },
      onClose: (ctx) => {
        if (ctx.extra.contexts) {
          ctx.extra.contexts.clear();
          live.remove(ctx.extra as LiveSocket);
        }
      },
      onError: (_ctx, _id, _payload, errors) => {
        return errors.map((e) => new GraphQLError(formatError(e.toJSON(), e, production).message, { path: e.path, extensions: formatError(e.toJSON(), e, production).extensions }));
      },
      onNext: (_ctx, _id, _payload, args, result) => {
        // The next event of a subscription starts from a fresh EntityManager and loaders.
        if (getOperationAST(args.document, args.operationName)?.operation === 'subscription') live.renew(args.contextValue as Context);
        if (!('errors' in result) || !result.errors?.length) return result;
        return { ...result, errors: result.errors.map((e: GraphQLError) => formatError(e.toJSON ? e.toJSON() : e, e, production)) } as never;
      },
    },
    wsServer,
  );

  // Sockets of revoked, expired or disabled sessions close within seconds: one query for all.
  const sessionCheck = setInterval(() => {
    live.closeEnded().catch((err) => logger.debug({ err }, 'session check skipped'));
  }, config.WS_SESSION_CHECK_SECONDS * 1000);
  sessionCheck.unref();

  // ---- HTTP (Apollo) ----
  const apollo = new ApolloServer<Context>({
    schema,
    introspection: config.GRAPHQL_INTROSPECTION,
    csrfPrevention: true,
    allowBatchedHttpRequests: false,
    includeStacktraceInErrorResponses: !production,
    hideSchemaDetailsFromClientErrors: production,
    parseOptions: { maxTokens: config.GRAPHQL_MAX_TOKENS },
    validationRules: limitRules(config),
    formatError: (formatted, error) => formatError(formatted, error, production),
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      {
        async serverWillStart() {
          return {
            async drainServer() {
              clearInterval(sessionCheck);
              live.stop();
              await wsCleanup.dispose();
            },
          };
        },
      },
      ApolloServerPluginLandingPageDisabled(),
      namedInputErrors<Context>(),
      // Its per-field wrapper doubled execution time on large lists (bench P9); we set no cache hints.
      ApolloServerPluginCacheControlDisabled(),
    ],
  });
  await apollo.start();

  // Modules' own HTTP routes (uploads, downloads), authenticated like GraphQL.
  const contextOf = async (req: express.Request): Promise<Context> => {
    const ip = clientIp(req);
    const em = orm.em.fork() as SqlEntityManager;
    const who = await identify(services, em, bearer(req.headers.authorization), ip);
    const ctx = createContext(services, who.identity, { ip, requestId: (req as Request & { requestId: string }).requestId, em });
    if (who.authError) ctx.authError = who.authError;
    return ctx;
  };
  for (const m of modules) {
    if (!m.routes) continue;
    const router = express.Router();
    m.routes(router, { contextOf });
    app.use(router);
  }

  app.use(
    '/graphql',
    express.json({ limit: '1mb' }),
    expressMiddleware(apollo, {
      context: async ({ req }) => {
        const ip = clientIp(req);
        const em = orm.em.fork() as SqlEntityManager;
        let who;
        try {
          who = await identify(services, em, bearer(req.headers.authorization), ip);
        } catch (err) {
          throw unavailable(err);
        }
        const ctx = createContext(services, who.identity, { ip, requestId: (req as Request & { requestId: string }).requestId, em });
        if (who.authError) (ctx as Context & { authError?: Error }).authError = who.authError;
        return ctx;
      },
    }),
  );

  if (config.SERVE_BACKOFFICE) {
    if (fs.existsSync(path.join(BACKOFFICE_DIST, 'index.html'))) {
      serveBackoffice(app, BACKOFFICE_DIST);
    } else {
      app.get('/', (_req, res) => {
        res.type('html').send(`<!doctype html><html lang="tr"><head><meta charset="utf-8"><title>Çağrı Merkezi</title></head>
<body style="font-family:sans-serif;max-width:40rem;margin:3rem auto">
<h1>Çağrı Merkezi / Call Center</h1>
<p>The API answers at <a href="/graphql">/graphql</a> (HTTP and WebSocket).</p>
<p>The back office has not been built yet: <code>npm run build:backoffice</code>.</p></body></html>`);
      });
    }
  }

  // Typed errors from module routes, malformed JSON bodies and other middleware errors:
  // a JSON answer with a code and the matching status, never a stack.
  app.use((err: Error & { status?: number; type?: string }, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    if (err instanceof AppError) {
      const code = String(err.extensions.code);
      res.status(HTTP_STATUS[code] ?? 400).json({ errors: [{ message: err.message, extensions: err.extensions }] });
      return;
    }
    if (isConnectionError(err)) {
      res.status(503).json({ errors: [{ message: 'The database is unavailable; try again shortly.', extensions: { code: 'SERVICE_UNAVAILABLE' } }] });
      return;
    }
    const status = err.status && err.status >= 400 && err.status < 500 ? err.status : 500;
    if (status === 500) logger.error({ err }, 'unhandled HTTP error');
    // The code that goes with the status (a JSON body over its limit: 413 PAYLOAD_TOO_LARGE).
    const code = status === 500 ? 'INTERNAL_SERVER_ERROR' : status === 413 ? 'PAYLOAD_TOO_LARGE' : status === 415 ? 'UNSUPPORTED_MEDIA_TYPE' : 'BAD_REQUEST';
    res.status(status).json({ errors: [{ message: status === 500 ? 'Internal server error' : err.message, extensions: { code } }] });
  });

  return {
    httpServer,
    schema,
    sockets: live,
    listen: (port, host = config.HOST) =>
      new Promise((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(port, host, () => resolve((httpServer.address() as { port: number }).port));
      }),
    close: async () => {
      await apollo.stop();
      wsServer.close();
    },
  };
}
