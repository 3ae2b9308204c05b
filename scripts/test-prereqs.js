#!/usr/bin/env node
/**
 * What `npm test` needs beyond npm packages (run as its `pretest`):
 *   - Dovecot (dovecot-imapd): the mail tests run a private IMAP server;
 *   - pdftotext and pdftoppm (poppler-utils): the export tests read the PDFs they produce;
 *   - Chromium (/usr/bin/chromium, or CHROMIUM_PATH): the back office's browser tests;
 *   - the back office's packages (backoffice/node_modules): its unit and browser tests.
 * What is missing is installed when possible (system packages with apt-get as root, running
 * `apt-get update` once when an install fails; the back office's packages with npm). What
 * cannot be installed stops `npm test` with a message naming it and the command to install it.
 * No suite is skipped for want of a tool.
 *
 *   node scripts/test-prereqs.js             check, install what is missing, check again
 *   node scripts/test-prereqs.js --check     check only: name what is missing, install nothing
 *   node scripts/test-prereqs.js --dry-run   check, and print the commands it would run
 *
 * DOVECOT_PATH (default /usr/sbin/dovecot) and CHROMIUM_PATH (default /usr/bin/chromium) say
 * where the tests look for those two; pdftotext and pdftoppm are looked up on PATH.
 * PostgreSQL is not needed: without one at 127.0.0.1:5432 the tests start an embedded one.
 */
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const mode = process.argv.includes('--check') ? 'check' : process.argv.includes('--dry-run') ? 'dry-run' : 'install';

function executable(file) {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function onPath(name) {
  return (process.env.PATH || '')
    .split(path.delimiter)
    .filter(Boolean)
    .map((dir) => path.join(dir, name))
    .find(executable);
}

/** Each requirement: how to tell it is there, and how it is installed. */
function requirements() {
  const dovecot = process.env.DOVECOT_PATH || '/usr/sbin/dovecot';
  const chromium = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
  const backoffice = path.join(root, 'backoffice', 'node_modules');
  return [
    { name: `Dovecot (${dovecot})`, why: 'the mail tests run a private IMAP server', present: () => executable(dovecot), apt: dovecot === '/usr/sbin/dovecot' ? 'dovecot-imapd' : null, other: `DOVECOT_PATH=${dovecot} is not an executable: point it at dovecot, or unset it to use /usr/sbin/dovecot (sudo apt-get install -y dovecot-imapd)` },
    { name: 'pdftotext', why: 'the export tests read the text of the PDFs they produce', present: () => !!onPath('pdftotext'), apt: 'poppler-utils' },
    { name: 'pdftoppm', why: 'the export tests render the PDFs they produce', present: () => !!onPath('pdftoppm'), apt: 'poppler-utils' },
    { name: `Chromium (${chromium})`, why: "the back office's browser tests drive it", present: () => executable(chromium), apt: process.env.CHROMIUM_PATH ? null : 'chromium', other: `CHROMIUM_PATH=${chromium} is not an executable: point it at Chromium, or unset it to use /usr/bin/chromium (sudo apt-get install -y chromium)` },
    {
      name: "the back office's packages (backoffice/node_modules: playwright-core, vitest)",
      why: "the back office's unit and browser tests",
      present: () => ['playwright-core', 'vitest'].every((p) => fs.existsSync(path.join(backoffice, p, 'package.json'))),
      npm: ['npm', ['--prefix', 'backoffice', 'install', '--no-audit', '--no-fund']],
    },
  ];
}

const missingNow = () => requirements().filter((r) => !r.present());

function run(cmd, args) {
  console.log(`[test-prereqs] ${mode === 'dry-run' ? 'would run' : 'running'}: ${[cmd, ...args].join(' ')}`);
  if (mode === 'dry-run') return true;
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  return r.status === 0;
}

/** Why apt-get cannot be used here, or null when it can. */
function aptUnavailable() {
  if (!onPath('apt-get')) return 'apt-get is not available on this machine';
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return 'installing system packages needs root (run `npm test` as root, or install them first)';
  return null;
}

function install(missing) {
  const notes = [];
  const packages = [...new Set(missing.map((r) => r.apt).filter(Boolean))];
  if (packages.length) {
    const why = aptUnavailable();
    if (why) notes.push(why);
    else {
      const args = ['install', '-y', '-qq', ...packages];
      // The package lists may be stale or absent (a fresh container): update once, then retry.
      if (!run('apt-get', args) && mode !== 'dry-run' && !(run('apt-get', ['update', '-qq']) && run('apt-get', args))) notes.push(`apt-get could not install ${packages.join(' ')}`);
    }
  }
  for (const r of missing.filter((m) => m.npm)) if (!run(...r.npm)) notes.push(`${r.npm[0]} ${r.npm[1].join(' ')} failed`);
  return notes;
}

function report(missing, notes) {
  const lines = ['', 'npm test cannot run: missing on this machine:'];
  for (const r of missing) {
    const how = r.apt ? `sudo apt-get install -y ${r.apt}` : r.npm ? `${r.npm[0]} ${r.npm[1].join(' ')}` : r.other;
    lines.push(`  - ${r.name}: ${r.why}.`, `      install: ${how}`);
  }
  for (const n of notes) lines.push(`  (${n})`);
  lines.push('');
  console.error(lines.join('\n'));
}

function main() {
  let missing = missingNow();
  if (!missing.length) {
    console.log('[test-prereqs] ok: Dovecot, pdftotext, pdftoppm, Chromium and the back office\'s packages are present');
    return 0;
  }
  let notes = [];
  if (mode !== 'check') {
    console.log(`[test-prereqs] missing: ${missing.map((r) => r.name).join(', ')}; installing`);
    notes = install(missing);
    if (mode === 'install') missing = missingNow();
  }
  if (!missing.length) {
    console.log('[test-prereqs] ok: installed what was missing');
    return 0;
  }
  report(missing, notes);
  return 1;
}

process.exitCode = main();
