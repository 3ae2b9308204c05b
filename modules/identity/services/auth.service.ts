import { createHash, randomBytes } from 'node:crypto';
import { BlockList, isIP } from 'node:net';
import { hash, verify } from '@node-rs/argon2';
import type { SqlEntityManager } from '@mikro-orm/postgresql';
import type { Config } from '../../../api/config';
import type { Context, Identity } from '../../../api/context';
import { BadInputError, ForbiddenError, RateLimitedError, UnauthenticatedError } from '../../../api/errors';
import type { ErrorReason } from '../../../api/error-reasons';
import { textArray } from '../../../api/ids';
import type { Grant, Principal } from '../../../api/module';
import { Session } from '../entities/session.entity';
import { User } from '../entities/user.entity';

/** argon2id, OWASP's minimum: 19 MiB, 2 passes, 1 lane. */
const ARGON2 = { algorithm: 2 /* Argon2id */, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2);
}

// Verified against when the e-mail is unknown, so both cases take the same time.
let dummyHash: Promise<string> | null = null;
const getDummyHash = () => (dummyHash ??= hashPassword(randomBytes(16).toString('hex')));

export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export const normalizeEmail = (email: string) => email.trim().toLowerCase();

/** Normalises an IPv4-mapped IPv6 address (`::ffff:10.0.0.1`) to IPv4. */
export function normalizeIp(ip: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  return m ? m[1] : ip;
}

export function isValidRange(range: string): boolean {
  const [addr, prefix, ...rest] = range.split('/');
  if (rest.length) return false;
  const family = isIP(addr);
  if (!family) return false;
  if (prefix === undefined) return true;
  if (!/^\d{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (family === 4 ? 32 : 128);
}

export function ipAllowed(ranges: string[], ip: string): boolean {
  if (!ranges.length) return true;
  const addr = normalizeIp(ip);
  const family = isIP(addr);
  if (!family) return false;
  const list = new BlockList();
  for (const r of ranges) {
    const [a, p] = r.split('/');
    const fam = isIP(a) === 6 ? 'ipv6' : 'ipv4';
    if (p === undefined) list.addAddress(a, fam);
    else list.addSubnet(a, Number(p), fam);
  }
  return list.check(addr, family === 6 ? 'ipv6' : 'ipv4');
}

const INVALID = 'Invalid e-mail or password.';

export interface SignInResult {
  token: string;
  session: Session;
  user: User;
}

/**
 * The address a throttle counts against: an IPv4 address as is, an IPv6 address by its /64
 * (one subscriber usually holds a whole /64, so rotating within it must not reset the count).
 */
export function throttleAddress(ip: string): string {
  const addr = normalizeIp(ip).split('%')[0];
  if (isIP(addr) !== 6) return addr.slice(0, 64);
  const [head, tail] = addr.split('::');
  const groups = (part: string | undefined) => (part ? part.split(':').flatMap((g) => (g.includes('.') ? ['0', '0'] : [g])) : []);
  const h = groups(head);
  const t = groups(tail);
  const all = tail === undefined ? h : [...h, ...Array<string>(Math.max(0, 8 - h.length - t.length)).fill('0'), ...t];
  return `${all
    .slice(0, 4)
    .map((g) => parseInt(g || '0', 16).toString(16))
    .join(':')}::/64`;
}

/** Throttle keys (rows of `login_throttles`). */
const signInKey = (email: string, address: string) => `signin:${email}|${address}`;
const addressKey = (address: string) => `signin-ip:${address}`;
const passwordKey = (userId: number) => `password:${userId}`;

const secondsUntil = (until: Date | string) => Math.max(1, Math.ceil((new Date(until).getTime() - Date.now()) / 1000));

/** Seconds until the latest lock among these keys ends, or 0 when none is locked. */
async function lockedFor(em: SqlEntityManager, keys: string[]): Promise<number> {
  const rows = await em.execute<{ locked_until: Date | null }[]>(
    'select max(locked_until) as locked_until from login_throttles where key = any(?::text[]) and locked_until > now()',
    [textArray(keys)],
  );
  return rows[0]?.locked_until ? secondsUntil(rows[0].locked_until) : 0;
}

/**
 * Counts one failure against a key, atomically in PostgreSQL (every server instance counts
 * into the same row); the failure that reaches `max` within the window locks the key for
 * `minutes` and starts a new count.
 */
async function recordFailure(em: SqlEntityManager, key: string, max: number, minutes: number): Promise<void> {
  const [row] = await em.execute<{ failures: number }[]>(
    `insert into login_throttles as t (key, failures, window_started_at) values (?, 1, now())
     on conflict (key) do update set
       failures = case when t.window_started_at < now() - make_interval(mins => ?) then 1 else t.failures + 1 end,
       window_started_at = case when t.window_started_at < now() - make_interval(mins => ?) then now() else t.window_started_at end
     returning failures`,
    [key, minutes, minutes],
  );
  if (row && row.failures >= max) {
    await em.execute(`update login_throttles set locked_until = now() + make_interval(mins => ?), failures = 0, window_started_at = now() where key = ?`, [minutes, key]);
  }
}

/**
 * Runs the attempts of one key one after the other in this process. A check-then-verify
 * throttle lets a burst of parallel requests all pass the check before the first failure is
 * counted; in turn, each attempt sees the ones before it. Nothing is held in the database
 * while waiting. Across instances a burst can exceed a budget by at most one attempt per
 * other instance. A key with too many waiting attempts refuses more for a moment.
 */
const MAX_WAITING = 100;
const queues = new Map<string, { tail: Promise<unknown>; waiting: number }>();
async function oneAtATime<T>(key: string, work: () => Promise<T>): Promise<T> {
  const q = queues.get(key) ?? { tail: Promise.resolve(), waiting: 0 };
  if (q.waiting >= MAX_WAITING) throw new RateLimitedError('Too many sign-in attempts at once. Try again in a moment.', 1);
  q.waiting++;
  queues.set(key, q);
  const run = q.tail.then(work, work);
  q.tail = run.catch(() => undefined).finally(() => {
    if (--q.waiting === 0 && queues.get(key) === q) queues.delete(key);
  });
  return run;
}

const tooManySignIns = (seconds: number) => new RateLimitedError(`Too many failed sign-in attempts. Try again in ${Math.ceil(seconds / 60)} minute(s).`, seconds);

/**
 * Sign-in. Unknown e-mail and wrong password give the same answer after the same work.
 * Failures are counted per (e-mail, address), known e-mail or not, and per address across
 * e-mails: an attacker's address gets locked, the account's owner elsewhere still gets in.
 * Sign-in writes the user's last sign-in time with a plain update: it neither takes part in
 * nor bumps the user's optimistic lock, so simultaneous sign-ins all succeed.
 */
export async function signIn(em: SqlEntityManager, config: Config, input: { email: string; password: string }, meta: { ip: string; userAgent?: string }): Promise<SignInResult> {
  const email = normalizeEmail(input.email).slice(0, 320);
  const address = throttleAddress(meta.ip);
  const keys = [signInKey(email, address), addressKey(address)];
  // A throw-away context: the user read here is never flushed (the request's own context may
  // hold the same user, from a token sent along, and must not see this write as its change).
  const work = em.fork();
  const user = await oneAtATime(keys[1], async () => {
    const locked = await lockedFor(em, keys);
    if (locked) throw tooManySignIns(locked);
    const found = await work.findOne(User, { email, archivedAt: null });
    const ok = found ? await verify(found.passwordHash, input.password).catch(() => false) : (await verify(await getDummyHash(), input.password).catch(() => false), false);
    if (!found || !ok) {
      await recordFailure(em, keys[0], config.LOGIN_MAX_FAILURES, config.LOGIN_LOCK_MINUTES);
      await recordFailure(em, keys[1], config.LOGIN_IP_MAX_FAILURES, config.LOGIN_LOCK_MINUTES);
      throw new UnauthenticatedError(INVALID, { reason: 'INVALID_CREDENTIALS' });
    }
    // The right password: the (e-mail, address) count starts over; the address's is kept, so
    // signing in to an account of one's own does not buy more guesses at others.
    await em.execute('delete from login_throttles where key = ?', [keys[0]]);
    return found;
  });
  if (!user.active) throw new UnauthenticatedError('This account is disabled.', { reason: 'ACCOUNT_DISABLED' });
  if (!ipAllowed(user.allowedIpRanges, meta.ip)) {
    throw new ForbiddenError('Signing in from this address is not allowed for this account.', { reason: 'IP_NOT_ALLOWED' });
  }
  const token = randomBytes(32).toString('base64url');
  const now = new Date();
  const session = em.create(Session, {
    tokenHash: hashToken(token),
    user: em.getReference(User, user.id),
    createdAt: now,
    lastSeenAt: now,
    expiresAt: new Date(now.getTime() + config.SESSION_ABSOLUTE_HOURS * 3600_000),
    ip: normalizeIp(meta.ip).slice(0, 64),
    userAgent: meta.userAgent?.slice(0, 400) ?? null,
  });
  await em.flush();
  await em.execute('update users set last_sign_in_at = ? where id = ?', [now, user.id]);
  user.lastSignInAt = now;
  return { token, session, user };
}

/**
 * Changes the signed-in user's password. Wrong current passwords are counted per user (all
 * their sessions together): a stolen token cannot guess the password without limit.
 */
export async function changePassword(ctx: Context, input: { currentPassword: string; newPassword: string }): Promise<boolean> {
  const user = ctx.user;
  if (!user) throw new UnauthenticatedError();
  const key = passwordKey(user.id);
  await oneAtATime(key, async () => {
    const locked = await lockedFor(ctx.em, [key]);
    if (locked) throw new RateLimitedError(`Too many wrong current passwords. Try again in ${Math.ceil(locked / 60)} minute(s).`, locked);
    const ok = await verify(user.passwordHash, input.currentPassword).catch(() => false);
    if (!ok) {
      await recordFailure(ctx.em, key, ctx.config.PASSWORD_CHANGE_MAX_FAILURES, ctx.config.LOGIN_LOCK_MINUTES);
      throw new BadInputError('input.currentPassword', 'The current password is wrong.', 'WRONG_PASSWORD');
    }
    await ctx.em.execute('delete from login_throttles where key = ?', [key]);
  });
  if (input.currentPassword === input.newPassword) throw new BadInputError('input.newPassword', 'The new password must differ from the current one.', 'SAME_PASSWORD');
  user.passwordHash = await hashPassword(input.newPassword);
  await ctx.em.flush();
  await revokeSessions(ctx.em, user.id, ctx.session?.id);
  return true;
}

/** Why a session is no longer good, or null when it is. */
export function sessionProblem(session: Session, config: Config, ip: string, now = new Date()): string | null {
  if (session.revokedAt) return 'Your session was ended. Sign in again.';
  if (session.expiresAt <= now) return 'Your session has expired. Sign in again.';
  if (session.lastSeenAt.getTime() + config.SESSION_IDLE_MINUTES * 60_000 <= now.getTime()) return 'Your session expired after inactivity. Sign in again.';
  const user = session.user;
  if (!user.active || user.archivedAt) return 'This account is disabled.';
  if (!ipAllowed(user.allowedIpRanges, ip)) return 'This account may not be used from this address.';
  return null;
}

/** The stable reason (extensions.reason) of a sessionProblem message. */
function problemReason(problem: string): ErrorReason {
  if (/disabled/.test(problem)) return 'ACCOUNT_DISABLED';
  if (/address/.test(problem)) return 'IP_NOT_ALLOWED';
  if (/ended/.test(problem)) return 'SESSION_ENDED';
  return 'SESSION_EXPIRED';
}

/**
 * Turns a bearer token into the identity the request acts as: user, grants of their roles,
 * and the teams the permission scopes need. Two queries; a third, at most once a minute,
 * slides the idle expiry.
 */
export async function resolveIdentity(em: SqlEntityManager, config: Config, token: string, ip: string): Promise<Identity> {
  const session = await em.findOne(Session, { tokenHash: hashToken(token) }, { populate: ['user', 'user.roles'] });
  if (!session) throw new UnauthenticatedError('Your session is not valid. Sign in again.', { reason: 'SESSION_ENDED' });
  const problem = sessionProblem(session, config, ip);
  if (problem) throw new UnauthenticatedError(problem, { reason: problemReason(problem) });
  const user = session.user;
  if (Date.now() - session.lastSeenAt.getTime() > 60_000) {
    await em.nativeUpdate(Session, { id: session.id }, { lastSeenAt: new Date() });
  }
  const grants: Grant[] = user.roles.getItems().filter((r) => !r.archivedAt).flatMap((r) => r.grants);
  return { user, session, grants, principal: await loadPrincipal(em, user.id) };
}

/** The identity of a user without a session: for background work done on a user's behalf. */
export async function identityOf(em: SqlEntityManager, userId: number): Promise<Identity> {
  const user = await em.findOneOrFail(User, { id: userId }, { populate: ['roles'] });
  const grants: Grant[] = user.roles.getItems().filter((r) => !r.archivedAt).flatMap((r) => r.grants);
  return { user, session: null, grants, principal: await loadPrincipal(em, user.id) };
}

/** The user's teams, the teams they lead and everyone in them, for permission scopes. */
export async function loadPrincipal(em: SqlEntityManager, userId: number): Promise<Principal> {
  const rows = await em.execute<{ id: number; leader_id: number | null; members: number[] | null }[]>(
    `select t.id, t.leader_id, array(select tm.user_id from team_members tm where tm.team_id = t.id) as members
       from teams t
      where t.archived_at is null
        and (t.leader_id = ? or exists (select 1 from team_members m where m.team_id = t.id and m.user_id = ?))`,
    [userId, userId],
  );
  const members = new Set<number>([userId]);
  for (const r of rows) {
    for (const m of r.members ?? []) members.add(Number(m));
    if (r.leader_id) members.add(Number(r.leader_id));
  }
  return {
    id: userId,
    teamIds: rows.map((r) => Number(r.id)),
    ledTeamIds: rows.filter((r) => Number(r.leader_id) === userId).map((r) => Number(r.id)),
    teamMemberIds: [...members],
  };
}

export async function signOut(ctx: Context): Promise<boolean> {
  if (!ctx.session) throw new UnauthenticatedError();
  await ctx.em.nativeUpdate(Session, { id: ctx.session.id }, { revokedAt: new Date() });
  return true;
}

/** Ends every open session of a user (disabled, archived, password changed). */
export async function revokeSessions(em: SqlEntityManager, userId: number, exceptSessionId?: number): Promise<number> {
  const where: Record<string, unknown> = { user: userId, revokedAt: null };
  if (exceptSessionId) where.id = { $ne: exceptSessionId };
  return em.nativeUpdate(Session, where, { revokedAt: new Date() });
}
