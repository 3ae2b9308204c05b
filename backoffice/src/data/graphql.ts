import { HttpError } from 'react-admin';
import { session } from './session';

export interface GqlError {
  message: string;
  extensions?: { code?: string; field?: string; [k: string]: unknown };
}

const STATUS: Record<string, number> = { UNAUTHENTICATED: 401, FORBIDDEN: 403, NOT_FOUND: 404, CONFLICT: 409, BAD_USER_INPUT: 400 };

/** Turns the API's first error into react-admin's HttpError (field errors reach the form). */
export function toHttpError(errors: GqlError[] | undefined, fallback = 'Server error', status = 500): HttpError {
  const first = errors?.[0];
  if (!first) return new HttpError(fallback, status);
  const code = first.extensions?.code ?? 'ERROR';
  const field = first.extensions?.field;
  const body: Record<string, unknown> = { code, extensions: first.extensions };
  if (field) body.errors = { [field]: first.message, root: { serverError: first.message } };
  return new HttpError(first.message, STATUS[code] ?? 400, body);
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
