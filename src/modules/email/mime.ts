/**
 * Small, pure facts about a mail message that the pipeline needs before or besides full MIME parsing: its
 * headers as raw lines (read at SMTP time, before the message is parsed), Message-ID lists, the ticket token,
 * and the loop and noise rules of RFC 3834 and common practice.
 */

export type HeaderMap = Map<string, string[]>;

/** Unfolded header lines of a raw message, by lower-case name. Reads no further than the first blank line. */
export function readHeaders(raw: Buffer, limit = 256 * 1024): HeaderMap {
  const head = raw.subarray(0, Math.min(raw.length, limit)).toString('latin1');
  const end = head.search(/\r?\n\r?\n/);
  const block = end === -1 ? head : head.slice(0, end);
  const headers: HeaderMap = new Map();
  for (const line of block.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const list = headers.get(name) ?? [];
    list.push(line.slice(colon + 1).trim());
    headers.set(name, list);
  }
  return headers;
}

export function header(headers: HeaderMap, name: string): string | undefined {
  return headers.get(name)?.[0];
}

/**
 * Message-IDs in a header value (`<a@b> <c@d>`), normalised without angle brackets and lower-cased domain. Ids
 * that are not `local@domain` are kept as written (X.400 gateways make ids with spaces, quotes and slashes).
 */
export function messageIds(value: string | string[] | undefined): string[] {
  if (!value) return [];
  const text = Array.isArray(value) ? value.join(' ') : value;
  const out: string[] = [];
  for (const m of text.matchAll(/<([^<>\r\n]{1,500})>/g)) {
    const id = (m[1] as string).trim();
    if (id) out.push(normalizeMessageId(id));
  }
  // Some clients omit the brackets around a single id.
  if (out.length === 0 && /^[^\s<>]{1,500}@[^\s<>]+$/.test(text.trim())) out.push(normalizeMessageId(text.trim()));
  return out;
}

function normalizeMessageId(id: string): string {
  const at = id.lastIndexOf('@');
  return at === -1 ? id : `${id.slice(0, at)}@${id.slice(at + 1).toLowerCase()}`;
}

/** The ticket number in a subject token like `[#1234]`. */
export function ticketToken(subject: string | undefined): number | undefined {
  const m = subject?.match(/\[#(\d{1,12})\]/);
  return m ? Number(m[1]) : undefined;
}

export function withTicketToken(subject: string, number: number): string {
  const clean = oneLine(subject) || '(no subject)';
  return ticketToken(clean) === number ? clean : `${clean} [#${number}]`;
}

/** A header value safe to put in a header: no line breaks (header injection), no control characters. */
export function oneLine(value: string, max = 998): string {
  return value
    .replace(/[\r\n]+/g, ' ')
    .replace(/[\u0000-\u001f\u007f]/g, '')
    .trim()
    .slice(0, max);
}

const NO_REPLY_LOCAL = /^(mailer-daemon|postmaster|no[-_.]?reply|do[-_.]?not[-_.]?reply|donotreply|bounces?|notifications?-noreply)(\+.*)?$/i;

export function isNoReplySender(address: string | undefined): boolean {
  if (!address) return true;
  const local = address.split('@')[0] ?? '';
  return NO_REPLY_LOCAL.test(local);
}

export function isMailerDaemon(address: string | undefined): boolean {
  return !!address && /^(mailer-daemon|postmaster)$/i.test(address.split('@')[0] ?? '');
}

/** RFC 3834: any Auto-Submitted value except `no` means a machine sent it. */
export function isAutoSubmitted(headers: HeaderMap): boolean {
  const v = header(headers, 'auto-submitted')?.toLowerCase();
  return !!v && !v.startsWith('no');
}

export function isBulk(headers: HeaderMap): boolean {
  const precedence = header(headers, 'precedence')?.toLowerCase() ?? '';
  return /^(bulk|list|junk)/.test(precedence) || headers.has('list-id') || headers.has('list-unsubscribe') || headers.has('list-post');
}

const AUTO_REPLY_SUBJECT = /^(auto(matic)?[ -]?(reply|response|antwort)|out of (the )?office|abwesenheit|r[ée]ponse automatique|autoreply|автоответ|respuesta autom[áa]tica|risposta automatica)\b/i;

/** An out-of-office or other automatic personal reply: it may thread onto a ticket as a note, never reopen it. */
export function isAutoReply(headers: HeaderMap, subject: string | undefined): boolean {
  const autoSubmitted = header(headers, 'auto-submitted')?.toLowerCase() ?? '';
  if (autoSubmitted.startsWith('auto-replied')) return true;
  if (headers.has('x-autoreply') || headers.has('x-autorespond') || headers.has('x-autoresponder')) return true;
  if (/^auto_reply/i.test(header(headers, 'precedence') ?? '')) return true;
  const suppress = header(headers, 'x-auto-response-suppress')?.toLowerCase() ?? '';
  if (suppress.includes('oof') && /^(auto|out of office)/i.test(subject ?? '')) return true;
  return AUTO_REPLY_SUBJECT.test((subject ?? '').replace(/^(re|aw|fw|fwd):\s*/i, ''));
}

/** Lower-cased address, or undefined when it is not one. The local part may be quoted (`"john smith"@x.org`). */
export function cleanAddress(value: string | undefined | null): string | undefined {
  const v = value?.trim().replace(/^<|>$/g, '').toLowerCase();
  if (!v || v.length > 320) return undefined;
  return /^(?:[^\s@<>"(),;:]+|"(?:[^"\\\r\n]|\\.)+")@(?:[^\s@<>"(),;:]+\.[^\s@<>"(),;:]+|localhost)$/.test(v) ? v : undefined;
}
