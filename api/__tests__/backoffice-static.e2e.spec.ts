import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { execFileSync } from 'node:child_process';
import http from 'node:http';
import request from 'supertest';
import { startTestApp, type TestApp } from '../../test/harness';
import { acceptedEncodings } from '../static';

/**
 * The back office's first load: the sign-in page (index.html and every script it loads before
 * any route chunk) arrives pre-compressed, brotli when the browser takes it and gzip otherwise,
 * under 300 kB in all; a browser that takes neither gets the plain files.
 */

const BACKOFFICE = path.join(__dirname, '..', '..', 'backoffice');
const DIST = path.join(BACKOFFICE, 'dist');
const LIMIT = 300 * 1024;

let t: TestApp;

/** The files the sign-in page loads: index.html's scripts, preloads and styles, and their static imports. */
function loginAssets(html: string): string[] {
  const refs = new Set<string>();
  for (const m of html.matchAll(/<(?:script[^>]*\ssrc|link[^>]*\shref)="(\/assets\/[^"]+)"/g)) refs.add(m[1]);
  const queue = [...refs];
  while (queue.length) {
    const ref = queue.shift()!;
    if (!ref.endsWith('.js')) continue;
    const code = fs.readFileSync(path.join(DIST, ref), 'utf8');
    // Static imports only (`import … from"./x.js"`, `import"./x.js"`); `import("./x.js")` is a route chunk.
    for (const m of code.matchAll(/(?:\bfrom|\bimport)\s*"\.\/([^"]+)"/g)) {
      const dep = `/assets/${m[1]}`;
      if (!refs.has(dep)) {
        refs.add(dep);
        queue.push(dep);
      }
    }
  }
  return [...refs];
}

beforeAll(async () => {
  if (!fs.existsSync(path.join(DIST, 'index.html.br'))) {
    execFileSync(process.execPath, [path.join(BACKOFFICE, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', 'warn'], { cwd: BACKOFFICE, stdio: 'inherit' });
  }
  t = await startTestApp({ SERVE_BACKOFFICE: 'true' }, { world: false });
});

afterAll(async () => {
  await t?.stop();
});

/** One GET with the bytes as sent (supertest and fetch would decompress them). */
function fetchRaw(url: string, encoding: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    http
      .get(`${t.url}${url}`, { headers: { 'accept-encoding': encoding } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

describe.each([
  ['br', 'br', (b: Buffer) => zlib.brotliDecompressSync(b)],
  ['gzip, deflate', 'gzip', (b: Buffer) => zlib.gunzipSync(b)],
])('the sign-in page with Accept-Encoding: %s', (accept, encoding, decode) => {
  test(`every file comes ${encoding}-encoded, the same bytes as built, under 300 kB in all`, async () => {
    const index = await fetchRaw('/', accept);
    expect(index.status).toBe(200);
    expect(index.headers['content-encoding']).toBe(encoding);
    expect(index.headers['content-type']).toMatch(/^text\/html/);
    expect(index.headers.vary).toMatch(/Accept-Encoding/i);
    expect(index.headers['cache-control']).toBe('no-cache');
    const html = decode(index.body).toString('utf8');
    expect(html).toBe(fs.readFileSync(path.join(DIST, 'index.html'), 'utf8'));
    const assets = loginAssets(html);
    expect(assets.some((a) => a.endsWith('.js'))).toBe(true);
    let total = index.body.length;
    for (const a of assets) {
      const res = await fetchRaw(a, accept);
      expect([a, res.status, res.headers['content-encoding']]).toEqual([a, 200, encoding]);
      expect(res.headers['content-type']).toMatch(a.endsWith('.css') ? /^text\/css/ : /^(text|application)\/javascript/);
      expect(res.headers.vary).toMatch(/Accept-Encoding/i);
      expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(decode(res.body).equals(fs.readFileSync(path.join(DIST, a)))).toBe(true);
      total += res.body.length;
    }
    console.log(`sign-in page, ${encoding}: ${assets.length + 1} files, ${(total / 1024).toFixed(1)} kB transferred`);
    expect(total).toBeLessThan(LIMIT);
  });
});

test('a client that takes no encoding gets the plain files; a page address gets index.html', async () => {
  const index = await fetchRaw('/', 'identity');
  expect(index.headers['content-encoding']).toBeUndefined();
  expect(index.headers.vary).toMatch(/Accept-Encoding/i);
  const html = index.body.toString('utf8');
  const script = /<script[^>]*\ssrc="([^"]+)"/.exec(html)![1];
  const js = await fetchRaw(script, 'br;q=0, gzip;q=0');
  expect(js.headers['content-encoding']).toBeUndefined();
  expect(js.body.equals(fs.readFileSync(path.join(DIST, script)))).toBe(true);
  const page = await fetchRaw('/applications/12/show', 'gzip');
  expect(page.status).toBe(200);
  expect(page.headers['content-encoding']).toBe('gzip');
  expect(zlib.gunzipSync(page.body).toString('utf8')).toBe(html);
  // supertest's client sends gzip and decodes it: the page reads as built.
  const viaSupertest = await request(t.url).get('/login').set('Accept-Encoding', 'gzip');
  expect(viaSupertest.headers['content-encoding']).toBe('gzip');
  expect(viaSupertest.text).toBe(html);
  const outside = await fetchRaw('/assets/%2e%2e/%2e%2e/package.json', 'identity');
  expect(outside.body.toString('utf8')).not.toContain('"dependencies"');
});

test('Accept-Encoding negotiation', () => {
  expect([...acceptedEncodings('gzip, deflate, br, zstd')].sort()).toEqual(['br', 'deflate', 'gzip', 'zstd']);
  expect([...acceptedEncodings('br;q=0, gzip;q=0.8')]).toEqual(['gzip']);
  expect([...acceptedEncodings('*')].sort()).toEqual(['br', 'gzip']);
  expect([...acceptedEncodings('*, br;q=0')]).toEqual(['gzip']);
  expect([...acceptedEncodings(undefined)]).toEqual([]);
});
