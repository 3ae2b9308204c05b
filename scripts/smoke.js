#!/usr/bin/env node
/**
 * Start-up smoke test, as a user on a fresh machine would run it: a new DATA_DIR and no
 * DATABASE_URL (so the embedded PostgreSQL starts), `/readyz` green within 60 s, the
 * administrator signs in and queries `me`, SIGTERM shuts down cleanly (exit 0).
 * Runs with whichever Node binary runs it (CI runs it under Node 20 and Node 24).
 *   node scripts/smoke.js
 */
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const net = require('node:net');

const root = path.join(__dirname, '..');
const freePort = () =>
  new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

async function main() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-smoke-'));
  const port = await freePort();
  const pgPort = await freePort();
  const env = { ...process.env, DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', EMBEDDED_PG_PORT: String(pgPort), ADMIN_EMAIL: 'admin@smoke.local', ADMIN_PASSWORD: 'smoke-password-1', LOG_LEVEL: 'warn', JOBS_ENABLED: 'true' };
  delete env.DATABASE_URL;
  delete env.NODE_ENV;
  const started = Date.now();
  const child = spawn(process.execPath, ['-r', './api/register.js', 'api/main.ts'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const fail = async (msg) => {
    child.kill('SIGKILL');
    console.error(`smoke (node ${process.version}): FAILED: ${msg}\n--- server output ---\n${output}`);
    process.exit(1);
  };
  const base = `http://127.0.0.1:${port}`;
  let ready = false;
  while (Date.now() - started < 60_000) {
    try {
      const r = await fetch(`${base}/readyz`);
      if (r.status === 200) {
        ready = true;
        break;
      }
    } catch {}
    if (child.exitCode !== null) return fail(`server exited with ${child.exitCode}`);
    await new Promise((r) => setTimeout(r, 500));
  }
  if (!ready) return fail('/readyz not green within 60 s');
  const readyMs = Date.now() - started;
  const gql = async (query, variables, token) => {
    const r = await fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify({ query, variables }) });
    return r.json();
  };
  const signIn = await gql('mutation($i: SignInInput!) { signIn(input: $i) { token } }', { i: { email: 'admin@smoke.local', password: 'smoke-password-1' } });
  const token = signIn.data?.signIn?.token;
  if (!token) return fail(`sign-in failed: ${JSON.stringify(signIn)}`);
  const me = await gql('{ me { email roles { key } } }', {}, token);
  if (me.data?.me?.email !== 'admin@smoke.local' || me.data.me.roles[0]?.key !== 'administrator') return fail(`me: ${JSON.stringify(me)}`);
  const page = await fetch(`${base}/`);
  if (page.status !== 200) return fail(`back office / answered ${page.status}`);
  child.kill('SIGTERM');
  const { code, signal } = await Promise.race([exited, new Promise((r) => setTimeout(() => r({ code: 'timeout' }), 25_000))]);
  if (code !== 0) return fail(`SIGTERM: exit ${code} ${signal ?? ''}`);
  fs.rmSync(dataDir, { recursive: true, force: true });
  console.log(`smoke (node ${process.version}): ok: embedded PostgreSQL ready in ${(readyMs / 1000).toFixed(1)} s, admin signed in, me answered, clean shutdown`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
