import { randomBytes } from 'node:crypto';
import type { SqlEntityManager } from '@mikro-orm/postgresql';
import type { Config } from './config';
import { logger } from './logger';
import type { BuiltInRoleKey, Grant, ModuleDefinition } from './module';
import { Role } from '../modules/identity/entities/role.entity';
import { User } from '../modules/identity/entities/user.entity';
import { hashPassword, normalizeEmail } from '../modules/identity';

const BUILT_IN: { key: BuiltInRoleKey; name: string; description: string }[] = [
  { key: 'administrator', name: 'Administrator', description: 'Configures everything; sees every record and report.' },
  { key: 'team_leader', name: 'Team leader', description: "Their teams' work and reports." },
  { key: 'agent', name: 'Agent', description: "Their own work, their team's, and work assigned to everyone." },
];

/**
 * Creates the built-in roles and gives them the default grants of every module. A module
 * added later gets its defaults on the next start; grants an administrator changed for a
 * subject already seeded are left alone.
 */
export async function ensureBuiltInRoles(em: SqlEntityManager, modules: ModuleDefinition[]): Promise<void> {
  for (const def of BUILT_IN) {
    let role = await em.findOne(Role, { key: def.key });
    if (!role) role = em.create(Role, { key: def.key, name: def.name, description: def.description, builtIn: true, grants: [], seededSubjects: [] });
    if (def.key === 'administrator') {
      role.grants = [{ subject: 'all', action: 'manage', scope: 'all' }];
      continue;
    }
    const seeded = new Set(role.seededSubjects);
    const added: Grant[] = [];
    for (const m of modules) {
      for (const subject of m.subjects ?? []) {
        if (seeded.has(subject.name)) continue;
        added.push(...(m.defaultGrants?.[def.key] ?? []).filter((g) => g.subject === subject.name));
        seeded.add(subject.name);
      }
    }
    if (added.length || seeded.size !== role.seededSubjects.length) {
      role.grants = [...role.grants, ...added];
      role.seededSubjects = [...seeded];
    }
  }
  await em.flush();
}

/** On an empty database: the first administrator. Returns the generated password, if any. */
export async function ensureAdministrator(em: SqlEntityManager, config: Config): Promise<{ email: string; password?: string } | null> {
  if ((await em.count(User, {})) > 0) return null;
  const adminRole = await em.findOneOrFail(Role, { key: 'administrator' });
  const generated = config.ADMIN_PASSWORD ? undefined : randomBytes(12).toString('base64url');
  const email = normalizeEmail(config.ADMIN_EMAIL);
  const user = em.create(User, { name: 'Administrator', email, passwordHash: await hashPassword(config.ADMIN_PASSWORD ?? generated!), active: true, allowedIpRanges: [] });
  user.roles.add(adminRole);
  await em.flush();
  logger.info({ email }, 'administrator created');
  return { email, password: generated };
}

export async function bootstrap(em: SqlEntityManager, config: Config, modules: ModuleDefinition[]) {
  await ensureBuiltInRoles(em, modules);
  for (const m of modules) if (m.bootstrap) await m.bootstrap(em);
  return ensureAdministrator(em, config);
}
