import fs from 'node:fs';
import path from 'node:path';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Config } from '../../../api/config';
import { logger } from '../../../api/logger';

const keys = new Map<string, Buffer>();

/**
 * The key mailbox passwords are encrypted with: MAIL_SECRET_KEY (32 bytes, hex or base64),
 * else one generated on first use and kept in DATA_DIR/mail-secret.key (mode 600). Losing
 * that file means re-entering the mailbox passwords.
 */
export function mailKey(config: Config): Buffer {
  if (config.MAIL_SECRET_KEY) {
    const k = config.MAIL_SECRET_KEY;
    return /^[0-9a-fA-F]{64}$/.test(k) ? Buffer.from(k, 'hex') : Buffer.from(k.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  }
  const file = path.join(config.dataDir, 'mail-secret.key');
  const cached = keys.get(file);
  if (cached) return cached;
  let key: Buffer;
  if (fs.existsSync(file)) key = Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'hex');
  else {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    key = randomBytes(32);
    try {
      fs.writeFileSync(file, key.toString('hex'), { mode: 0o600, flag: 'wx' });
      logger.info({ file }, 'generated the mail secret key');
    } catch {
      key = Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'hex'); // another process won the race
    }
  }
  keys.set(file, key);
  return key;
}

/** AES-256-GCM: `v1.<iv>.<tag>.<ciphertext>` in base64url. */
export function encryptSecret(config: Config, plain: string): string {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', mailKey(config), iv);
  const data = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
  return ['v1', iv.toString('base64url'), c.getAuthTag().toString('base64url'), data.toString('base64url')].join('.');
}

export function decryptSecret(config: Config, enc: string | null | undefined): string | undefined {
  if (!enc) return undefined;
  const [v, iv, tag, data] = enc.split('.');
  if (v !== 'v1') throw new Error('unknown secret format');
  const d = createDecipheriv('aes-256-gcm', mailKey(config), Buffer.from(iv, 'base64url'));
  d.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([d.update(Buffer.from(data, 'base64url')), d.final()]).toString('utf8');
}
