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

export function detectBounce(raw: Buffer, headers: HeaderMap, sender: string | undefined, envelopeFrom: string | null, subject: string): Bounce | undefined {
  const contentType = header(headers, 'content-type')?.toLowerCase() ?? '';
  const isReport = contentType.includes('multipart/report') && /report-type="?delivery-status/.test(contentType);
  const nullSender = envelopeFrom === '' || /^<>$/.test(header(headers, 'return-path') ?? '');
  const failedHeader = header(headers, 'x-failed-recipients');
  const from = header(headers, 'from');
  const machine = nullSender || isMailerDaemon(sender) || !from || MACHINE_FROM.test(from);
  if (!isReport && !failedHeader && !(machine && BOUNCE_SUBJECT.test(subject))) return undefined;

  // A bounce quotes the failed message; read far enough to find its headers, not a whole attachment.
  const text = raw.subarray(0, 512 * 1024).toString('latin1');
  const report = readDeliveryStatus(text);
  const recipients = new Set<string>(report.failed);
  for (const r of (failedHeader ?? '').split(',')) {
    const a = cleanAddress(r);
    if (a) recipients.add(a);
  }
  // Action: delayed (or a "still trying" subject with no failure in it) is a warning, not a failure.
  const delayed = recipients.size === 0 && ((report.all.length > 0 && !report.anyFailed) || DELAY_SUBJECT.test(subject));
  const quotedIds = new Set<string>();
  for (const m of text.matchAll(/^(?:message-id|in-reply-to|references):[ \t]*((?:<[^<>\s]+>[ \t]*)+)/gim)) {
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
