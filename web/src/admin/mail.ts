/**
 * Reading a raw email (RFC 5322 / MIME) for people: its headers with their names in words, and its text. Only for
 * showing: nothing here is ever rendered as HTML (an HTML-only message shows its markup as text).
 */

const HEADER_WORDS: Record<string, string> = {
  from: 'From',
  to: 'To',
  cc: 'Copy to',
  bcc: 'Blind copy to',
  'reply-to': 'Replies go to',
  subject: 'Subject',
  date: 'Date',
  'message-id': 'Message ID',
  'in-reply-to': 'In reply to',
  references: 'Earlier messages in the thread',
  'auto-submitted': 'Sent automatically',
  'content-type': 'Content type',
  'return-path': 'Bounces go to',
  'delivered-to': 'Delivered to',
  received: 'Passed through',
  'list-id': 'Mailing list',
  'x-mailer': 'Sent with',
  'user-agent': 'Sent with',
  'mime-version': 'MIME version',
  'content-transfer-encoding': 'Transfer encoding',
  'dkim-signature': 'DKIM signature',
  'authentication-results': 'Authentication results',
  precedence: 'Precedence',
};

/** A header's name in words ("Reply-To" → "Replies go to"); unknown ones keep their own name. */
export function headerInWords(name: string): string {
  return HEADER_WORDS[name.toLowerCase()] ?? name;
}

export type Header = { name: string; value: string };

/** Splits a message into unfolded headers and the rest. */
export function splitMessage(raw: string): { headers: Header[]; body: string } {
  const text = raw.replace(/\r\n/g, '\n');
  const end = text.search(/\n\n/);
  const head = end === -1 ? text : text.slice(0, end);
  const body = end === -1 ? '' : text.slice(end + 2);
  const headers: Header[] = [];
  for (const line of head.split('\n')) {
    const last = headers.at(-1);
    if (/^[ \t]/.test(line) && last) last.value += ` ${line.trim()}`;
    else {
      const i = line.indexOf(':');
      if (i > 0) headers.push({ name: line.slice(0, i).trim(), value: line.slice(i + 1).trim() });
    }
  }
  return { headers: headers.map((h) => ({ ...h, value: decodeWords(h.value) })), body };
}

const param = (value: string, name: string) => new RegExp(`${name}\\s*=\\s*"?([^";]+)"?`, 'i').exec(value)?.[1];

/** RFC 2047 encoded words (=?utf-8?B?…?=) in a header, as text. */
export function decodeWords(value: string): string {
  return value.replace(/=\?([^?]+)\?([bq])\?([^?]*)\?=/gi, (whole, charset: string, enc: string, data: string) => {
    try {
      const bytes = enc.toLowerCase() === 'b' ? base64Bytes(data) : qpBytes(data.replace(/_/g, ' '));
      return new TextDecoder(charset).decode(bytes);
    } catch {
      return whole;
    }
  });
}

function base64Bytes(s: string): Uint8Array {
  const bin = atob(s.replace(/[^A-Za-z0-9+/=]/g, ''));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}
function qpBytes(s: string): Uint8Array {
  const out: number[] = [];
  const text = s.replace(/=\r?\n/g, '');
  for (let i = 0; i < text.length; i++) {
    const hex = text.slice(i + 1, i + 3);
    if (text[i] === '=' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      out.push(Number.parseInt(hex, 16));
      i += 2;
    } else out.push(...new TextEncoder().encode(text[i]));
  }
  return Uint8Array.from(out);
}

function decodePart(headers: Header[], body: string): string {
  const get = (n: string) => headers.find((h) => h.name.toLowerCase() === n)?.value ?? '';
  const charset = param(get('content-type'), 'charset') ?? 'utf-8';
  const encoding = get('content-transfer-encoding').toLowerCase();
  try {
    const bytes = encoding === 'base64' ? base64Bytes(body) : encoding === 'quoted-printable' ? qpBytes(body) : null;
    return bytes ? new TextDecoder(charset).decode(bytes) : body;
  } catch {
    return body;
  }
}

/** The message's readable text: its text/plain part, else its text/html part's source, decoded; '' if none. */
export function bodyText(raw: string, depth = 0): string {
  const { headers, body } = splitMessage(raw);
  const type = headers.find((h) => h.name.toLowerCase() === 'content-type')?.value ?? 'text/plain';
  if (/^multipart\//i.test(type) && depth < 5) {
    const boundary = param(type, 'boundary');
    if (!boundary) return body;
    const parts = body.replace(/\r\n/g, '\n').split(`--${boundary}`).slice(1).filter((p) => !p.startsWith('--'));
    const texts = parts.map((p) => p.replace(/^\n/, ''));
    const plain = texts.find((p) => /^content-type:\s*text\/plain/im.test(splitMessage(p).headers.map((h) => `${h.name}: ${h.value}`).join('\n')));
    const chosen = plain ?? texts.find((p) => /multipart\/|text\/html/i.test(p.slice(0, 400)));
    return chosen ? bodyText(chosen, depth + 1) : '';
  }
  if (/^text\//i.test(type)) return decodePart(headers, body);
  return '';
}
