/**
 * The load client: a separate process that fires requests over loopback and reports latencies.
 *   node -r ./api/register.js bench/load.ts spec.json   → prints a JSON result on stdout
 *
 * A case is a GraphQL request over HTTP (keep-alive, like a browser or an integration) or a
 * hand-written SQL statement over `pg` (the baselines). In `interleave` mode the cases take
 * turns request by request, so a candidate and its baseline see the same machine conditions;
 * in `separate` mode each case runs alone (throughput at a given concurrency).
 */
import fs from 'node:fs';
import http from 'node:http';
import pg from 'pg';
import { rssOf, summarize, writeResult, type Summary } from './lib';

export type LoadCase =
  | { name: string; kind: 'http'; body: string; token?: string; capture?: boolean }
  | { name: string; kind: 'sql'; sql: string; params?: unknown[]; capture?: boolean };

export interface LoadSpec {
  url?: string;
  databaseUrl?: string;
  cases: LoadCase[];
  mode: 'interleave' | 'separate';
  concurrency: number;
  warmup: { requests: number; maxMs: number };
  /** Stops at maxRequests per case, or after maxMs once every case has minRequests, or at hardMs in any case. */
  measure: { minRequests: number; maxRequests: number; maxMs: number; hardMs?: number };
}

export interface LoadResult {
  cases: Record<string, Summary & { captured?: unknown }>;
  clientPeakRssMB: number | null;
}

type Runner = (c: LoadCase, slot: number) => Promise<{ ok: boolean; error?: string; body?: unknown }>;

async function main() {
  const spec = JSON.parse(fs.readFileSync(process.argv[2], 'utf8')) as LoadSpec;
  const conc = Math.max(1, spec.concurrency);
  const agent = new http.Agent({ keepAlive: true, maxSockets: conc * 2 });
  const target = spec.url ? new URL(spec.url) : null;
  const clients: pg.Client[] = [];
  if (spec.cases.some((c) => c.kind === 'sql')) {
    for (let i = 0; i < conc; i++) {
      const c = new pg.Client({ connectionString: spec.databaseUrl, application_name: 'bench-baseline' });
      await c.connect();
      clients.push(c);
    }
  }

  const postGraphql = (body: string, token?: string) =>
    new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = http.request(
        {
          agent,
          host: target!.hostname,
          port: target!.port,
          path: '/graphql',
          method: 'POST',
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...(token ? { authorization: `Bearer ${token}` } : {}) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (d: Buffer) => chunks.push(d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });

  const run: Runner = async (c, slot) => {
    if (c.kind === 'http') {
      const { status, text } = await postGraphql(c.body, c.token);
      // Parsing is part of what a client pays; errors are checked after the clock stops.
      let parsed: any;
      try {
        parsed = JSON.parse(text);
      } catch {
        return { ok: false, error: `HTTP ${status}: ${text.slice(0, 300)}` };
      }
      if (status !== 200 || parsed.errors?.length) return { ok: false, error: `HTTP ${status}: ${JSON.stringify(parsed.errors ?? parsed).slice(0, 500)}` };
      return { ok: true, body: parsed };
    }
    const r = await clients[slot].query(c.sql, c.params as unknown[]);
    return { ok: true, body: r.rows };
  };

  const timed = async (c: LoadCase, slot: number) => {
    const t0 = process.hrtime.bigint();
    try {
      const r = await run(c, slot);
      return { ms: Number(process.hrtime.bigint() - t0) / 1e6, ...r };
    } catch (err) {
      return { ms: Number(process.hrtime.bigint() - t0) / 1e6, ok: false, error: String((err as Error).message ?? err) };
    }
  };

  const state = new Map(spec.cases.map((c) => [c.name, { lat: [] as number[], errors: 0, firstError: undefined as string | undefined, captured: undefined as unknown, first: 0, last: 0 }]));

  // Warm-up: each case a few times (JIT, plans, caches, connections).
  for (const c of spec.cases) {
    const until = Date.now() + spec.warmup.maxMs;
    for (let i = 0; i < spec.warmup.requests && Date.now() < until; i += conc) {
      await Promise.all(Array.from({ length: conc }, (_, slot) => timed(c, slot)));
    }
  }

  const record = (c: LoadCase, r: Awaited<ReturnType<typeof timed>>) => {
    const s = state.get(c.name)!;
    if (r.ok) {
      s.lat.push(r.ms);
      if (c.capture && s.captured === undefined) s.captured = r.body;
    } else {
      s.errors++;
      s.firstError ??= r.error;
    }
  };
  const enough = (names: string[], started: number) => {
    const all = names.map((n) => state.get(n)!);
    const count = (s: (typeof all)[number]) => s.lat.length + s.errors;
    if (all.every((s) => count(s) >= spec.measure.maxRequests)) return true;
    const elapsed = Date.now() - started;
    if (elapsed >= (spec.measure.hardMs ?? 2 * spec.measure.maxMs)) return true;
    return elapsed >= spec.measure.maxMs && all.every((s) => count(s) >= spec.measure.minRequests);
  };

  if (spec.mode === 'interleave') {
    const names = spec.cases.map((c) => c.name);
    const started = Date.now();
    for (const n of names) state.get(n)!.first = started;
    await Promise.all(
      Array.from({ length: conc }, async (_, slot) => {
        let i = slot;
        while (!enough(names, started)) {
          const c = spec.cases[i++ % spec.cases.length];
          const s = state.get(c.name)!;
          if (s.lat.length + s.errors >= spec.measure.maxRequests) continue;
          record(c, await timed(c, slot));
        }
      }),
    );
    const ended = Date.now();
    for (const n of names) state.get(n)!.last = ended;
  } else {
    for (const c of spec.cases) {
      const started = Date.now();
      await Promise.all(
        Array.from({ length: conc }, async (_, slot) => {
          while (!enough([c.name], started)) record(c, await timed(c, slot));
        }),
      );
      const s = state.get(c.name)!;
      s.first = started;
      s.last = Date.now();
    }
  }

  const result: LoadResult = { cases: {}, clientPeakRssMB: rssOf(process.pid)?.peakMB ?? null };
  for (const c of spec.cases) {
    const s = state.get(c.name)!;
    result.cases[c.name] = { ...summarize(s.lat, s.errors, s.last - s.first, s.firstError), captured: s.captured };
  }
  for (const c of clients) await c.end();
  agent.destroy();
  writeResult(result);
}

main().catch((err) => {
  process.stderr.write(`load client failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
