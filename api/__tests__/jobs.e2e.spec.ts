import { sleep, startTestApp, type TestApp } from '../../test/harness';

describe('background jobs (pg-boss)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ JOBS_ENABLED: 'true' });
  });
  afterAll(() => t.stop());

  it('runs a module job in the background: the session purge removes ended sessions a week old and keeps live ones', async () => {
    const live = await t.sql(`select count(*)::int as n from sessions where revoked_at is null`);
    await t.sql(
      `insert into sessions (token_hash, user_id, expires_at, revoked_at, created_at, last_seen_at)
       values (md5('old-revoked') || md5('x'), $1, now() + interval '1 day', now() - interval '8 days', now() - interval '9 days', now() - interval '9 days'),
              (md5('old-expired') || md5('y'), $1, now() - interval '8 days', null, now() - interval '9 days', now() - interval '9 days'),
              (md5('recent-revoked') || md5('z'), $1, now() + interval '1 day', now() - interval '1 day', now() - interval '2 days', now() - interval '2 days')`,
      [t.world.users.agentA1.id],
    );
    const id = await t.app.jobs!.send('identity.purge-sessions');
    expect(id).toBeTruthy();
    const deadline = Date.now() + 30_000;
    let rows: { token_hash: string }[] = [];
    while (Date.now() < deadline) {
      rows = await t.sql(`select token_hash from sessions where token_hash in (md5('old-revoked') || md5('x'), md5('old-expired') || md5('y'), md5('recent-revoked') || md5('z'))`);
      if (rows.length === 1) break;
      await sleep(250);
    }
    expect(rows.map((r) => r.token_hash)).toEqual([await t.sql(`select md5('recent-revoked') || md5('z') as h`).then((r) => r[0].h)]);
    const after = await t.sql(`select count(*)::int as n from sessions where revoked_at is null and expires_at > now()`);
    expect(after[0].n).toBe(live[0].n);
    const [job] = await t.sql(`select state from pgboss.job where id = $1`, [id]);
    expect(job.state).toBe('completed');
  });

  it('schedules recurring jobs', async () => {
    const rows = await t.sql(`select name, cron from pgboss.schedule`);
    expect(rows).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'identity.purge-sessions', cron: '17 3 * * *' })]));
  });

  it('refuses unknown jobs', async () => {
    await expect(t.app.jobs!.send('no.such.job')).rejects.toThrow(/unknown job/);
  });
});
