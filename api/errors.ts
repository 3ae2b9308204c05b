import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { ArgumentValidationError } from 'type-graphql';
import { OptimisticLockError } from '@mikro-orm/core';
import type { ValidationError } from 'class-validator';
import { logger } from './logger';
import type { ErrorReason } from './error-reasons';
import { validationIssues } from './validation';

/**
 * The error codes integrators can rely on (`extensions.code`). Modules throw these;
 * `formatError` turns anything else into a generic INTERNAL_SERVER_ERROR.
 */
export type ErrorCode =
  | 'BAD_USER_INPUT'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'RATE_LIMITED'
  | 'SERVICE_UNAVAILABLE'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'INTERNAL_SERVER_ERROR';

export class AppError extends GraphQLError {
  constructor(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}) {
    super(message, { extensions: { ...extensions, code } });
  }
}

/**
 * Bad input: `field` is the path of the offending input, e.g. `input.email`; `reason` (see
 * api/error-reasons.ts) and its `params` let clients say it in the user's language.
 */
export class BadInputError extends AppError {
  constructor(field: string, message: string, reason?: ErrorReason, params?: Record<string, unknown>, extra: Record<string, unknown> = {}) {
    super('BAD_USER_INPUT', message, { field, ...(reason ? { reason } : {}), ...(params ? { params } : {}), ...extra });
  }
}
export class UnauthenticatedError extends AppError {
  constructor(message = 'You must sign in.', extra: Record<string, unknown> & { reason?: ErrorReason } = {}) {
    super('UNAUTHENTICATED', message, { reason: 'UNAUTHENTICATED', ...extra });
  }
}
export class ForbiddenError extends AppError {
  constructor(message = 'You are not allowed to do this.', extra: Record<string, unknown> & { reason?: ErrorReason } = {}) {
    super('FORBIDDEN', message, { reason: 'FORBIDDEN', ...extra });
  }
}
export class NotFoundError extends AppError {
  constructor(subject: string, id?: unknown, field?: string) {
    const reason: ErrorReason = field && field !== 'id' ? 'NOT_FOUND_REFERENCE' : 'NOT_FOUND';
    super('NOT_FOUND', id === undefined ? `${subject} not found.` : `${subject} ${String(id)} not found.`, { ...(field ? { field } : {}), reason, params: { subject, ...(id === undefined ? {} : { id: String(id) }) } });
  }
}
export class ConflictError extends AppError {
  constructor(message: string, extra: Record<string, unknown> & { reason?: ErrorReason } = {}) {
    super('CONFLICT', message, { reason: 'CONFLICT', ...extra });
  }
}
export class RateLimitedError extends AppError {
  constructor(message: string, retryAfterSeconds: number) {
    super('RATE_LIMITED', message, { retryAfterSeconds, reason: 'RATE_LIMITED', params: { minutes: Math.ceil(retryAfterSeconds / 60) } });
  }
}

/** Production answers give no schema hints ("Did you mean …?"). */
export function withoutSuggestions(message: string, production: boolean): string {
  return production ? message.replace(/ ?Did you mean(.+?)\?$/, '') : message;
}

const PG_CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', '57P01', '57P02', '57P03', '08000', '08003', '08006', '08001', '08004']);

export function isConnectionError(err: unknown): boolean {
  const e = err as { code?: string; message?: string } | null;
  if (!e) return false;
  if (e.code && PG_CONNECTION_CODES.has(e.code)) return true;
  const m = e.message ?? '';
  return /Connection terminated|Connection ended unexpectedly|server closed the connection unexpectedly|connect ECONNREFUSED|Client has encountered a connection error|is not queryable|timeout exceeded when trying to connect|Knex: Timeout acquiring a connection|terminating connection|the database system is (starting up|shutting down)/i.test(m);
}

/**
 * Apollo's formatError: keeps typed errors, names the field for validation errors,
 * hides internals. `originalError` is the thrown value when it was not a GraphQLError.
 */
export function formatError(formatted: GraphQLFormattedError, error: unknown, production: boolean): GraphQLFormattedError {
  const original = (error as { originalError?: unknown })?.originalError ?? error;
  const path = formatted.path;

  if (original instanceof ArgumentValidationError) {
    const argName = firstArgName(error);
    const fields = validationIssues(original.extensions.validationErrors as ValidationError[], argName);
    const first = fields[0];
    return {
      message: first ? `${first.field}: ${first.message}` : 'Invalid input.',
      path,
      extensions: { code: 'BAD_USER_INPUT', field: first?.field, reason: first?.reason ?? 'INVALID', params: first?.params, fields },
    };
  }
  if (original instanceof AppError) {
    return { message: original.message, path, extensions: original.extensions };
  }
  const code = formatted.extensions?.code as string | undefined;
  if (code && code !== 'INTERNAL_SERVER_ERROR') {
    // GraphQL's own errors (parse, validation, variable coercion, limits): safe to show.
    const { stacktrace: _s, ...ext } = formatted.extensions ?? {};
    void _s;
    // No schema hints in production (Apollo strips them from validation errors only).
    const message = withoutSuggestions(formatted.message, production);
    return { ...formatted, message, extensions: ext };
  }
  if (original instanceof OptimisticLockError) {
    // Normally prevented by locking the row before the version check; kept as a safety net.
    return { message: 'The record was changed by someone else at the same time. Reload and try again.', path, extensions: { code: 'CONFLICT', reason: 'CONFLICT' } };
  }
  if (isConnectionError(original)) {
    logger.warn({ err: original }, 'database unavailable');
    return { message: 'The database is unavailable; try again shortly.', path, extensions: { code: 'SERVICE_UNAVAILABLE' } };
  }
  const pgCode = (original as { code?: string })?.code;
  if (pgCode === '23505') {
    return { message: 'A record with the same unique value already exists.', path, extensions: { code: 'CONFLICT', reason: 'NOT_UNIQUE' } };
  }
  if (pgCode === '22021' || pgCode === '22P02' || pgCode === '22003' || pgCode === '22001' || pgCode === '22007' || pgCode === '22008') {
    // A safety net only: input is checked where it is parsed (with its field); one that gets
    // here is a missing check, logged to be fixed.
    logger.warn({ err: original, path }, 'unchecked input reached PostgreSQL');
    return { message: 'A value is out of range or malformed.', path, extensions: { code: 'BAD_USER_INPUT', reason: 'INVALID' } };
  }
  logger.error({ err: original, path }, 'unexpected error');
  if (!production) return { ...formatted, extensions: { ...formatted.extensions, code: 'INTERNAL_SERVER_ERROR' } };
  return { message: 'Internal server error', path, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
}

function firstArgName(error: unknown): string {
  // type-graphql validates one argument at a time; its name is the usual "input".
  const e = error as { originalError?: { argumentName?: string } };
  return e.originalError?.argumentName ?? 'input';
}
