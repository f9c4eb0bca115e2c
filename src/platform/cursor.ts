import { AppError } from './errors.js';

/**
 * List cursors: an opaque, URL-safe encoding of the last row's sort values. A cursor is decoded strictly — the
 * exact shape this API gives out, or a 400 naming the `cursor` parameter — so a forged one never reaches SQL
 * (where a wrong type or an out-of-range time would fail as a 500).
 */
export type CursorPart = 'time' | 'uuid' | 'int';

export function invalidCursor(): AppError {
  return new AppError('VALIDATION_FAILED', 'The cursor is not one this API gave out; use nextCursor from the previous page', {
    fields: [{ path: 'querystring.cursor', message: 'invalid cursor' }],
  });
}

export function encodeCursor(values: (string | number)[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

/** The values of a cursor made by `encodeCursor` with parts of these kinds, or INVALID (400) for anything else. */
export function decodeCursor(cursor: string, shape: CursorPart[]): (string | number)[] {
  let values: unknown;
  try {
    if (!/^[A-Za-z0-9_-]{1,1000}$/.test(cursor)) throw invalidCursor();
    values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor();
  }
  if (!Array.isArray(values) || values.length !== shape.length) throw invalidCursor();
  return shape.map((kind, i) => {
    const v: unknown = values[i];
    if (kind === 'int' ? isSmallInt(v) : kind === 'uuid' ? typeof v === 'string' && isUuid(v) : typeof v === 'string' && isIsoTime(v)) return v as string | number;
    throw invalidCursor();
  });
}

function isSmallInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && Math.abs(v) <= 2 ** 31 - 1;
}

function isUuid(s: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s);
}

/** An ISO-8601 UTC time as `toISOString` writes it, in a range every database takes. */
export function isIsoTime(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/.test(s) || s.startsWith('0000')) return false;
  const t = Date.parse(s);
  return !Number.isNaN(t) && new Date(t).toISOString().slice(0, 19) === s.slice(0, 19);
}
