import type { ModuleDefinition } from '../../api/module';
import { Role } from './entities/role.entity';
import { LoginThrottle, Session } from './entities/session.entity';
import { Team } from './entities/team.entity';
import { TeamMember, UserRole } from './entities/pivots.entity';
import { User } from './entities/user.entity';
import { seedIdentityDemo } from './demo';
import { identityDefaultGrants, identitySubjects } from './permissions';
import { RoleResolver, TeamResolver, UserResolver } from './resolvers/identity.resolver';

/** Users, teams, roles, sessions and sign-in. */
export const identityModule: ModuleDefinition = {
  name: 'identity',
  entities: [User, Team, Role, Session, LoginThrottle, TeamMember, UserRole],
  resolvers: [UserResolver, TeamResolver, RoleResolver],
  subjects: identitySubjects,
  defaultGrants: identityDefaultGrants,
  seedDemo: seedIdentityDemo,
  jobs: [
    {
      name: 'identity.purge-sessions',
      schedule: '17 3 * * *',
      async handler(ctx) {
        // Ended sessions are kept a week for audit, then removed.
        await ctx.em.execute(
          `delete from sessions where (revoked_at is not null and revoked_at < now() - interval '7 days') or expires_at < now() - interval '7 days'`,
        );
        await ctx.em.execute(`delete from login_throttles where window_started_at < now() - interval '1 day' and (locked_until is null or locked_until < now())`);
      },
    },
  ],
};
