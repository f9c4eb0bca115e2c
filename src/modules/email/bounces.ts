import { cleanAddress, type HeaderMap, header, isMailerDaemon } from './mime.js';

/**
 * Recognising delivery failures. Standard bounces are RFC 3464 reports (multipart/report; report-type=
 * delivery-status); many MTAs (qmail, old Exim, Yahoo, GroupWise) still send free-form text from MAILER-DAEMON
 * with the null envelope sender, so a subject or sender heuristic catches those. A bounce never opens a ticket.
 */

export type Bounce = {
  /** A delay warning ("still trying"): nothing failed yet, so nobody is marked and no note is needed. */
  delayed: boolean;
  /** Recipients the report says failed (may be empty for free-form bounces; callers match the original's). */
  recipients: string[];
  reason: string;
  /** Message-IDs the bounce quotes; one of them is usually the message that failed. */
  quotedIds: string[];
};

// Subjects MTAs put on failure and delay notices, in the wording of many MTAs (Mailman's test corpus).
const BOUNCE_SUBJECT =
  /(undeliver|delivery (status|failure|failed|has failed|problem|notification|report|warning)|returned mail|returned to sender|failure notice|mail delivery (failed|system|subsystem)|non[- ]?delivery|could not be delivered|nondeliverable|not (yet )?been delivered|mail (system )?error|error during delivery|failed mail|mail failed|delayed|delivery delayed|user unknown|automatically rejected|permanent error|message status)/i;
const DELAY_SUBJECT = /(delay|still being retried|not yet been delivered|warning: message)/i;
// Senders that are mail systems, not people: the header is read whole, as many put it in the display name.
const MACHINE_FROM =
  /(mailer-daemon|postmaster|mdaemon|mail delivery|delivery (sub)?system|mail administrator|system administrator|internet mail|mailadm|<>\s*$|^\s*<?ndr@|antivirus|mail system)/i;
// What free-form notices (qmail, Yahoo, Sina, InterScan, Exchange and other simple MTAs) say in their text, in
// ASCII even when the rest is in another language. Enough on its own from a mail system; from a sender that
// looks like a person it takes a failure subject as well.
const FAILURE_TEXT =
  /(could not be delivered to|couldn't be delivered to|unable to deliver (the )?message to|(was|were) not delivered to|the following (mail|message) could not be delivered|exceeded maximum delivery attempts|wasn't able to deliver|i'm not going to try again|this is a permanent error|non-delivery report|-{2,} ?failed recipients|smtp error code|remote host said|does not like recipient|rcpt to:\s*<|returned mail follows|original message follows|below this line is a copy|copy of (the|your) message|message was not accepted|mailbox (is )?unavailable|recipient address rejected|user unknown|unknown user|no such (user|mailbox)|intended recipient:|\b5\d\d[ -]\d\.\d{1,3}\.\d{1,3}\b)/i;
// A returned message attached whole (message/rfc822 or its headers): with a mail-system sender, that is a bounce.
const RETURNED_PART = /^content-type:\s*(message\/rfc822|text\/rfc822-headers)/im;

/** Whether a message comes from a mail system (null sender, mailer-daemon, postmaster …) rather than a person. */
export function fromMailSystem(headers: HeaderMap, sender: string | undefined, envelopeFrom: string | null): boolean {
  const from = header(headers, 'from');
  const nullSender = envelopeFrom === '' || /^<>$/.test(header(headers, 'return-path') ?? '');
  return nullSender || isMailerDaemon(sender) || !from || MACHINE_FROM.test(from);
}

/** A message that might be a delivery failure: from a mail system, or under a failure subject. */
export function mayBeBounce(headers: HeaderMap, sender: string | undefined, envelopeFrom: string | null, subject: string): boolean {
  return fromMailSystem(headers, sender, envelopeFrom) || BOUNCE_SUBJECT.test(subject);
}

// A quoted Message-ID, In-Reply-To or References header, folded or not (nodemailer folds a long one onto the next line).
const QUOTED_ID_HEADER = /^(?:message-id|in-reply-to|references):((?:(?:\r?\n)?[ \t]+|<[^<>\s]+>)+)/gim;

/** Message-IDs quoted in the body (a returned message's headers), not the message's own header block. */
export function quotedBodyIds(raw: Buffer): string[] {
  const text = raw.subarray(0, 512 * 1024).toString('latin1');
  const end = text.search(/\r?\n\r?\n/);
  if (end === -1) return [];
  const ids = new Set<string>();
  for (const m of text.slice(end).matchAll(QUOTED_ID_HEADER)) {
    for (const id of (m[1] as string).matchAll(/<([^<>\s]+)>/g)) ids.add(id[1] as string);
  }
  return [...ids];
}

/**
 * A bounce, or undefined. `quotesOurMessage`: the caller found that the body quotes a message Lifeline sent,
 * which makes a notice from a mail system, or under a failure subject, a bounce whatever its wording.
 */
export function detectBounce(
  raw: Buffer,
  headers: HeaderMap,
  sender: string | undefined,
  envelopeFrom: string | null,
  subject: string,
  opts: { quotesOurMessage?: boolean } = {},
): Bounce | undefined {
  const contentType = header(headers, 'content-type')?.toLowerCase() ?? '';
  const isReport = contentType.includes('multipart/report') && /report-type="?delivery-status/.test(contentType);
  const failedHeader = header(headers, 'x-failed-recipients');
  const machine = fromMailSystem(headers, sender, envelopeFrom);
  const failureSubject = BOUNCE_SUBJECT.test(subject);
  // A bounce quotes the failed message; read far enough to find its headers, not a whole attachment.
  const text = raw.subarray(0, 512 * 1024).toString('latin1');
  const headEnd = text.search(/\r?\n\r?\n/);
  const body = headEnd === -1 ? '' : text.slice(headEnd, headEnd + 64 * 1024);
  const failureText = FAILURE_TEXT.test(body);
  const recognised =
    isReport ||
    !!failedHeader ||
    (machine && (failureSubject || failureText || RETURNED_PART.test(body) || !!opts.quotesOurMessage)) ||
    (failureSubject && (failureText || !!opts.quotesOurMessage));
  if (!recognised) return undefined;

  const report = readDeliveryStatus(text);
  const recipients = new Set<string>(report.failed);
  for (const r of (failedHeader ?? '').split(',')) {
    const a = cleanAddress(r);
    if (a) recipients.add(a);
  }
  // Free-form notices name the failed address on a line of its own: `<user@example.org>:` (qmail, Yahoo).
  if (!isReport) {
    for (const m of body.slice(0, 16 * 1024).matchAll(/^[ \t]*<([^<>\s]+@[^<>\s]+)>:?[ \t]*\r?$/gm)) {
      const a = cleanAddress(m[1]);
      if (a) recipients.add(a);
    }
  }
  // Action: delayed (or a "still trying" subject with no failure in it) is a warning, not a failure.
  const delayed = recipients.size === 0 && ((report.all.length > 0 && !report.anyFailed) || DELAY_SUBJECT.test(subject));
  const quotedIds = new Set<string>();
  for (const m of text.matchAll(QUOTED_ID_HEADER)) {
    for (const id of (m[1] as string).matchAll(/<([^<>\s]+)>/g)) quotedIds.add(id[1] as string);
  }
  const ownId = header(headers, 'message-id')?.match(/<([^<>\s]+)>/)?.[1];
  if (ownId) quotedIds.delete(ownId);
  return { delayed, recipients: delayed ? [] : [...recipients], reason: report.reason || subject || 'delivery failed', quotedIds: [...quotedIds] };
}

/** Per-recipient fields of an RFC 3464 delivery-status part, wherever it is in the message. */
function readDeliveryStatus(text: string): { failed: string[]; all: string[]; anyFailed: boolean; reason: string } {
  const failed: string[] = [];
  const all: string[] = [];
  let anyFailed = false;
  let reason = '';
  const unfolded = text.replace(/\r?\n[ \t]+/g, ' ');
  for (const block of unfolded.split(/\r?\n\s*\r?\n/)) {
    const recipient = block.match(/^final-recipient:\s*(?:rfc822;)?\s*<?([^\s>]+)>?/im)?.[1] ?? block.match(/^original-recipient:\s*(?:rfc822;)?\s*<?([^\s>]+)>?/im)?.[1];
    if (!recipient) continue;
    const address = cleanAddress(recipient);
    if (!address) continue;
    all.push(address);
    const action = block.match(/^action:\s*(\S+)/im)?.[1]?.toLowerCase();
    const status = block.match(/^status:\s*([245]\.\d{1,3}\.\d{1,3})/im)?.[1];
    const isFailure = action ? action.startsWith('fail') : status?.startsWith('5') === true;
    if (!isFailure) continue;
    anyFailed = true;
    failed.push(address);
    if (!reason) {
      const diagnostic = block.match(/^diagnostic-code:\s*(?:smtp;)?\s*(.+)$/im)?.[1]?.trim();
      reason = [status, diagnostic].filter(Boolean).join(' ').slice(0, 500);
    }
  }
  return { failed, all, anyFailed, reason };
}
