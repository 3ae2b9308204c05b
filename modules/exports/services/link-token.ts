import fs from 'node:fs';
import path from 'node:path';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Config } from '../../../api/config';

let cached: { dir: string; key: Buffer } | null = null;

/**
 * The key download links are signed with: EXPORT_LINK_SECRET, or a random key kept in
 * DATA_DIR/exports/.link-secret (created on first use, readable by the owner only), so links
 * survive restarts and work across instances sharing DATA_DIR.
 */
export function linkKey(config: Config): Buffer {
  if (config.EXPORT_LINK_SECRET) return Buffer.from(config.EXPORT_LINK_SECRET, 'utf8');
  const dir = exportsDir(config);
  if (cached?.dir === dir) return cached.key;
  const file = path.join(dir, '.link-secret');
  fs.mkdirSync(dir, { recursive: true });
  try {
    fs.writeFileSync(file, randomBytes(32).toString('hex'), { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const key = Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'hex');
  cached = { dir, key };
  return key;
}

export function exportsDir(config: Config): string {
  return path.resolve(config.EXPORTS_DIR ?? path.join(config.dataDir, 'exports'));
}

function mac(config: Config, jobId: number, expires: number): string {
  return createHmac('sha256', linkKey(config)).update(`export:${jobId}:${expires}`).digest('base64url');
}

/** `/exports/<id>/file?expires=<unix seconds>&sig=<HMAC>`: works without a session until it expires. */
export function signedPath(config: Config, jobId: number, expiresAt: Date): string {
  const expires = Math.floor(expiresAt.getTime() / 1000);
  return `/exports/${jobId}/file?expires=${expires}&sig=${mac(config, jobId, expires)}`;
}

/** 'ok', 'expired' or 'bad' (a forged or altered link). */
export function checkSignature(config: Config, jobId: number, expires: string | undefined, sig: string | undefined, now = Date.now()): 'ok' | 'expired' | 'bad' {
  if (!expires || !sig || !/^\d{1,12}$/.test(expires)) return 'bad';
  const want = Buffer.from(mac(config, jobId, Number(expires)));
  const got = Buffer.from(sig);
  if (want.length !== got.length || !timingSafeEqual(want, got)) return 'bad';
  return Number(expires) * 1000 <= now ? 'expired' : 'ok';
}
