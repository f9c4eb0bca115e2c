import type { Paths } from './schema.gen';

// The typed HTTP client: paths, bodies, queries and responses come from the server's OpenAPI document
// (schema.gen.ts), so a change on one side that the other does not follow fails `npm run typecheck`.

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
type Op<P extends keyof Paths, M extends Method> = M extends keyof Paths[P] ? Paths[P][M] : never;
type Part<O, K extends string> = O extends Record<K, infer T> ? T : never;
type PathsWith<M extends Method> = { [P in keyof Paths]: M extends keyof Paths[P] ? P : never }[keyof Paths];

export type Options<O> = ([Part<O, 'path'>] extends [never] ? { path?: undefined } : { path: Part<O, 'path'> }) &
  ([Part<O, 'query'>] extends [never] ? { query?: undefined } : { query?: Part<O, 'query'> }) &
  ([Part<O, 'body'>] extends [never] ? { body?: undefined } : { body: Part<O, 'body'> }) & { headers?: Record<string, string>; signal?: AbortSignal };

// The API answers customers with a requester-facing ticket shape (a ticket with `requester` and `status` but no
// `statusCategory`); this app is for staff, who always get the full one, so those members are dropped here.
type ForStaff<T> = T extends readonly (infer E)[]
  ? ForStaff<E>[]
  : T extends object
    ? T extends { requester: unknown; status: unknown }
      ? 'statusCategory' extends keyof T
        ? { [K in keyof T]: ForStaff<T[K]> }
        : never
      : { [K in keyof T]: ForStaff<T[K]> }
    : T;

export type Response<P extends keyof Paths, M extends Method> = ForStaff<Part<Op<P, M>, 'response'>>;

/** An RFC 9457 problem from the API: a stable code, a message for people, and errors per field. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields: { path: string; message: string }[] = [],
    readonly problem: Record<string, unknown> = {},
  ) {
    super(message);
  }

  /** The message for one form field, matched on the end of the API's path (`body.subject` → `subject`). */
  fieldError(name: string): string | undefined {
    return this.fields.find((f) => f.path === name || f.path.endsWith(`.${name}`))?.message;
  }
}

let csrfToken: string | null = null;
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Called when a request finds the session gone, so the app can ask to sign in again without losing the page. */
let onUnauthenticated: () => void = () => {};
export function whenSignedOut(fn: () => void): void {
  onUnauthenticated = fn;
}
/** Something other than a request (the live stream's `closed` event) learnt that the session is gone. */
export function sessionEnded(): void {
  onUnauthenticated();
}

async function call<P extends keyof Paths, M extends Method>(method: M, path: P, options: Options<Op<P, M>>): Promise<Response<P, M>> {
  let url = path as string;
  for (const [k, v] of Object.entries((options.path ?? {}) as Record<string, string>)) url = url.replace(`{${k}}`, encodeURIComponent(v));
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries((options.query ?? {}) as Record<string, unknown>)) if (v !== undefined && v !== null && v !== '') query.set(k, String(v));
  if ([...query].length) url += `?${query}`;
  const headers: Record<string, string> = { ...options.headers };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'get' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let res: globalThis.Response;
  try {
    res = await fetch(url, {
      method: method.toUpperCase(),
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      credentials: 'same-origin',
      signal: options.signal,
    });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError(0, 'NETWORK', 'Lifeline cannot be reached; check your connection and try again');
  }
  if (res.status === 204) return undefined as Response<P, M>;
  const text = await res.text();
  const body = text ? safeJson(text) : null;
  if (!res.ok) {
    const p = (body ?? {}) as { code?: string; detail?: string; errors?: { path: string; message: string }[] };
    if (res.status === 401 && !url.startsWith('/api/v1/session')) onUnauthenticated();
    throw new ApiError(res.status, p.code ?? `HTTP_${res.status}`, p.detail ?? `The server answered ${res.status}`, p.errors ?? [], body as Record<string, unknown>);
  }
  return body as Response<P, M>;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export const api = {
  get: <P extends PathsWith<'get'>>(path: P, ...[options]: OptionalIfEmpty<Options<Op<P, 'get'>>>) => call('get', path, (options ?? {}) as Options<Op<P, 'get'>>),
  post: <P extends PathsWith<'post'>>(path: P, options: Options<Op<P, 'post'>>) => call('post', path, options),
  put: <P extends PathsWith<'put'>>(path: P, options: Options<Op<P, 'put'>>) => call('put', path, options),
  patch: <P extends PathsWith<'patch'>>(path: P, options: Options<Op<P, 'patch'>>) => call('patch', path, options),
  delete: <P extends PathsWith<'delete'>>(path: P, options: Options<Op<P, 'delete'>>) => call('delete', path, options),
};

type OptionalIfEmpty<O> = {} extends O ? [options?: O] : [options: O];

/** Uploads a file as-is (the attachments endpoint takes raw bytes). */
/** Sends a file's bytes as the body of a PUT (the status page logo). */
export async function putFile(path: string, file: File): Promise<void> {
  const res = await fetch(path, {
    method: 'PUT',
    headers: { 'content-type': file.type || 'application/octet-stream', ...(csrfToken ? { 'x-csrf-token': csrfToken } : {}) },
    body: file,
    credentials: 'same-origin',
  });
  if (res.ok) return;
  const body = safeJson(await res.text()) as Record<string, unknown>;
  throw new ApiError(res.status, String(body.code ?? res.status), String(body.detail ?? 'Upload failed'));
}

export async function upload(file: File): Promise<Response<'/api/v1/attachments', 'post'>> {
  const res = await fetch(`/api/v1/attachments?filename=${encodeURIComponent(file.name)}`, {
    method: 'POST',
    headers: { 'content-type': file.type || 'application/octet-stream', ...(csrfToken ? { 'x-csrf-token': csrfToken } : {}) },
    body: file,
    credentials: 'same-origin',
  });
  const body = safeJson(await res.text()) as Record<string, unknown>;
  if (!res.ok) throw new ApiError(res.status, String(body.code ?? res.status), String(body.detail ?? 'Upload failed'));
  return body as Response<'/api/v1/attachments', 'post'>;
}
