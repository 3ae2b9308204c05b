import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { sleep, startTestApp, type TestApp } from '../../../test/harness';

/**
 * Uploads that do not end as they should, on every upload route: a body cut before its closing
 * boundary (a client that dies, a proxy that cuts it), a client that goes away mid-upload, a
 * malformed part header. Each gets an answer (or, when the client is gone, nothing), the server
 * keeps serving, and nothing is left behind: no partial file, no open file descriptor.
 */

let t: TestApp;
let dataDir: string;
let port: number;
let appId: string;

const PDF = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(60_000, 'ş'), Buffer.from('\n%%EOF\n')]);
const XLSX = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(60_000, 7)]);
const BOUNDARY = '----sinir7MA4YWxkTrZu0gW';

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'uploads-'));
  t = await startTestApp({ DATA_DIR: dataDir, DOCUMENT_MAX_BYTES: '100000', IMPORT_MAX_BYTES: '100000' });
  port = Number(new URL(t.url).port);
  const gql = async (q: string, i: unknown) => {
    const r = await t.gql(q, { i }, { as: 'admin' });
    if (r.errors) throw new Error(JSON.stringify(r.errors));
    return r.data;
  };
  const account = (await gql('mutation($i: CreateAccountInput!) { createAccount(input: $i) { id } }', { kind: 'COMPANY', name: 'Yükleme A.Ş.' })).createAccount.id;
  const category = (await gql('mutation($i: CreateCategoryInput!) { createCategory(input: $i) { id } }', { name: 'Belge' })).createCategory.id;
  appId = (await gql('mutation($i: CreateApplicationInput!) { createApplication(input: $i) { id } }', { applicantId: account, categoryId: category, subject: 'Fatura itirazı' })).createApplication.id;
});
afterAll(async () => {
  await t?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const routes = () => [
  { path: '/documents', file: PDF, name: 'şikâyet.pdf', type: 'application/pdf', fields: {} as Record<string, string> },
  { path: `/applications/${appId}/documents`, file: PDF, name: 'ıslak-imza.pdf', type: 'application/pdf', fields: {} },
  { path: '/imports', file: XLSX, name: 'cariler.xlsx', type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', fields: { target: 'accounts' } },
];

function multipart(fields: Record<string, string>, file: Buffer, fileName: string, type: string): { head: Buffer; file: Buffer; tail: Buffer } {
  const parts = Object.entries(fields).map(([k, v]) => `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`);
  const head = Buffer.from(`${parts.join('')}--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="${fileName}"\r\nContent-Type: ${type}\r\n\r\n`, 'utf8');
  return { head, file, tail: Buffer.from(`\r\n--${BOUNDARY}--\r\n`) };
}

/**
 * Sends a raw HTTP request: `body` as given (Content-Length says its full length unless
 * `declared` is set). `abort` destroys the socket after the body is written. Resolves with the
 * status and JSON body, or null when the connection closed without an answer.
 */
function raw(pathname: string, body: Buffer, opts: { declared?: number; abort?: boolean; wait?: number } = {}): Promise<{ status: number; json: any } | null> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let data = Buffer.alloc(0);
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      const text = data.toString('utf8');
      const m = /^HTTP\/1\.1 (\d{3})/.exec(text);
      if (!m) return resolve(null);
      const json = text.slice(text.indexOf('\r\n\r\n') + 4);
      let parsed: unknown = null;
      try {
        parsed = JSON.parse(json);
      } catch {
        parsed = json;
      }
      resolve({ status: Number(m[1]), json: parsed });
    };
    const timer = setTimeout(finish, opts.wait ?? 5000);
    socket.on('data', (c) => {
      data = Buffer.concat([data, c]);
      const text = data.toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      const length = /\r\ncontent-length: (\d+)/i.exec(text);
      if (end > 0 && length && data.length - end - 4 >= Number(length[1])) finish();
    });
    socket.on('error', () => finish());
    socket.on('close', () => finish());
    socket.on('connect', () => {
      socket.write(
        `POST ${pathname} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${t.world.users.admin.token}\r\nContent-Type: multipart/form-data; boundary=${BOUNDARY}\r\nContent-Length: ${opts.declared ?? body.length}\r\n\r\n`,
      );
      socket.write(body, () => {
        if (opts.abort) setTimeout(() => socket.destroy(), 30);
      });
    });
  });
}

const openFds = () => fs.readdirSync('/proc/self/fd').length;
const filesUnder = (dir: string): string[] =>
  fs.existsSync(dir) ? fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile() && !e.name.startsWith('.')).map((e) => path.join(e.parentPath ?? '', e.name)) : [];
const stored = () => [...filesUnder(path.join(dataDir, 'documents')), ...filesUnder(path.join(dataDir, 'exports', 'imports'))];

async function stillServing() {
  const r = await t.gql('{ documents { total } }', {}, { as: 'admin' });
  expect(r.status).toBe(200);
  expect(r.errors).toBeUndefined();
}

async function settle(expected: number, before: number) {
  // Descriptors and files go as the server notices each end; give it a moment.
  for (let i = 0; i < 50 && (openFds() > before + 3 || stored().length > expected); i++) await sleep(100);
}

test('a body that ends before its closing boundary answers 400 on the file, and the server keeps serving', async () => {
  for (const r of routes()) {
    const m = multipart(r.fields, r.file, r.name, r.type);
    // The body (as long as it says) ends before the closing boundary arrives.
    const cut = Buffer.concat([m.head, m.file.subarray(0, 20_000)]);
    const res = await raw(r.path, cut);
    expect({ path: r.path, status: res?.status, code: res?.json?.errors?.[0]?.extensions?.code, field: res?.json?.errors?.[0]?.extensions?.field }).toEqual({ path: r.path, status: 400, code: 'BAD_USER_INPUT', field: 'file' });
    await stillServing();
  }
  await settle(0, Infinity);
  expect(stored()).toEqual([]);
});

test('20 uploads cut short or abandoned mid-way leave no partial file and no open descriptor', async () => {
  // Warm up (pool connections, folders), then count.
  for (const r of routes()) {
    const m = multipart(r.fields, r.file, r.name, r.type);
    const ok = await raw(r.path, Buffer.concat([m.head, m.file, m.tail]));
    expect([201, 202]).toContain(ok?.status);
  }
  await sleep(200);
  const keep = stored();
  const before = openFds();
  for (let i = 0; i < 20; i++) {
    const r = routes()[i % 3];
    const m = multipart(r.fields, r.file, r.name, r.type);
    const part = Buffer.concat([m.head, m.file.subarray(0, 30_000)]);
    // Half: the client dies mid-upload (socket destroyed, body declared longer); half: the body is cut.
    if (i % 2 === 0) await raw(r.path, part, { declared: part.length + 40_000, abort: true, wait: 1000 });
    else await raw(r.path, part);
  }
  await settle(keep.length, before);
  await stillServing();
  expect(stored().sort()).toEqual(keep.sort());
  expect(openFds()).toBeLessThanOrEqual(before + 3);
});

test('a control character in the file name gets 400 naming the file field', async () => {
  for (const r of routes()) {
    const m = multipart(r.fields, r.file, `fatura\u0001.pdf`, r.type);
    const res = await raw(r.path, Buffer.concat([m.head, m.file, m.tail]));
    expect({ path: r.path, status: res?.status, code: res?.json?.errors?.[0]?.extensions?.code, field: res?.json?.errors?.[0]?.extensions?.field }).toEqual({ path: r.path, status: 400, code: 'BAD_USER_INPUT', field: 'file' });
    expect(res!.json.errors[0].message).toMatch(/control character/);
  }
  await stillServing();
});

test('a file over the route\'s limit answers 413 PAYLOAD_TOO_LARGE and is not kept', async () => {
  const keep = stored();
  for (const r of routes()) {
    const m = multipart(r.fields, Buffer.concat([r.file, Buffer.alloc(100_000, 1)]), r.name, r.type);
    const res = await raw(r.path, Buffer.concat([m.head, m.file, m.tail]));
    expect({ path: r.path, status: res?.status, code: res?.json?.errors?.[0]?.extensions?.code }).toEqual({ path: r.path, status: 413, code: 'PAYLOAD_TOO_LARGE' });
  }
  await settle(keep.length, Infinity);
  expect(stored().sort()).toEqual(keep.sort());
  await stillServing();
});
