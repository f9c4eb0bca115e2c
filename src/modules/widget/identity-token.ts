import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { AppError } from '../../platform/errors.js';

/** What a host app may say of its signed-in user. `sub` is its own id for them; the rest is shown on the ticket. */
const Claims = z.object({
  sub: z.string().trim().min(1).max(200),
  aud: z.union([z.string(), z.array(z.string())]),
  exp: z.number().int(),
  iat: z.number().int().optional(),
  email: z.email().max(320).optional(),
  email_verified: z.boolean().optional(),
  name: z.string().max(200).optional(),
  organisation: z.string().max(200).optional(),
  organization: z.string().max(200).optional(),
});

/** `emailVerified`: the host says it checked the address (`email_verified: true`); only then is it linked to a customer. */
export type IdentityClaims = { sub: string; email?: string; emailVerified: boolean; name?: string; organisation?: string };

// A token lives minutes on the host; a little skew between its clock and ours is allowed.
const SKEW_S = 60;
// A token is meant to live minutes; one valid for longer than a day is refused, since the widget keeps tokens of reports
// written offline in the host page's storage, where a long-lived one would be worth stealing.
const MAX_LIFETIME_S = 24 * 3600;
// Longer than any token the host should mint; refused unread.
const MAX_TOKEN = 4096;

const invalid = (why: string) => new AppError('WIDGET_IDENTITY_INVALID', `The identity token is not valid: ${why}`, { fields: [{ path: 'body.identity', message: why }] });

function part(s: string): Buffer {
  if (!/^[A-Za-z0-9_-]*$/.test(s)) throw invalid('not base64url');
  return Buffer.from(s, 'base64url');
}

function json(s: string): unknown {
  try {
    return JSON.parse(part(s).toString('utf8'));
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw invalid('not JSON');
  }
}

/**
 * Verifies a host app's identity token: a compact JWT, HS256 only (the algorithm is never taken from the token
 * beyond checking it is HS256, so `none` or RS256 confusion cannot pass), signed with the site's secret, for this
 * site (`aud` = the site key) and not expired. The signature is checked before any claim is believed.
 */
export function verifyIdentityToken(token: string, secret: string, siteKey: string, nowMs: number): IdentityClaims {
  if (token.length > MAX_TOKEN) throw invalid('too long');
  const pieces = token.split('.');
  if (pieces.length !== 3) throw invalid('expected header.payload.signature');
  const [h, p, s] = pieces as [string, string, string];
  const header = json(h) as { alg?: unknown; typ?: unknown };
  if (header?.alg !== 'HS256') throw invalid('only HS256 is accepted');
  const expected = createHmac('sha256', secret).update(`${h}.${p}`).digest();
  const given = part(s);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid('bad signature');
  const parsed = Claims.safeParse(json(p));
  if (!parsed.success) throw invalid(`claims: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'payload'} ${i.message}`).join('; ')}`);
  const c = parsed.data;
  const audiences = Array.isArray(c.aud) ? c.aud : [c.aud];
  if (!audiences.includes(siteKey)) throw new AppError('WIDGET_IDENTITY_WRONG_AUDIENCE', 'The identity token was made for another site (aud is not this site key)', { fields: [{ path: 'body.identity', message: 'wrong aud' }] });
  const now = Math.floor(nowMs / 1000);
  if (c.exp + SKEW_S <= now) throw new AppError('WIDGET_IDENTITY_EXPIRED', 'The identity token has expired; the host app should sign a fresh one', { fields: [{ path: 'body.identity', message: 'expired' }] });
  if (c.exp > now + MAX_LIFETIME_S + SKEW_S) throw invalid('exp is more than 24 hours ahead; sign tokens that live minutes');
  if (c.iat !== undefined && c.iat > now + SKEW_S) throw invalid('iat is in the future');
  return { sub: c.sub, email: c.email, emailVerified: c.email_verified === true, name: c.name?.trim() || undefined, organisation: (c.organisation ?? c.organization)?.trim() || undefined };
}

/** Signs claims as a host app would (tests, docs' example). */
export function signIdentityToken(claims: Record<string, unknown>, secret: string): string {
  const h = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');
  const p = Buffer.from(JSON.stringify(claims)).toString('base64url');
  return `${h}.${p}.${createHmac('sha256', secret).update(`${h}.${p}`).digest('base64url')}`;
}
