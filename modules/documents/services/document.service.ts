import fs from 'node:fs';
import path from 'node:path';
import { createHash, randomUUID } from 'node:crypto';
import type { Request, Response } from 'express';
import busboy from 'busboy';
import type { FilterQuery } from '@mikro-orm/core';
import { crudService } from '../../../api/crud';
import { authorize, findReadable, withEm, type Context } from '../../../api/context';
import { AppError, BadInputError } from '../../../api/errors';
import { parseId } from '../../../api/ids';
import { User } from '../../identity/entities/user.entity';
import { DocumentFilter, DocumentSort, UpdateDocumentInput } from '../dto/document.input';
import { Document } from '../entities/document.entity';
import { ALLOWED, declaredType } from './sniff';

const SUBJECT = 'Document';

export function storageRoot(ctx: Context): string {
  return path.resolve(ctx.config.DOCUMENTS_DIR ?? path.join(ctx.config.dataDir, 'documents'));
}

const pathOf = (root: string, key: string) => path.join(root, key.slice(0, 2), key.slice(2, 4), key);

/** A file name as given, refused when it carries a path or control characters. */
function checkFileName(name: string | undefined): string {
  const n = (name ?? '').normalize('NFC');
  if (!n.trim()) throw new BadInputError('file', 'The file has no name.');
  if (n.length > 255) throw new BadInputError('file', 'The file name is longer than 255 characters.');
  const control = [...n].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);
  if (/[/\\]/.test(n) || n === '.' || n === '..' || control) {
    throw new BadInputError('file', 'The file name must not contain a path or control characters.');
  }
  return n;
}

export interface StoredUpload {
  fields: Record<string, string>;
  fileName: string;
  mimeType: string;
  size: number;
  sha256: string;
  storageKey: string;
  /** Removes the stored file (when the database write that follows fails). */
  discard(): void;
}

/**
 * Streams one multipart file to the storage folder under a generated name, hashing it on
 * the way. The size limit is enforced while streaming: over it, the upload is cut off and
 * nothing is left on disk. The content must match the declared type.
 */
export function receiveUpload(ctx: Context, req: Request): Promise<StoredUpload> {
  const root = storageRoot(ctx);
  const max = ctx.config.DOCUMENT_MAX_BYTES;
  return new Promise<StoredUpload>((resolve, reject) => {
    const type = req.headers['content-type'] ?? '';
    if (!type.toLowerCase().startsWith('multipart/form-data')) {
      reject(new AppError('UNSUPPORTED_MEDIA_TYPE', 'Send the file as multipart/form-data with a "file" part.'));
      return;
    }
    let bb: busboy.Busboy;
    try {
      bb = busboy({ headers: req.headers, limits: { fileSize: max + 1, files: 1, fields: 20, fieldSize: 20_000 }, defParamCharset: 'utf8', preservePath: true });
    } catch (err) {
      reject(new BadInputError('file', `Malformed upload: ${(err as Error).message}`));
      return;
    }
    const fields: Record<string, string> = {};
    const key = randomUUID().replace(/-/g, '');
    const tmpDir = path.join(root, 'tmp');
    const tmp = path.join(tmpDir, key);
    let failure: Error | null = null;
    let file: Promise<Omit<StoredUpload, 'fields' | 'discard'>> | null = null;
    const cleanup = () => fs.rm(tmp, { force: true }, () => undefined);
    const fail = (err: Error) => {
      if (!failure) failure = err;
    };

    bb.on('field', (name, value) => {
      fields[name] = value;
    });
    bb.on('file', (_name, stream, info) => {
      if (file) {
        stream.resume();
        return;
      }
      file = new Promise((done, bad) => {
        let fileName: string;
        let mime: string | null;
        try {
          fileName = checkFileName(info.filename);
          mime = declaredType(info.mimeType, fileName);
          if (!mime || !ALLOWED[mime]) throw new AppError('UNSUPPORTED_MEDIA_TYPE', `Files of type ${info.mimeType || 'unknown'} are not accepted.`, { field: 'file' });
        } catch (err) {
          stream.resume();
          bad(err);
          return;
        }
        fs.mkdirSync(tmpDir, { recursive: true });
        const out = fs.createWriteStream(tmp, { flags: 'wx' });
        const hash = createHash('sha256');
        let size = 0;
        let head = Buffer.alloc(0);
        let nul = false;
        let truncated = false;
        stream.on('data', (chunk: Buffer) => {
          size += chunk.length;
          hash.update(chunk);
          if (head.length < 32) head = Buffer.concat([head, chunk.subarray(0, 32 - head.length)]);
          if (!nul && ALLOWED[mime!].text && chunk.includes(0)) nul = true;
        });
        // busboy signals when the file reaches fileSize (max + 1): one byte over the limit.
        stream.on('limit', () => {
          truncated = true;
          stream.unpipe(out);
          out.destroy();
          stream.resume();
        });
        stream.pipe(out);
        const finish = () => {
          if (truncated) return bad(new AppError('PAYLOAD_TOO_LARGE', `The file is larger than the limit of ${max >= 1024 * 1024 ? `${Math.round(max / 1024 / 1024)} MB` : `${Math.round(max / 1024)} KB`}.`, { field: 'file', maxBytes: max }));
          if (size === 0) return bad(new BadInputError('file', 'The file is empty.'));
          if (!ALLOWED[mime!].check(head) || nul) {
            return bad(new AppError('UNSUPPORTED_MEDIA_TYPE', `The content of ${fileName} is not ${mime}.`, { field: 'file' }));
          }
          done({ fileName, mimeType: mime!, size, sha256: hash.digest('hex'), storageKey: key });
        };
        // Cut off at the limit: the write stream is destroyed (a pending write then errors,
        // which is expected) and the answer is 413 once it has closed.
        out.on('close', () => (truncated ? finish() : undefined));
        out.on('finish', () => (truncated ? undefined : finish()));
        out.on('error', (err) => (truncated ? undefined : bad(err)));
      });
      file.catch(fail);
    });
    bb.on('error', (err) => fail(new BadInputError('file', `Malformed upload: ${(err as Error).message}`)));
    bb.on('close', async () => {
      try {
        if (failure) throw failure;
        if (!file) throw new BadInputError('file', 'No file was sent (a "file" part is required).', 'REQUIRED');
        const f = await file;
        const final = pathOf(root, key);
        fs.mkdirSync(path.dirname(final), { recursive: true });
        fs.renameSync(tmp, final);
        resolve({ ...f, fields, discard: () => fs.rm(final, { force: true }, () => undefined) });
      } catch (err) {
        cleanup();
        reject(err);
      }
    });
    req.on('aborted', () => {
      cleanup();
      fail(new BadInputError('file', 'The upload was interrupted.'));
    });
    req.pipe(bb);
  });
}

/**
 * Stores bytes that did not come from an upload (a mail attachment) under a generated name,
 * for `createDocumentIn`. The name is cleaned rather than refused; the type is kept as
 * declared (downloads are sent with nosniff, as attachments).
 */
export function storeBytes(ctx: Context, fileName: string, mimeType: string, data: Buffer, fields: Record<string, string> = {}): StoredUpload {
  const root = storageRoot(ctx);
  const key = randomUUID().replace(/-/g, '');
  const final = pathOf(root, key);
  fs.mkdirSync(path.dirname(final), { recursive: true });
  fs.writeFileSync(final, data, { flag: 'wx' });
  const cleaned = [...(fileName || 'ek').normalize('NFC')].map((c) => (c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f || c === '/' || c === '\\' ? '_' : c)).join('');
  const name = cleaned.slice(0, 255).trim() || 'ek';
  return {
    fields,
    fileName: name === '.' || name === '..' ? 'ek' : name,
    mimeType: (mimeType || 'application/octet-stream').slice(0, 200),
    size: data.length,
    sha256: createHash('sha256').update(data).digest('hex'),
    storageKey: key,
    discard: () => fs.rm(final, { force: true }, () => undefined),
  };
}

const tagsOf = (v: string | undefined) => (v ? [...new Set(v.split(',').map((t) => t.trim()).filter(Boolean))].slice(0, 50) : []);

/**
 * Creates the document row for a stored upload, inside the caller's transaction (the
 * caller may link it in the same transaction). Removes the file if this fails.
 */
export async function createDocumentIn(ctx: Context, upload: StoredUpload): Promise<Document> {
  try {
    authorize(ctx, 'create', SUBJECT);
    const f = upload.fields;
    const name = (f.name ?? '').trim() || upload.fileName;
    if (name.length > 255) throw new BadInputError('name', 'The name is longer than 255 characters.');
    if ((f.description ?? '').length > 10_000) throw new BadInputError('description', 'The description is longer than 10000 characters.');
    const doc = ctx.em.create(Document, {
      name,
      fileName: upload.fileName,
      description: f.description?.trim() || null,
      folder: f.folder?.trim().slice(0, 500) || null,
      tags: tagsOf(f.tags),
      mimeType: upload.mimeType,
      size: upload.size,
      sha256: upload.sha256,
      storageKey: upload.storageKey,
      uploadedBy: ctx.user ? ctx.em.getReference(User, ctx.user.id) : null,
    });
    await ctx.em.flush();
    await ctx.events.publish(ctx.em, { type: 'Document.created', subject: SUBJECT, id: doc.id, actorId: ctx.user?.id });
    return doc;
  } catch (err) {
    upload.discard();
    throw err;
  }
}

/** POST /documents: upload into the archive. */
export async function uploadHandler(ctx: Context, req: Request, res: Response): Promise<void> {
  authorize(ctx, 'create', SUBJECT);
  const upload = await receiveUpload(ctx, req);
  const doc = await ctx.em.transactional((em) => createDocumentIn(withEm(ctx, em), upload));
  res.status(201).json({ data: { document: documentJson(doc) } });
}

export function documentJson(d: Document) {
  return { id: String(d.id), name: d.name, fileName: d.fileName, mimeType: d.mimeType, size: Number(d.size), sha256: d.sha256, version: d.version, downloadUrl: `/documents/${d.id}/content` };
}

/** GET /documents/:id/content: the file, for those who may read the document. */
export async function downloadHandler(ctx: Context, req: Request, res: Response): Promise<void> {
  const doc = await findReadable(ctx, Document, SUBJECT, parseId(String(req.params.id), 'id'));
  const file = pathOf(storageRoot(ctx), doc.storageKey);
  if (!fs.existsSync(file)) throw new AppError('NOT_FOUND', 'The file of this document is missing from storage.');
  // An ASCII name for old clients (Şikâyet → Sikayet), the exact one in filename*.
  const ascii = doc.fileName.replace(/ı/g, 'i').normalize('NFKD').replace(/[\u0300-\u036f]/g, '').replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  res.setHeader('Content-Type', doc.mimeType);
  res.setHeader('Content-Length', String(doc.size));
  res.setHeader('Content-Disposition', `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(doc.fileName).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('ETag', `"${doc.sha256}"`);
  res.setHeader('Cache-Control', 'private, no-store');
  await new Promise<void>((resolve, reject) => {
    fs.createReadStream(file).on('error', reject).pipe(res).on('finish', resolve).on('error', reject);
  });
}

export const documentService = crudService<Document, object, UpdateDocumentInput, DocumentFilter>({
  entity: Document,
  subject: SUBJECT,
  name: 'Document',
  plural: 'documents',
  CreateInput: UpdateDocumentInput as never,
  UpdateInput: UpdateDocumentInput,
  Filter: DocumentFilter,
  Sort: DocumentSort,
  defaultSort: [{ field: 'createdAt', direction: 'DESC' as never }],
  searchColumns: ['name', 'description', 'file_name'],
  fromCreate: async () => {
    throw new BadInputError('file', 'Documents are created by uploading a file (POST /documents).');
  },
  async fromUpdate(_ctx, input) {
    const data: Record<string, unknown> = {};
    if (input.name !== undefined) data.name = input.name.trim();
    if (input.description !== undefined) data.description = input.description;
    if (input.folder !== undefined) data.folder = input.folder?.trim() || null;
    if (input.tags !== undefined) data.tags = [...new Set(input.tags.map((t) => t.trim()).filter(Boolean))];
    return data;
  },
  async filterWhere(_ctx, f) {
    const uploader = f.uploadedById ? parseId(f.uploadedById, 'filter.uploadedById') : undefined;
    return () => {
      const w: FilterQuery<Document>[] = [];
      if (f.folder?.trim()) w.push({ folder: { $like: `${f.folder.trim().replace(/[\\%_]/g, (c) => `\\${c}`)}%` } });
      if (f.sha256) w.push({ sha256: f.sha256.toLowerCase() });
      if (f.mimeType) w.push({ mimeType: f.mimeType });
      if (uploader) w.push({ uploadedBy: uploader });
      return w;
    };
  },
});
