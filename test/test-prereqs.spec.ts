import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * `npm test`'s pretest (scripts/test-prereqs.js) on a machine that lacks the tools. Nothing
 * is uninstalled and the real apt-get never runs: the script looks at a PATH without the
 * binaries, at DOVECOT_PATH / CHROMIUM_PATH that do not exist, and, to see it install, at a
 * stand-in `apt-get` that only records its arguments and fails.
 */

const SCRIPT = path.join(__dirname, '..', 'scripts', 'test-prereqs.js');
let bin: string;

beforeEach(() => {
  bin = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-prereqs-'));
});
afterEach(() => fs.rmSync(bin, { recursive: true, force: true }));

function prereqs(args: string[], env: Record<string, string>) {
  const base = { ...process.env };
  delete base.DOVECOT_PATH;
  delete base.CHROMIUM_PATH;
  const r = spawnSync(process.execPath, [SCRIPT, ...args], { env: { ...base, ...env }, encoding: 'utf8' });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

/** An `apt-get` that writes its arguments to apt.log; `update` succeeds, `install` fails (a package that cannot be found). */
function fakeAptGet(): string {
  const log = path.join(bin, 'apt.log');
  fs.writeFileSync(path.join(bin, 'apt-get'), `#!/bin/sh\necho "$@" >> ${log}\n[ "$1" = update ] && exit 0\nexit 100\n`, { mode: 0o755 });
  return log;
}

it('passes on this machine, where every tool is present', () => {
  const { code, out } = prereqs(['--check'], {});
  expect(out).toContain('[test-prereqs] ok');
  expect(code).toBe(0);
});

it('names each missing piece with the command that installs it, and fails (check only)', () => {
  const { code, out } = prereqs(['--check'], { PATH: bin, DOVECOT_PATH: path.join(bin, 'no-dovecot'), CHROMIUM_PATH: path.join(bin, 'no-chromium') });
  expect(code).toBe(1);
  expect(out).toContain('npm test cannot run: missing on this machine:');
  expect(out).toContain(`Dovecot (${path.join(bin, 'no-dovecot')}): the mail tests run a private IMAP server`);
  expect(out).toContain('sudo apt-get install -y dovecot-imapd');
  expect(out).toMatch(/- pdftotext: .*\n\s+install: sudo apt-get install -y poppler-utils/);
  expect(out).toMatch(/- pdftoppm: .*\n\s+install: sudo apt-get install -y poppler-utils/);
  expect(out).toContain(`Chromium (${path.join(bin, 'no-chromium')}): the back office's browser tests drive it`);
  expect(out).toContain(`CHROMIUM_PATH=${path.join(bin, 'no-chromium')} is not an executable`);
  expect(out).not.toContain('running:');
});

it('plans the apt-get install of the missing packages in a dry run, and runs nothing', () => {
  const log = fakeAptGet();
  const { code, out } = prereqs(['--dry-run'], { PATH: bin });
  expect(out).toContain('[test-prereqs] would run: apt-get install -y -qq poppler-utils');
  expect(fs.existsSync(log)).toBe(false);
  expect(code).toBe(1);
});

it('says how to install when apt-get is not available', () => {
  const { code, out } = prereqs([], { PATH: bin });
  expect(code).toBe(1);
  expect(out).toContain('apt-get is not available on this machine');
  expect(out).toContain('install: sudo apt-get install -y poppler-utils');
});

it('installs with apt-get, updates the package lists once when that fails, retries, then fails naming what is still missing', () => {
  const log = fakeAptGet();
  const { code, out } = prereqs([], { PATH: bin });
  expect(code).toBe(1);
  if (process.getuid?.() === 0) {
    expect(fs.readFileSync(log, 'utf8').trim().split('\n')).toEqual(['install -y -qq poppler-utils', 'update -qq', 'install -y -qq poppler-utils']);
    expect(out).toContain('apt-get could not install poppler-utils');
  } else {
    expect(fs.existsSync(log)).toBe(false);
    expect(out).toContain('installing system packages needs root');
  }
  expect(out).toMatch(/- pdftotext: .*\n\s+install: sudo apt-get install -y poppler-utils/);
});
