import type { Context } from '../../api/context';
import type { DemoSeed } from '../../api/module';
import { Role } from './entities/role.entity';
import { Team } from './entities/team.entity';
import { User } from './entities/user.entity';
import { teamService } from './services/team.service';
import { userService } from './services/user.service';

const TEAMS = [
  {
    key: 'destek',
    name: 'Müşteri Destek Ekibi',
    description: 'Şikâyet ve talepleri karşılayan çağrı merkezi ekibi',
    leader: { name: 'Ayşe Yıldırım', email: 'ayse.yildirim@demo.local', phone: '+90 532 111 22 33' },
    agents: [
      { name: 'Mehmet Öztürk', email: 'mehmet.ozturk@demo.local', phone: '+90 533 222 33 44' },
      { name: 'Zeynep Çelik', email: 'zeynep.celik@demo.local', phone: '+90 534 333 44 55' },
      { name: 'İbrahim Şahin', email: 'ibrahim.sahin@demo.local', phone: '+90 535 444 55 66' },
    ],
  },
  {
    key: 'satis',
    name: 'Satış ve Abonelik Ekibi',
    description: 'Abonelik, kampanya ve fırsat görüşmeleri',
    leader: { name: 'Burak Aydın', email: 'burak.aydin@demo.local', phone: '+90 536 555 66 77' },
    agents: [
      { name: 'Elif Kılıç', email: 'elif.kilic@demo.local', phone: '+90 537 666 77 88' },
      { name: 'Oğuz Güneş', email: 'oguz.gunes@demo.local', phone: '+90 538 777 88 99' },
    ],
  },
];

/** Two teams, each with a team leader and agents, with Turkish names. */
export async function seedIdentityDemo(ctx: Context, demo: DemoSeed): Promise<void> {
  const roles = new Map((await ctx.em.find(Role, { key: { $ne: null } })).map((r) => [r.key!, String(r.id)]));
  const ensureUser = async (u: { name: string; email: string; phone: string }, role: string) => {
    const existing = await ctx.em.findOne(User, { email: u.email });
    if (existing) return existing.id;
    return (await userService.create(ctx, { ...u, password: demo.password, roleIds: [roles.get(role)!] })).id;
  };
  for (const team of TEAMS) {
    const leaderId = await ensureUser(team.leader, 'team_leader');
    const agentIds: number[] = [];
    for (const a of team.agents) agentIds.push(await ensureUser(a, 'agent'));
    let t = await ctx.em.findOne(Team, { name: team.name, archivedAt: null });
    if (!t) t = await teamService.create(ctx, { name: team.name, description: team.description, leaderId: String(leaderId), memberIds: agentIds.map(String) });
    demo.refs.set(`team:${team.key}`, t.id);
    demo.refs.set(`leader:${team.key}`, leaderId);
    agentIds.forEach((id, i) => demo.refs.set(`agent:${team.key}:${i}`, id));
    demo.notes.push(`  ${team.name}`);
    demo.notes.push(`    team leader: ${team.leader.email}`);
    for (const a of team.agents) demo.notes.push(`    agent:       ${a.email}`);
  }
}
