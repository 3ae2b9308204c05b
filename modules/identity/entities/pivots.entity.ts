import { Entity, Index, ManyToOne, type Rel } from '@mikro-orm/core';
import { Role } from './role.entity';
import { Team } from './team.entity';
import { User } from './user.entity';

/** Team membership (pivot of Team.members / User.teams), indexed both ways. */
@Entity({ tableName: 'team_members' })
@Index({ properties: ['user'] })
export class TeamMember {
  @ManyToOne(() => Team, { primary: true, deleteRule: 'cascade' })
  team!: Rel<Team>;

  @ManyToOne(() => User, { primary: true, deleteRule: 'cascade' })
  user!: Rel<User>;
}

/** Role assignment (pivot of User.roles), indexed both ways. */
@Entity({ tableName: 'user_roles' })
@Index({ properties: ['role'] })
export class UserRole {
  @ManyToOne(() => User, { primary: true, deleteRule: 'cascade' })
  user!: Rel<User>;

  @ManyToOne(() => Role, { primary: true, deleteRule: 'cascade' })
  role!: Rel<Role>;
}
