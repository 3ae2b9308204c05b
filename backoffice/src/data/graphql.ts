import { HttpError } from 'react-admin';
import { session } from './session';
import { i18nProvider } from '../i18n';
import { fieldLabel } from '../i18n/messages';

export interface GqlError {
  message: string;
  extensions?: { code?: string; field?: string; reason?: string; params?: Record<string, unknown>; fields?: FieldIssue[]; [k: string]: unknown };
}

/** One refused input field, as the API lists them in `extensions.fields`. */
export interface FieldIssue {
  field: string;
  message: string;
  reason?: string;
  params?: Record<string, unknown>;
}

const STATUS: Record<string, number> = { UNAUTHENTICATED: 401, FORBIDDEN: 403, NOT_FOUND: 404, CONFLICT: 409, BAD_USER_INPUT: 400 };

/**
 * The form field of an API input path: the argument (`input.`) goes, and so does the index of an
 * item of a list of values (`input.phones.0` → `phones`: the chip input is one field). Items of a
 * list of objects keep theirs (`input.grants.0.subject`). Null when the path is not an input.
 */
export function formPath(field: string | undefined): string | null {
  if (!field || !/^input\./.test(field)) return null;
  return field.slice('input.'.length).replace(/(\.\d+)+$/, '') || null;
}

/** The error in the user's language: its reason and parameters, else the API's English message. */
export function errorText(e: { message: string; reason?: string; params?: Record<string, unknown> }): string {
  const english = e.message.replace(/^[\w.]+: /, '');
  if (!e.reason) return english;
  return i18nProvider.translate(`app.error.${e.reason}`, { ...(e.params ?? {}), _: english });
}

/**
 * Turns the API's errors into react-admin's HttpError. Field errors (all of `extensions.fields`)
 * land under their form field, translated; `formFields` (the top-level names the form holds) keeps
 * an error off a field the form does not have, where it would lock the form: it is told in the
 * notification instead.
 */
export function toHttpError(errors: GqlError[] | undefined, fallback = 'Server error', status = 500, formFields?: string[]): HttpError {
  const first = errors?.[0];
  if (!first) return new HttpError(fallback, status);
  const ext = first.extensions ?? {};
  const code = ext.code ?? 'ERROR';
  const issues: FieldIssue[] = ext.fields?.length ? ext.fields : ext.field ? [{ field: ext.field, message: first.message, reason: ext.reason, params: ext.params }] : [];
  const locale = i18nProvider.getLocale();
  const labelled = (i: FieldIssue) => {
    const name = (formPath(i.field) ?? i.field).split('.').filter((p) => !/^\d+$/.test(p)).pop() ?? '';
    const label = fieldLabel(name, locale);
    return label ? `${label}: ${errorText(i)}` : errorText(i);
  };
  const message = issues.length ? issues.map(labelled).join(' · ') : errorText({ message: first.message, reason: ext.reason, params: ext.params });
  const body: Record<string, unknown> = { code, extensions: ext };
  if (code === 'BAD_USER_INPUT' || (code === 'NOT_FOUND' && ext.field)) {
    const fieldErrors: Record<string, string> = {};
    for (const i of issues) {
      const path = formPath(i.field);
      if (!path || (formFields && !formFields.includes(path.split('.')[0]))) continue;
      fieldErrors[path] ??= errorText(i);
    }
    if (Object.keys(fieldErrors).length) body.errors = { ...fieldErrors, root: { serverError: message } };
  }
  return new HttpError(message, STATUS[code] ?? 400, body);
}

/** One GraphQL operation over HTTP, with the session's bearer token. */
export async function gql<T = any>(query: string, variables?: Record<string, unknown>): Promise<T> {
  const token = session.token();
  let res: Response;
  try {
    res = await fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
  } catch (err) {
    throw new HttpError((err as Error).message, 0);
  }
  const body = await res.json().catch(() => ({}));
  if (body.errors?.length) throw toHttpError(body.errors, res.statusText, res.status);
  if (!res.ok) throw new HttpError(res.statusText, res.status);
  return body.data as T;
}

export const isConflict = (err: unknown) => (err as HttpError)?.status === 409 || (err as any)?.body?.code === 'CONFLICT';

/** Uploads a file (multipart, field "file") to one of the API's upload routes. */
export async function upload(path: string, file: File, fields: Record<string, string> = {}): Promise<any> {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append('file', file, file.name);
  const token = session.token();
  const res = await fetch(path, { method: 'POST', headers: token ? { authorization: `Bearer ${token}` } : {}, body: form });
  const body = await res.json().catch(() => ({}));
  if (!res.ok || body.errors?.length) throw toHttpError(body.errors, res.statusText, res.status);
  return body;
}

/** Downloads with the bearer token and hands the file to the browser. */
export async function download(url: string, fileName: string): Promise<void> {
  const token = session.token();
  const res = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  if (!res.ok) throw new HttpError(res.statusText, res.status);
  const blob = await res.blob();
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = fileName;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}
