/**
 * COPY's text format (PostgreSQL docs, "COPY — File Formats"): a row per line, fields separated by tabs, null as
 * `\N`, and a backslash escaping itself, tab, newline and carriage return (and, read back, \b \f \v and octal
 * or hex bytes). For bulk loads (`Database.copyIn`) and bulk reads (`Database.copyOut`).
 */

const NULL = '\\N';

/** One field: null, a number, a timestamp (ISO 8601), text, or an array of text (an array literal). */
export function copyField(v: unknown): string {
  if (v === null || v === undefined) return NULL;
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : NULL;
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'boolean') return v ? 't' : 'f';
  if (Array.isArray(v)) return escapeText(`{${v.map((e) => (e === null ? 'NULL' : `"${String(e).replace(/[\\"]/g, '\\$&')}"`)).join(',')}}`);
  return escapeText(String(v));
}

const SPECIAL = /[\\\t\n\r]/;
function escapeText(s: string): string {
  if (!SPECIAL.test(s)) return s;
  return s.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
}

/** The rows of COPY text output, each as its fields (null for `\N`). */
export function copyRows(text: string): (string | null)[][] {
  const rows: (string | null)[][] = [];
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const fields: (string | null)[] = text.slice(start, end).split('\t');
    for (let i = 0; i < fields.length; i++) {
      const f = fields[i] as string;
      if (f.includes('\\')) fields[i] = f === NULL ? null : unescapeText(f);
    }
    rows.push(fields);
    start = end + 1;
  }
  return rows;
}

const ESCAPES: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\' };
function unescapeText(f: string): string {
  return f.replace(/\\(?:([0-7]{1,3})|x([0-9a-fA-F]{1,2})|(.))/g, (_m, octal: string | undefined, hex: string | undefined, c: string) => {
    if (octal) return String.fromCharCode(Number.parseInt(octal, 8));
    if (hex) return String.fromCharCode(Number.parseInt(hex, 16));
    return ESCAPES[c] ?? c;
  });
}
