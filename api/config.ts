import path from 'node:path';
import { z } from 'zod';

/**
 * Every setting the server reads, validated once at start. A wrong value stops the
 * process with a message naming the variable (see `loadConfig`).
 */
const bool = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .optional()
    .transform((v) => (v === undefined ? fallback : ['true', '1', 'yes'].includes(v)));

const int = (fallback: number, min: number, max: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);

const cidrList = z
  .string()
  .optional()
  .transform((v) =>
    (v ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  )
  .refine((list) => list.every((c) => /^[0-9a-fA-F:.]+(\/\d{1,3})?$/.test(c) || ['loopback', 'linklocal', 'uniquelocal'].includes(c)), {
    message: 'expected a comma-separated list of IP addresses or CIDR ranges',
  });

const schema = z.object({
  NODE_ENV: z.enum(['production', 'development', 'test']).default('production'),
  PORT: int(4000, 0, 65535),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATA_DIR: z.string().min(1).default('./.data'),
  DATABASE_URL: z
    .string()
    .url()
    .refine((u) => /^postgres(ql)?:\/\//.test(u), { message: 'must start with postgres:// or postgresql://' })
    .optional(),
  EMBEDDED_PG_PORT: int(54329, 1024, 65535),
  DB_POOL_MAX: int(10, 1, 200),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ADMIN_EMAIL: z.string().email().default('admin@example.com'),
  ADMIN_PASSWORD: z.string().min(10, 'must be at least 10 characters').optional(),
  SESSION_IDLE_MINUTES: int(240, 1, 60 * 24 * 30),
  SESSION_ABSOLUTE_HOURS: int(24, 1, 24 * 90),
  LOGIN_MAX_FAILURES: int(5, 1, 100),
  LOGIN_LOCK_MINUTES: int(15, 1, 24 * 60),
  LOGIN_IP_MAX_FAILURES: int(30, 1, 100_000),
  PASSWORD_CHANGE_MAX_FAILURES: int(5, 1, 100),
  TRUSTED_PROXIES: cidrList,
  GRAPHQL_INTROSPECTION: bool(false),
  GRAPHQL_MAX_DEPTH: int(12, 2, 100),
  GRAPHQL_MAX_ALIASES: int(30, 0, 1000),
  GRAPHQL_MAX_DIRECTIVES: int(30, 0, 1000),
  GRAPHQL_MAX_TOKENS: int(5000, 100, 1_000_000),
  GRAPHQL_MAX_COST: int(50_000, 100, 10_000_000),
  WS_MAX_SUBSCRIPTIONS: int(50, 1, 10_000),
  WS_MAX_CONNECTIONS_PER_USER: int(20, 1, 10_000),
  WS_SESSION_CHECK_SECONDS: int(5, 1, 3600),
  JOBS_ENABLED: bool(true),
  LIST_COUNT_CAP: int(10_000, 100, 10_000_000),
  SERVE_BACKOFFICE: bool(true),
  DOCUMENT_MAX_BYTES: int(25 * 1024 * 1024, 1, 2 * 1024 * 1024 * 1024),
  DOCUMENTS_DIR: z.string().min(1).optional(),
  EXPORTS_DIR: z.string().min(1).optional(),
  EXPORT_TTL_HOURS: int(24, 1, 24 * 90),
  EXPORT_LINK_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  IMPORT_MAX_BYTES: int(20 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
  MAIL_SECRET_KEY: z
    .string()
    .regex(/^(?:[0-9a-fA-F]{64}|[A-Za-z0-9+/_-]{43}=?)$/, 'must be 32 bytes as 64 hex digits or base64')
    .optional(),
  MAIL_MAX_MESSAGE_BYTES: int(25 * 1024 * 1024, 1024, 2 * 1024 * 1024 * 1024),
  MAIL_POLL_SECONDS: int(60, 1, 24 * 3600),
  MAIL_ACK_DAILY_CAP: int(3, 0, 1000),
  MAIL_BATCH_SIZE: int(100, 1, 10_000),
  MAIL_CONCURRENCY: int(4, 1, 64),
  MAIL_WORKERS_ENABLED: bool(true),
  MAIL_RAW_RETENTION_DAYS: int(30, 0, 3650),
});

export type Config = z.infer<typeof schema> & {
  dataDir: string;
  /** EMBEDDED_PG_PORT was set: a busy port is an error instead of a reason to pick another. */
  embeddedPgPortPinned: boolean;
};

export class ConfigError extends Error {}

export function parseConfig(env: Record<string, string | undefined>): Config {
  // Empty strings count as unset, as in most twelve-factor tools.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = schema.safeParse(cleaned);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const c = result.data;
  // Introspection is on by default outside production (the back office and tools use it).
  const introspection = env.GRAPHQL_INTROSPECTION === undefined || env.GRAPHQL_INTROSPECTION === '' ? c.NODE_ENV !== 'production' : c.GRAPHQL_INTROSPECTION;
  return { ...c, GRAPHQL_INTROSPECTION: introspection, dataDir: path.resolve(c.DATA_DIR), embeddedPgPortPinned: cleaned.EMBEDDED_PG_PORT !== undefined };
}

export function loadConfig(): Config {
  return parseConfig(process.env);
}
