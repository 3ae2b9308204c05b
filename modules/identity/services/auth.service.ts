import { createHash, randomBytes } from 'node:crypto';
import { BlockList, isIP } from 'node:net';
import { hash, verify } from '@node-rs/argon2';
import type { SqlEntityManager } from '@mikro-orm/postgresql';
import type { Config } from '../../../api/config';
import type { Context, Identity } from '../../../api/context';
import { ForbiddenError, RateLimitedError, UnauthenticatedError } from '../../../api/errors';
import type { ErrorReason } from '../../../api/error-reasons';
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
 * Sign-in. Unknown e-mail and wrong password give the same answer after the same work;
 * failures are counted per e-mail (known or not) and lock it for a while.
 */
export async function signIn(em: SqlEntityManager, config: Config, input: { email: string; password: string }, meta: { ip: string; userAgent?: string }): Promise<SignInResult> {
  const email = normalizeEmail(input.email);
  const lock = await em.execute<{ locked_until: Date }[]>(
    'select locked_until from login_throttles where key = ? and locked_until > now()',
    [email],
  );
  if (lock.length) {
    const seconds = Math.max(1, Math.ceil((new Date(lock[0].locked_until).getTime() - Date.now()) / 1000));
    throw new RateLimitedError(`Too many failed sign-in attempts. Try again in ${Math.ceil(seconds / 60)} minute(s).`, seconds);
  }
  const user = await em.findOne(User, { email, archivedAt: null });
  const ok = user ? await verify(user.passwordHash, input.password).catch(() => false) : (await verify(await getDummyHash(), input.password).catch(() => false), false);
  if (!user || !ok) {
    await recordFailure(em, config, email);
    throw new UnauthenticatedError(INVALID, { reason: 'INVALID_CREDENTIALS' });
  }
  if (!user.active) throw new UnauthenticatedError('This account is disabled.', { reason: 'ACCOUNT_DISABLED' });
  if (!ipAllowed(user.allowedIpRanges, meta.ip)) {
    throw new ForbiddenError('Signing in from this address is not allowed for this account.', { reason: 'IP_NOT_ALLOWED' });
  }
  await em.execute('delete from login_throttles where key = ?', [email]);
  const token = randomBytes(32).toString('base64url');
  const now = new Date();
  const session = em.create(Session, {
    tokenHash: hashToken(token),
    user,
    createdAt: now,
    lastSeenAt: now,
    expiresAt: new Date(now.getTime() + config.SESSION_ABSOLUTE_HOURS * 3600_000),
    ip: normalizeIp(meta.ip).slice(0, 64),
    userAgent: meta.userAgent?.slice(0, 400) ?? null,
  });
  user.lastSignInAt = now;
  await em.flush();
  return { token, session, user };
}

async function recordFailure(em: SqlEntityManager, config: Config, email: string): Promise<void> {
  const window = config.LOGIN_LOCK_MINUTES;
  const rows = await em.execute<{ failures: number }[]>(
    `insert into login_throttles (key, failures, window_started_at) values (?, 1, now())
     on conflict (key) do update set
       failures = case when login_throttles.window_started_at < now() - make_interval(mins => ?) then 1 else login_throttles.failures + 1 end,
       window_started_at = case when login_throttles.window_started_at < now() - make_interval(mins => ?) then now() else login_throttles.window_started_at end
     returning failures`,
    [email.slice(0, 320), window, window],
  );
  if (rows[0] && rows[0].failures >= config.LOGIN_MAX_FAILURES) {
    await em.execute(
      `update login_throttles set locked_until = now() + make_interval(mins => ?), failures = 0, window_started_at = now() where key = ?`,
      [config.LOGIN_LOCK_MINUTES, email.slice(0, 320)],
    );
  }
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
