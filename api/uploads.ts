import fs from 'node:fs';
import path from 'node:path';
import { createHash, randomUUID } from 'node:crypto';
import type { Request } from 'express';
import busboy from 'busboy';
import { AppError, BadInputError } from './errors';

/**
 * Receiving one file over multipart/form-data, for every upload route (documents, a document
 * onto an application, imports). The file is streamed to `dir` under a generated name, hashed
 * on the way, and cut off at `maxBytes`. Every stream has its error path: a body that ends
 * before its closing boundary, a malformed part header, a client that goes away mid-upload,
 * a full disk. Whatever ends an upload early, the answer is a typed error, the file written so
 * far is removed and its descriptor closed, and the rest of the body is read and dropped.
 */

export interface ReceivedFile {
  /** The file name as sent (NFC), unchecked: the caller decides what it accepts. */
  fileName: string;
  /** The declared type of the part. */
  mimeType: string;
  size: number;
  sha256: string;
  /** The first 64 bytes, for content sniffing. */
  head: Buffer;
  /** Where it was written. */
  path: string;
}

export interface ReceiveOptions {
  /** Folder for the file (created when missing). */
  dir: string;
  /** File name on disk: generated when absent. */
  name?: string;
  maxBytes: number;
  /** Told to send the file as multipart/form-data with a "file" part. */
  what: string;
  fields?: number;
  fieldSize?: number;
  /** Before any byte is stored: throw to refuse the file (its name, its type). */
  accept?(info: { fileName: string; mimeType: string }): void;
  /** Sees each stored chunk (a NUL in a text file...): throw to refuse. */
  inspect?(chunk: Buffer): void;
}

export interface Received {
  fields: Record<string, string>;
  file: ReceivedFile;
  /** Removes the stored file. */
  discard(): void;
}

const sizeText = (max: number) => (max >= 1024 * 1024 ? `${Math.round(max / 1024 / 1024)} MB` : `${Math.round(max / 1024)} KB`);

export function tooLarge(max: number): AppError {
  return new AppError('PAYLOAD_TOO_LARGE', `The file is larger than the limit of ${sizeText(max)}.`, { field: 'file', maxBytes: max });
}

/** A busboy or stream failure as the client's mistake, on the `file` field. */
function malformed(err: Error): AppError {
  const m = err.message ?? '';
  if (/Unexpected end of (form|file)/i.test(m)) return new BadInputError('file', 'The upload ended before it was complete (no closing boundary).');
  if (/Malformed part header/i.test(m)) return new BadInputError('file', 'A part header is malformed (control characters in a file name are not accepted).');
  return new BadInputError('file', `Malformed upload: ${m}`);
}

export function receiveFile(req: Request, opts: ReceiveOptions): Promise<Received> {
  return new Promise<Received>((resolve, reject) => {
    if (!(req.headers['content-type'] ?? '').toLowerCase().startsWith('multipart/form-data')) {
      reject(new AppError('UNSUPPORTED_MEDIA_TYPE', `Send ${opts.what} as multipart/form-data with a "file" part.`));
      return;
    }
    let bb: busboy.Busboy;
    try {
      bb = busboy({
        headers: req.headers,
        limits: { fileSize: opts.maxBytes + 1, files: 1, fields: opts.fields ?? 20, fieldSize: opts.fieldSize ?? 20_000 },
        defParamCharset: 'utf8',
        preservePath: true,
      });
    } catch (err) {
      reject(malformed(err as Error));
      return;
    }
    const fields: Record<string, string> = {};
    const target = path.join(opts.dir, opts.name ?? randomUUID().replace(/-/g, ''));
    let out: fs.WriteStream | null = null;
    let part: NodeJS.ReadableStream | null = null;
    let received: ReceivedFile | null = null;
    let bodyDone = false;
    let settled = false;
    const removeFile = () => fs.rm(target, { force: true }, () => undefined);

    const fail = (err: Error) => {
      if (settled) return;
      settled = true;
      // Stop parsing, drop the rest of the body (so the answer can be sent), close the file.
      req.unpipe(bb);
      req.resume();
      part?.resume();
      // Not from inside busboy's own callbacks ('limit' is emitted mid-parse).
      setImmediate(() => bb.destroy());
      const w = out;
      if (!w) return reject(err);
      const gone = () => fs.rm(target, { force: true }, () => reject(err));
      if (w.closed) gone();
      else {
        w.once('close', gone);
        w.destroy();
      }
    };
    const succeed = () => {
      if (settled || !bodyDone || !received) return;
      settled = true;
      resolve({ fields, file: received, discard: removeFile });
    };

    bb.on('field', (name, value) => {
      fields[name] = value;
    });
    bb.on('file', (_name, stream, info) => {
      if (out || settled) {
        stream.on('error', () => undefined);
        stream.resume();
        return;
      }
      part = stream;
      const fileName = (info.filename ?? '').normalize('NFC');
      try {
        opts.accept?.({ fileName, mimeType: info.mimeType });
        fs.mkdirSync(opts.dir, { recursive: true });
      } catch (err) {
        fail(err as Error);
        return;
      }
      const w = fs.createWriteStream(target, { flags: 'wx' });
      out = w;
      const hash = createHash('sha256');
      let size = 0;
      let head = Buffer.alloc(0);
      stream.on('data', (chunk: Buffer) => {
        size += chunk.length;
        hash.update(chunk);
        if (head.length < 64) head = Buffer.concat([head, chunk.subarray(0, 64 - head.length)]);
        try {
          opts.inspect?.(chunk);
        } catch (err) {
          fail(err as Error);
        }
      });
      // busboy signals when the file reaches fileSize (maxBytes + 1): one byte over the limit.
      stream.on('limit', () => fail(tooLarge(opts.maxBytes)));
      stream.on('error', (err: Error) => fail(malformed(err)));
      w.on('error', (err) => fail(err));
      w.on('close', () => {
        if (settled || !w.writableFinished) return;
        received = { fileName, mimeType: info.mimeType, size, sha256: hash.digest('hex'), head, path: target };
        succeed();
      });
      stream.pipe(w);
    });
    bb.on('error', (err: Error) => fail(malformed(err)));
    bb.on('close', () => {
      bodyDone = true;
      if (!out) return fail(new BadInputError('file', 'No file was sent (a "file" part is required).'));
      succeed();
    });
    // The client went away (or the connection broke) before the body was complete.
    req.on('aborted', () => fail(new BadInputError('file', 'The upload was interrupted.')));
    req.on('error', (err) => fail(malformed(err)));
    req.on('close', () => {
      if (!req.complete) fail(new BadInputError('file', 'The upload was interrupted.'));
    });
    req.pipe(bb);
  });
}
