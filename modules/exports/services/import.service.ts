import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Request, Response } from 'express';
import busboy from 'busboy';
import ExcelJS from 'exceljs';
import { validate } from 'class-validator';
import { authorize, requireUser, withEm, type Context } from '../../../api/context';
import { AppError, BadInputError } from '../../../api/errors';
import { AccountKind, type Account, type Contact } from '../../accounts/entities/account.entities';
import { CreateAccountInput, CreateContactInput } from '../../accounts/dto/account.input';
import { accountService, accountsMatching, contactService, contactsMatching, phoneKey, validIdentityNumber } from '../../accounts/services/account.services';
import { ExtraFieldTarget, ExtraFieldType, type ExtraFieldDefinition } from '../../extra-fields/entities/extra-field-definition.entity';
import { definitionsFor, validateExtraValues } from '../../extra-fields/services/extra-field.service';
import { ExportJob, JobStatus } from '../entities/export-job.entity';
import { XlsxStream } from '../xlsx';
import { contentDisposition } from './export.service';
import { exportsDir } from './link-token';
import { ownJob, queueJob, registerRunner, type JobProgress } from './job.service';

/**
 * Accounts and contacts from Excel (as Netasistan does): a template with the standard columns
 * and the extra fields, an upload, a validation pass that reports every wrong cell before
 * anything is written, then the valid rows written in one transaction. A row matching an
 * existing record (tax number, e-mail or phone) updates it, so importing twice changes nothing.
 */
export type ImportTarget = 'accounts' | 'contacts';

interface Column {
  header: string;
  key: string;
  required?: boolean;
  list?: boolean;
  extra?: ExtraFieldDefinition;
}

const ACCOUNT_COLUMNS: Column[] = [
  { header: 'Tür (Kurumsal/Bireysel)', key: 'kind' },
  { header: 'Ad / Unvan', key: 'name', required: true },
  { header: 'Vergi no', key: 'taxNumber' },
  { header: 'Vergi dairesi', key: 'taxOffice' },
  { header: 'T.C. kimlik no', key: 'identityNumber' },
  { header: 'Telefonlar', key: 'phones', list: true },
  { header: 'E-postalar', key: 'emails', list: true },
  { header: 'Adres', key: 'address' },
  { header: 'İl', key: 'city' },
  { header: 'İlçe', key: 'district' },
];

const CONTACT_COLUMNS: Column[] = [
  { header: 'Cari vergi no', key: 'accountTaxNumber', required: true },
  { header: 'Ad', key: 'firstName', required: true },
  { header: 'Soyad', key: 'lastName', required: true },
  { header: 'Unvan', key: 'title' },
  { header: 'Telefon', key: 'phone' },
  { header: 'E-posta', key: 'email' },
];

async function columnsOf(ctx: Context, target: ImportTarget): Promise<Column[]> {
  const base = target === 'accounts' ? ACCOUNT_COLUMNS : CONTACT_COLUMNS;
  const defs = await definitionsFor(ctx, target === 'accounts' ? ExtraFieldTarget.ACCOUNT : ExtraFieldTarget.CONTACT);
  return [...base, ...defs.map((d) => ({ header: d.label, key: `extra.${d.key}`, required: d.required, extra: d }))];
}

const subjectOf = (target: ImportTarget) => (target === 'accounts' ? 'Account' : 'Contact');

function parseTarget(v: unknown, field: string): ImportTarget {
  if (v === 'accounts' || v === 'contacts') return v;
  throw new BadInputError(field, 'Choose accounts or contacts.');
}

/** GET /imports/templates/:target: an empty workbook with the columns to fill. */
export async function templateHandler(ctx: Context, req: Request, res: Response): Promise<void> {
  const target = parseTarget(req.params.target, 'target');
  authorize(ctx, 'create', subjectOf(target));
  const cols = await columnsOf(ctx, target);
  const name = target === 'accounts' ? 'Cari aktarım şablonu.xlsx' : 'Kişi aktarım şablonu.xlsx';
  res.setHeader('Content-Type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
  res.setHeader('Content-Disposition', contentDisposition(name));
  res.setHeader('Cache-Control', 'private, no-store');
  const book = new XlsxStream(res);
  const sheet = book.sheet({ name: target === 'accounts' ? 'Cariler' : 'Kişiler', columns: cols.map((c) => ({ header: c.header, width: Math.max(14, c.header.length + 4) })) });
  sheet.commit();
  await book.finish();
}

/**
 * POST /imports (multipart: `target` = accounts | contacts, then `file`): stores the
 * workbook and starts its validation as a background job. Answers 202 with the job.
 */
export async function uploadHandler(ctx: Context, req: Request, res: Response): Promise<void> {
  requireUser(ctx);
  const max = ctx.config.IMPORT_MAX_BYTES;
  const dir = path.join(exportsDir(ctx.config), 'imports');
  fs.mkdirSync(dir, { recursive: true });
  const key = `${randomUUID()}.xlsx`;
  const file = path.join(dir, key);
  const { fields, fileName } = await new Promise<{ fields: Record<string, string>; fileName: string }>((resolve, reject) => {
    if (!(req.headers['content-type'] ?? '').toLowerCase().startsWith('multipart/form-data')) {
      reject(new AppError('UNSUPPORTED_MEDIA_TYPE', 'Send the workbook as multipart/form-data with a "file" part.'));
      return;
    }
    const bb = busboy({ headers: req.headers, limits: { fileSize: max + 1, files: 1, fields: 5, fieldSize: 1000 }, defParamCharset: 'utf8' });
    const fields: Record<string, string> = {};
    let got: Promise<string> | null = null;
    bb.on('field', (n, v) => (fields[n] = v));
    bb.on('file', (_n, stream, info) => {
      got = new Promise((done, bad) => {
        const out = fs.createWriteStream(file, { flags: 'wx' });
        let size = 0;
        let head = Buffer.alloc(0);
        let over = false;
        stream.on('data', (c: Buffer) => {
          size += c.length;
          if (head.length < 4) head = Buffer.concat([head, c.subarray(0, 4)]);
        });
        stream.on('limit', () => {
          over = true;
          stream.unpipe(out);
          out.destroy();
          stream.resume();
          bad(new AppError('PAYLOAD_TOO_LARGE', `The file is larger than ${Math.round(max / 1024 / 1024)} MB.`, { field: 'file' }));
        });
        stream.pipe(out);
        out.on('finish', () => {
          if (over) return;
          if (!head.subarray(0, 4).equals(Buffer.from([0x50, 0x4b, 0x03, 0x04]))) return bad(new AppError('UNSUPPORTED_MEDIA_TYPE', 'The file is not an Excel workbook (.xlsx).', { field: 'file' }));
          if (size === 0) return bad(new BadInputError('file', 'The file is empty.'));
          done(info.filename || 'import.xlsx');
        });
        out.on('error', (e) => (over ? undefined : bad(e)));
      });
      got.catch(() => undefined);
    });
    bb.on('error', (e) => reject(new BadInputError('file', `Malformed upload: ${(e as Error).message}`)));
    bb.on('close', async () => {
      try {
        if (!got) throw new BadInputError('file', 'No file was sent (a "file" part is required).', 'REQUIRED');
        resolve({ fields, fileName: await got });
      } catch (e) {
        reject(e);
      }
    });
    req.pipe(bb);
  }).catch((e) => {
    fs.rmSync(file, { force: true });
    throw e;
  });
  try {
    const target = parseTarget(fields.target, 'target');
    authorize(ctx, 'create', subjectOf(target));
    const job = await queueJob(ctx, `import.${target}`, null, { storageKey: key, fileName: fileName.normalize('NFC').slice(0, 255), apply: false });
    res.status(202).json({ data: { job: { id: String(job.id), kind: job.kind, status: job.status } } });
  } catch (e) {
    fs.rmSync(file, { force: true });
    throw e;
  }
}

/** Writes the valid rows of a validated import (a new job, with its own progress). */
export async function applyImport(ctx: Context, id: string): Promise<ExportJob> {
  const checked = await ownJob(ctx, id);
  if (!checked.kind.startsWith('import.') || checked.params.apply) throw new BadInputError('id', 'This is not a validated import.');
  if (checked.status !== JobStatus.DONE) throw new BadInputError('id', `The validation is ${checked.status.toLowerCase()}; import after it is done.`);
  const file = path.join(exportsDir(ctx.config), 'imports', path.basename(String(checked.params.storageKey)));
  if (!fs.existsSync(file)) throw new BadInputError('id', 'The uploaded file has expired; upload it again.');
  authorize(ctx, 'create', subjectOf(checked.kind.slice(7) as ImportTarget));
  return queueJob(ctx, checked.kind, null, { ...checked.params, apply: true, validatedBy: checked.id });
}

// ---------------------------------------------------------------- reading and checking

export interface ImportProblemJson {
  row: number;
  column: string;
  field: string;
  message: string;
}

/** A cell as text: numbers without exponent, formulas by their cached result (never run). */
function cellText(v: ExcelJS.CellValue): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isInteger(v) ? v.toFixed(0) : String(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  if (typeof v === 'object') {
    const o = v as unknown as Record<string, unknown>;
    if (Array.isArray(o.richText)) return (o.richText as { text: string }[]).map((r) => r.text).join('');
    if ('text' in o) return String(o.text ?? '');
    if ('result' in o) return cellText(o.result as ExcelJS.CellValue);
    if ('error' in o) return '';
  }
  return String(v);
}

function extraValue(def: ExtraFieldDefinition, text: string): unknown {
  switch (def.type) {
    case ExtraFieldType.NUMBER:
      return text.replace(',', '.');
    case ExtraFieldType.BOOLEAN:
      return ['evet', 'e', 'true', '1', 'yes'].includes(text.toLocaleLowerCase('tr')) ? true : ['hayır', 'h', 'false', '0', 'no'].includes(text.toLocaleLowerCase('tr')) ? false : text;
    case ExtraFieldType.MULTIPLE_CHOICE:
      return text.split(/[;,]/).map((s) => s.trim()).filter(Boolean);
    default:
      return text;
  }
}

const list = (s: string) => [...new Set(s.split(/[;,\n]/).map((x) => x.trim()).filter(Boolean))];

interface ParsedRow {
  row: number;
  input: Record<string, any>;
  extra: Record<string, unknown>;
}

/** Reads the first sheet (streamed): header row by column title, then one entry per non-empty row. */
async function readRows(file: string, cols: Column[], problems: ImportProblemJson[], progress: JobProgress): Promise<ParsedRow[]> {
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(file, { sharedStrings: 'cache', hyperlinks: 'ignore', styles: 'ignore', worksheets: 'emit', entries: 'emit' });
  const rows: ParsedRow[] = [];
  let index: Map<number, Column> | null = null;
  try {
    for await (const sheet of reader) {
      for await (const row of sheet) {
        const values = (row.values as ExcelJS.CellValue[]) ?? [];
        if (!index) {
          index = new Map();
          const byHeader = new Map(cols.map((c) => [c.header.toLocaleLowerCase('tr').trim(), c]));
          values.forEach((v, i) => {
            const c = byHeader.get(cellText(v).toLocaleLowerCase('tr').trim());
            if (c) index!.set(i, c);
          });
          for (const c of cols) {
            if (c.required && ![...index.values()].includes(c)) problems.push({ row: row.number, column: c.header, field: c.key, message: 'This column is missing from the header row.' });
          }
          if (problems.length) return [];
          continue;
        }
        const input: Record<string, any> = {};
        const extra: Record<string, unknown> = {};
        let any = false;
        for (const [i, c] of index) {
          const text = cellText(values[i]).trim();
          if (!text) continue;
          any = true;
          if (c.extra) extra[c.extra.key] = extraValue(c.extra, text);
          else input[c.key] = c.list ? list(text) : text;
        }
        if (!any) continue;
        rows.push({ row: row.number, input, extra });
        if (rows.length % 1000 === 0 && !(await progress.report(rows.length))) return [];
      }
      break; // the first sheet only
    }
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw new BadInputError('file', 'The file could not be read as an Excel workbook (.xlsx).');
  }
  if (!index) problems.push({ row: 1, column: '', field: '', message: 'The sheet is empty: the header row is missing.' });
  return rows;
}

/** Keys per matching statement (PostgreSQL takes at most 65,535 parameters). */
const MATCH_CHUNK = 5000;
/** Thrown to roll the import back when its owner cancels. */
const CANCELLED = new Error('cancelled');
const unique = (values: (string | null | undefined)[]) => [...new Set(values.filter((x): x is string => !!x))];

interface CheckedRow extends ParsedRow {
  data: CreateAccountInput | CreateContactInput;
  match?: Account | Contact;
}

const KIND: Record<string, AccountKind> = { kurumsal: AccountKind.COMPANY, şirket: AccountKind.COMPANY, company: AccountKind.COMPANY, bireysel: AccountKind.INDIVIDUAL, kişi: AccountKind.INDIVIDUAL, individual: AccountKind.INDIVIDUAL };

async function checkRows(ctx: Context, target: ImportTarget, rows: ParsedRow[], cols: Column[], problems: ImportProblemJson[]): Promise<CheckedRow[]> {
  const headerOf = (key: string) => cols.find((c) => c.key === key)?.header ?? key;
  const valid: CheckedRow[] = [];
  const seen = new Map<string, number>();
  // Accounts of contact rows, by tax number: one statement.
  const accountByTax = new Map<string, Account>();
  if (target === 'contacts') {
    const taxes = [...new Set(rows.map((r) => String(r.input.accountTaxNumber ?? '')).filter(Boolean))];
    for (const a of await accountsMatching(ctx, { taxNumbers: taxes, emails: [], phoneKeys: [] })) if (a.taxNumber) accountByTax.set(a.taxNumber, a);
  }
  for (const r of rows) {
    const before = problems.length;
    // One problem per cell: the first found.
    const bad = (key: string, message: string) => {
      if (!problems.slice(before).some((p) => p.field === key)) problems.push({ row: r.row, column: headerOf(key), field: key, message });
    };
    let data: CreateAccountInput | CreateContactInput;
    if (target === 'accounts') {
      const a = Object.assign(new CreateAccountInput(), r.input) as CreateAccountInput & Record<string, any>;
      const kindText = String(r.input.kind ?? '').toLocaleLowerCase('tr');
      a.kind = kindText ? KIND[kindText] : r.input.identityNumber && !r.input.taxNumber ? AccountKind.INDIVIDUAL : AccountKind.COMPANY;
      if (kindText && !a.kind) bad('kind', 'Write Kurumsal or Bireysel.');
      if (a.identityNumber && /^\d{11}$/.test(a.identityNumber) && !validIdentityNumber(a.identityNumber)) bad('identityNumber', 'This is not a valid T.C. kimlik numarası.');
      if (a.emails) a.emails = a.emails.map((e: string) => e.toLowerCase());
      data = a;
    } else {
      const c = Object.assign(new CreateContactInput(), r.input) as CreateContactInput & Record<string, any>;
      const account = accountByTax.get(String(r.input.accountTaxNumber ?? ''));
      if (r.input.accountTaxNumber && !account) bad('accountTaxNumber', `No account you may see has the tax number ${r.input.accountTaxNumber}.`);
      c.accountId = account ? String(account.id) : '0';
      if (c.email) c.email = c.email.toLowerCase();
      delete (c as Record<string, unknown>).accountTaxNumber;
      data = c;
    }
    // A missing required cell says so (before the validators' messages about its length or form).
    for (const c of cols) if (c.required && !c.extra && !(c.key in r.input)) bad(c.key, 'Required.');
    for (const e of await validate(data as object, { forbidUnknownValues: false })) {
      if (e.property === 'accountId' || e.property === 'kind') continue;
      bad(e.property, `${Object.values(e.constraints ?? {})[0] ?? 'is invalid'}`.replace(new RegExp(`^${e.property} `), ''));
    }
    if (Object.keys(r.extra).length || cols.some((c) => c.extra?.required)) {
      try {
        (data as { extra?: Record<string, unknown> }).extra = await validateExtraValues(ctx, target === 'accounts' ? ExtraFieldTarget.ACCOUNT : ExtraFieldTarget.CONTACT, r.extra, {});
      } catch (err) {
        if (!(err instanceof BadInputError)) throw err;
        const field = String(err.extensions.field ?? '').replace(/^input\./, '');
        bad(field, err.message);
      }
    }
    // The same record twice in one file: the later row would silently overwrite the first.
    const keys = target === 'accounts'
      ? [(data as CreateAccountInput).taxNumber, ...((data as CreateAccountInput).emails ?? [])].filter(Boolean).map((k) => `k:${k}`)
      : [(data as CreateContactInput).email].filter(Boolean).map((k) => `e:${k}`);
    for (const k of keys) {
      const first = seen.get(k!);
      if (first !== undefined && problems.length === before) bad(target === 'accounts' ? 'taxNumber' : 'email', `The same record is on row ${first}.`);
      else if (first === undefined) seen.set(k!, r.row);
    }
    if (problems.length === before) valid.push({ ...r, data });
  }
  // Matches, one statement for the whole file.
  if (target === 'accounts') {
    const rowsA = valid.map((v) => v.data as CreateAccountInput);
    const keys = {
      taxNumbers: unique(rowsA.map((a) => a.taxNumber)),
      emails: unique(rowsA.flatMap((a) => a.emails ?? [])),
      phoneKeys: unique(rowsA.flatMap((a) => (a.phones ?? []).map(phoneKey))),
    };
    const found: Account[] = [];
    // In chunks: a statement takes at most 65,535 parameters.
    for (let i = 0; i < Math.max(keys.taxNumbers.length, keys.emails.length, keys.phoneKeys.length); i += MATCH_CHUNK) {
      found.push(...(await accountsMatching(ctx, { taxNumbers: keys.taxNumbers.slice(i, i + MATCH_CHUNK), emails: keys.emails.slice(i, i + MATCH_CHUNK), phoneKeys: keys.phoneKeys.slice(i, i + MATCH_CHUNK) })));
    }
    // The first match by tax number, then by e-mail, then by phone (lowest id first, as found).
    const byTax = new Map<string, Account>();
    const byEmail = new Map<string, Account>();
    const byPhone = new Map<string, Account>();
    for (const f of found.sort((x, y) => x.id - y.id)) {
      if (f.taxNumber && !byTax.has(f.taxNumber)) byTax.set(f.taxNumber, f);
      for (const e of f.emails) if (!byEmail.has(e)) byEmail.set(e, f);
      for (const k of f.phoneKeys) if (!byPhone.has(k)) byPhone.set(k, f);
    }
    for (const v of valid) {
      const a = v.data as CreateAccountInput;
      v.match =
        (a.taxNumber ? byTax.get(a.taxNumber) : undefined) ??
        (a.emails ?? []).map((e) => byEmail.get(e)).find(Boolean) ??
        (a.phones ?? []).map((p) => byPhone.get(phoneKey(p) ?? '')).find(Boolean);
    }
  } else {
    const rowsC = valid.map((v) => v.data as CreateContactInput);
    const keys = {
      emails: unique(rowsC.map((c) => c.email)),
      accountIds: [...new Set(rowsC.map((c) => Number(c.accountId)))],
      phoneKeys: unique(rowsC.map((c) => (c.phone ? phoneKey(c.phone) : null))),
    };
    const found: Contact[] = [];
    for (let i = 0; i < Math.max(keys.emails.length, keys.accountIds.length, keys.phoneKeys.length); i += MATCH_CHUNK) {
      // Phones match only on the same account: every account of the file goes with every phone chunk.
      found.push(...(await contactsMatching(ctx, { emails: keys.emails.slice(i, i + MATCH_CHUNK), accountIds: keys.accountIds, phoneKeys: keys.phoneKeys.slice(i, i + MATCH_CHUNK) })));
    }
    const byEmail = new Map<string, Contact>();
    const byAccountPhone = new Map<string, Contact>();
    for (const f of found.sort((x, y) => x.id - y.id)) {
      if (f.email && !byEmail.has(f.email)) byEmail.set(f.email, f);
      const k = f.phone ? phoneKey(f.phone) : null;
      if (k && !byAccountPhone.has(`${f.account.id}:${k}`)) byAccountPhone.set(`${f.account.id}:${k}`, f);
    }
    for (const v of valid) {
      const c = v.data as CreateContactInput;
      const key = c.phone ? phoneKey(c.phone) : null;
      v.match = (c.email ? byEmail.get(c.email) : undefined) ?? (key ? byAccountPhone.get(`${Number(c.accountId)}:${key}`) : undefined);
    }
  }
  return valid;
}

/** The fields of `data` that differ from the matched record (an empty object: unchanged). */
function changes(data: Record<string, any>, match: Record<string, any>): Record<string, any> {
  const out: Record<string, any> = {};
  for (const [k, v] of Object.entries(data)) {
    if (v === undefined || k === 'accountId') continue;
    if (k === 'extra') {
      const merged = { ...(match.extra ?? {}), ...(v ?? {}) };
      if (JSON.stringify(merged) !== JSON.stringify(match.extra ?? {})) out.extra = v;
      continue;
    }
    if (k === 'phones' || k === 'emails') {
      const cur = new Set<string>(match[k] ?? []);
      if ((v as string[]).some((x) => !cur.has(x))) out[k] = [...cur, ...(v as string[]).filter((x) => !cur.has(x))];
      continue;
    }
    if ((match[k] ?? null) !== (v ?? null)) out[k] = v;
  }
  return out;
}

async function runImport(ctx: Context, job: ExportJob, progress: JobProgress) {
  const target = job.kind.slice('import.'.length) as ImportTarget;
  const apply = job.params.apply === true;
  const file = path.join(exportsDir(ctx.config), 'imports', path.basename(String(job.params.storageKey)));
  if (!fs.existsSync(file)) throw new BadInputError('id', 'The uploaded file has expired; upload it again.');
  const problems: ImportProblemJson[] = [];
  const cols = await columnsOf(ctx, target);
  const rows = await readRows(file, cols, problems, progress);
  await progress.setTotal(rows.length * (apply ? 2 : 1) || 1);
  const valid = await checkRows(ctx, target, rows, cols, problems);
  const plan = valid.map((v) => ({ v, diff: v.match ? changes(v.data as never, v.match as never) : null }));
  const result = {
    target,
    applied: apply,
    fileName: job.params.fileName,
    totalRows: rows.length,
    validRows: valid.length,
    invalidRows: new Set(problems.map((p) => p.row)).size,
    created: plan.filter((p) => !p.v.match).length,
    updated: plan.filter((p) => p.diff && Object.keys(p.diff).length).length,
    unchanged: plan.filter((p) => p.diff && !Object.keys(p.diff).length).length,
    problems: problems.slice(0, 1000),
    moreProblems: Math.max(0, problems.length - 1000),
  };
  if (!(await progress.report(rows.length))) return { rowCount: rows.length, result };
  if (apply) {
    const service = target === 'accounts' ? accountService : contactService;
    // Every valid row or none: one transaction.
    await ctx.em.transactional(async (em) => {
      const tctx = withEm(ctx, em);
      let done = 0;
      for (const { v, diff } of plan) {
        if (!v.match) await (service as typeof accountService).create(tctx, v.data as never);
        else if (diff && Object.keys(diff).length) await (service as typeof accountService).update(tctx, String(v.match.id), v.match.version, diff as never);
        if (++done % 200 === 0 && !(await progress.report(rows.length + done))) throw CANCELLED;
      }
    }).catch((err) => {
      if (err === CANCELLED) return;
      throw err;
    });
    fs.rmSync(file, { force: true });
  }
  return { rowCount: rows.length, result };
}

registerRunner('import.accounts', runImport);
registerRunner('import.contacts', runImport);
