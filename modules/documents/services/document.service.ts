import fs from 'node:fs';
import path from 'node:path';
import { createHash, randomUUID } from 'node:crypto';
import type { Request, Response } from 'express';
import type { FilterQuery } from '@mikro-orm/core';
import { crudService } from '../../../api/crud';
import { authorize, findReadable, withEm, type Context } from '../../../api/context';
import { AppError, BadInputError } from '../../../api/errors';
import { receiveFile } from '../../../api/uploads';
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
 * the way (api/uploads.ts: cut off at the size limit; a truncated or aborted upload leaves
 * nothing on disk). The name is checked before any byte is stored; the content must match the
 * declared type.
 */
export async function receiveUpload(ctx: Context, req: Request): Promise<StoredUpload> {
  const root = storageRoot(ctx);
  let fileName = '';
  let mime: string | null = null;
  let nul = false;
  const got = await receiveFile(req, {
    dir: path.join(root, 'tmp'),
    maxBytes: ctx.config.DOCUMENT_MAX_BYTES,
    what: 'the file',
    accept(info) {
      fileName = checkFileName(info.fileName);
      mime = declaredType(info.mimeType, fileName);
      if (!mime || !ALLOWED[mime]) throw new AppError('UNSUPPORTED_MEDIA_TYPE', `Files of type ${info.mimeType || 'unknown'} are not accepted.`, { field: 'file' });
    },
    inspect(chunk) {
      if (!nul && ALLOWED[mime!].text && chunk.includes(0)) nul = true;
    },
  });
  const { file } = got;
  try {
    if (file.size === 0) throw new BadInputError('file', 'The file is empty.');
    if (!ALLOWED[mime!].check(file.head.subarray(0, 32)) || nul) throw new AppError('UNSUPPORTED_MEDIA_TYPE', `The content of ${fileName} is not ${mime}.`, { field: 'file' });
    const key = path.basename(file.path);
    const final = pathOf(root, key);
    fs.mkdirSync(path.dirname(final), { recursive: true });
    fs.renameSync(file.path, final);
    return { fields: got.fields, fileName, mimeType: mime!, size: file.size, sha256: file.sha256, storageKey: key, discard: () => fs.rm(final, { force: true }, () => undefined) };
  } catch (err) {
    got.discard();
    throw err;
  }
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
