import fs from 'node:fs';
import path from 'node:path';
import express from 'express';

/**
 * The back office's built files (`backoffice/dist`), sent pre-compressed: `npm run build` writes
 * `x.br` and `x.gz` beside each text asset, and the browser's Accept-Encoding picks one (brotli
 * first, then gzip, else the plain file). Every answer says `Vary: Accept-Encoding`. Vite's
 * hashed assets are immutable; index.html is checked on every load, so a deploy shows at once.
 */

const ENCODINGS = [
  { name: 'br', ext: '.br' },
  { name: 'gzip', ext: '.gz' },
] as const;

/** Encodings the client accepts (q > 0), from an Accept-Encoding header. */
export function acceptedEncodings(header: string | undefined): Set<string> {
  const out = new Set<string>();
  let star = false;
  const refused = new Set<string>();
  for (const part of (header ?? '').split(',')) {
    const [token, ...params] = part.trim().toLowerCase().split(';');
    if (!token) continue;
    const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)).find(Boolean);
    const ok = !q || Number(q[1]) > 0;
    if (token === '*') star = ok;
    else if (ok) out.add(token);
    else refused.add(token);
  }
  if (star) for (const e of ENCODINGS) if (!refused.has(e.name)) out.add(e.name);
  return out;
}

export function serveBackoffice(app: express.Express, dist: string): void {
  const root = path.resolve(dist);
  const exists = new Map<string, boolean>();
  const isFile = (file: string) => {
    let hit = exists.get(file);
    if (hit === undefined) {
      try {
        hit = fs.statSync(file, { throwIfNoEntry: false })?.isFile() ?? false;
      } catch {
        hit = false; // a name the file system refuses (NUL...)
      }
      // Built files do not change while the server runs (a new build means a restart).
      if (exists.size < 10_000) exists.set(file, hit);
    }
    return hit;
  };

  const send = (req: express.Request, res: express.Response, next: express.NextFunction, file: string) => {
    const immutable = file.startsWith(path.join(root, 'assets') + path.sep);
    res.setHeader('Cache-Control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
    res.setHeader('Vary', 'Accept-Encoding');
    const accepted = acceptedEncodings(req.headers['accept-encoding']);
    const enc = ENCODINGS.find((e) => accepted.has(e.name) && isFile(file + e.ext));
    // The type of the original file (send would take it from the .br/.gz name otherwise).
    res.type(path.extname(file));
    if (enc) res.setHeader('Content-Encoding', enc.name);
    res.sendFile(enc ? file + enc.ext : file, { cacheControl: false, dotfiles: 'deny' }, (err) => {
      if (err && !res.headersSent) next(err);
    });
  };

  app.use((req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    let rel: string;
    try {
      rel = decodeURIComponent(req.path);
    } catch {
      return next();
    }
    if (rel.endsWith('/')) rel += 'index.html';
    const file = path.join(root, rel);
    if (!file.startsWith(root + path.sep) || !isFile(file)) return next();
    send(req, res, next, file);
  });
  // Any other page address is the single-page application's: index.html.
  app.get(/^\/(?!graphql|healthz|readyz).*/, (req, res, next) => send(req, res, next, path.join(root, 'index.html')));
}
