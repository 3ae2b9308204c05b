import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

const BACKOFFICE = path.join(__dirname, '..');
export const SCREENSHOTS = path.join(__dirname, 'screenshots');

function newest(dir: string): number {
  let t = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : fs.statSync(p).mtimeMs);
  }
  return t;
}

/** Builds the back office when dist is missing or older than its sources or the schema. */
export function ensureBuilt(): void {
  const index = path.join(BACKOFFICE, 'dist', 'index.html');
  const sources = Math.max(newest(path.join(BACKOFFICE, 'src')), fs.statSync(path.join(BACKOFFICE, '..', 'schema', 'schema.graphql')).mtimeMs, fs.statSync(path.join(BACKOFFICE, 'index.html')).mtimeMs);
  if (fs.existsSync(index) && fs.statSync(index).mtimeMs >= sources) return;
  execFileSync(process.execPath, [path.join(BACKOFFICE, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', 'warn'], { cwd: BACKOFFICE, stdio: 'inherit' });
}

export interface Session {
  page: Page;
  context: BrowserContext;
  errors: string[];
  apiErrors: string[];
  close(): Promise<void>;
  shot(name: string): Promise<void>;
}

/** A fresh Chromium profile (Debian's browser), Turkish unless told otherwise. */
export async function openBrowser(baseUrl: string, opts: { locale?: string; width?: number; height?: number } = {}): Promise<Session> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-chromium-'));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    locale: opts.locale ?? 'tr-TR',
    viewport: { width: opts.width ?? 1366, height: opts.height ?? 800 },
    acceptDownloads: true,
    baseURL: baseUrl,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', `--lang=${opts.locale ?? 'tr-TR'}`],
  });
  context.setDefaultTimeout(15_000);
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.text().startsWith('missing translation')) errors.push(m.text());
  });
  // GraphQL errors the page met, for the test's failure messages.
  const apiErrors: string[] = [];
  page.on('response', async (r) => {
    if (!r.url().endsWith('/graphql') || r.request().method() !== 'POST') return;
    const body = await r.text().catch(() => '');
    if (body.includes('"errors"')) apiErrors.push(`${r.request().postDataJSON()?.operationName ?? ''}: ${body.slice(0, 400)}`);
  });
  return {
    page,
    context,
    errors,
    apiErrors,
    async close() {
      await context.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
    async shot(name: string) {
      fs.mkdirSync(SCREENSHOTS, { recursive: true });
      await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
    },
  };
}

/** Signs in through the sign-in page. */
export async function signIn(page: Page, email: string, password: string): Promise<void> {
  await page.goto('/#/login');
  await page.locator('input[name=username]').fill(email);
  await page.locator('input[name=password]').fill(password);
  await page.locator('button[type=submit]').click();
  await page.locator('#react-admin-title, [id=react-admin-title]').waitFor({ state: 'attached' });
  await page.waitForURL((u) => !u.hash.startsWith('#/login'));
}
