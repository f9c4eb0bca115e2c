import { createHmac, timingSafeEqual } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import { emailKeys } from './email.schema.js';
import type { HeaderMap } from './mime.js';

/**
 * Who sent a message, as far as mail can tell. A From: header proves nothing; what does:
 *  - a reply token: the plus-address `support+r<number>-<mac>@…` Lifeline puts in the Reply-To of mail to one
 *    staff member about one ticket, an HMAC of (user, ticket) under a random key Lifeline keeps in the database;
 *  - a Message-ID Lifeline sent to that person alone (checked by the inbound service);
 *  - DMARC, as the receiving MTA stamped it in Authentication-Results, when the operator names that MTA.
 */

const TOKEN_HEX = 20; // 80 bits
const TOKEN = /^r(\d{1,12})-([0-9a-f]{20})$/;

export type ReplyToken = { number: number; mac: string };

/**
 * The reply-token key: made at random by a migration and kept in `email_keys` (no operator configuration). Read
 * through the caller's executor: inside a transaction, the embedded database has no second connection to wait for.
 */
export class ReplyTokens {
  private key: Promise<Buffer> | undefined;

  private secret(ex: Executor): Promise<Buffer> {
    this.key ??= (async () => {
      const [row] = await ex.select({ secret: emailKeys.secret }).from(emailKeys).where(eq(emailKeys.name, 'reply_token'));
      if (!row) throw new Error('the reply-token key is missing from email_keys (made by migration 0025)');
      return Buffer.from(row.secret, 'base64');
    })().catch((err) => {
      this.key = undefined;
      throw err;
    });
    return this.key;
  }

  private async mac(ex: Executor, userId: string, ticketId: string): Promise<string> {
    return createHmac('sha256', await this.secret(ex))
      .update(`reply:${userId}:${ticketId}`)
      .digest('hex')
      .slice(0, TOKEN_HEX);
  }

  /** The plus-address of `address` that carries the token of this person and ticket. */
  async replyAddress(ex: Executor, address: string, userId: string, ticket: { id: string; number: number }): Promise<string> {
    const at = address.lastIndexOf('@');
    return `${address.slice(0, at)}+r${ticket.number}-${await this.mac(ex, userId, ticket.id)}${address.slice(at)}`;
  }

  /** Whether `token` is the one Lifeline gave this person for this ticket. */
  async verify(ex: Executor, token: ReplyToken, userId: string, ticket: { id: string; number: number }): Promise<boolean> {
    if (token.number !== ticket.number) return false;
    const expected = Buffer.from(await this.mac(ex, userId, ticket.id));
    const given = Buffer.from(token.mac);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}

/** Reply tokens in recipient addresses (`support+r1234-<mac>@…`); a few at most (each costs a lookup). */
export function replyTokensIn(addresses: string[]): ReplyToken[] {
  const out: ReplyToken[] = [];
  for (const a of addresses) {
    const local = a.slice(0, a.lastIndexOf('@'));
    const plus = local.indexOf('+');
    if (plus === -1) continue;
    const m = local
      .slice(plus + 1)
      .toLowerCase()
      .match(TOKEN);
    if (m) out.push({ number: Number(m[1]), mac: m[2] as string });
  }
  return out.slice(0, 5);
}

export type AuthResults = {
  /** DMARC failed, or SPF and DKIM both failed: the From: domain is not the sender's. */
  failed: boolean;
  /** DMARC passed for the From: domain. */
  dmarcPass: boolean;
};

/**
 * Authentication-Results (RFC 8601) as stamped by the operator's receiving MTA, identified by its authserv-id;
 * every other such header is ignored (anyone can write one). Only the topmost one with that id counts: the MTA
 * adds its own above what the message carried.
 */
export function authResults(headers: HeaderMap, trustedId: string | undefined, senderEmail: string): AuthResults {
  const none = { failed: false, dmarcPass: false };
  if (!trustedId) return none;
  const value = (headers.get('authentication-results') ?? []).find((v) => (v.split(';')[0] ?? '').trim().split(/\s+/)[0]?.toLowerCase() === trustedId);
  if (!value) return none;
  const results = new Map<string, { result: string; props: string }[]>();
  for (const part of value.split(';').slice(1)) {
    const m = part.trim().match(/^(spf|dkim|dmarc)\s*=\s*([a-z]+)(.*)$/is);
    if (!m) continue;
    const method = (m[1] as string).toLowerCase();
    results.set(method, [...(results.get(method) ?? []), { result: (m[2] as string).toLowerCase(), props: (m[3] as string).toLowerCase() }]);
  }
  const domain = senderEmail.slice(senderEmail.lastIndexOf('@') + 1).toLowerCase();
  const dmarc = results.get('dmarc')?.[0];
  const spf = results.get('spf') ?? [];
  const dkim = results.get('dkim') ?? [];
  const fromDomain = dmarc?.props.match(/header\.from=([^\s;]+)/)?.[1];
  const failed =
    dmarc?.result === 'fail' || (spf.length > 0 && dkim.length > 0 && spf.every((r) => r.result === 'fail') && dkim.every((r) => r.result === 'fail'));
  return { failed, dmarcPass: !failed && dmarc?.result === 'pass' && (fromDomain === undefined || fromDomain === domain) };
}
