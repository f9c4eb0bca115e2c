import { timingSafeEqual } from 'node:crypto';
import { and, count, eq, gte, isNotNull, isNull, ne, type SQL, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Tx } from '../../db/client.js';
import type { Actor } from '../../platform/auth.js';
import { clientKey } from '../../platform/client-key.js';
import type { Ctx } from '../../platform/context.js';
import { randomToken, sha256 } from '../../platform/crypto.js';
import { AppError } from '../../platform/errors.js';
import { Secrets } from '../../platform/secrets.js';
import type { OutboundService } from '../email/outbound.service.js';
import { Password, type PeopleService, type User } from '../people/people.service.js';
import { passwordResets } from './password-reset.schema.js';

/** How long a reset link works, and how many may be asked for per address and per client in a window. */
export const RESET_TTL_MS = 60 * 60_000;
const WINDOW_MS = 15 * 60_000;
const PER_ADDRESS = 3;
const PER_CLIENT = 10;
/** Links admins send from the Users screen, in the same window: per person (by any admin), and per admin. */
export const ADMIN_SENT_PER_PERSON = 3;
export const ADMIN_SENT_PER_ADMIN = 20;

export const ForgotBody = z.object({ email: z.string().trim().min(1, 'enter your email address').max(254) }).strict();
export const ResetTokenBody = z.object({ token: z.string().min(1).max(300) }).strict();
export const ResetBody = z.object({ token: z.string().min(1).max(300), password: Password }).strict();

const invalid = () => new AppError('RESET_LINK_INVALID', 'This password reset link is not valid; ask for a new one');
const used = () => new AppError('RESET_LINK_USED', 'This password reset link was already used; ask for a new one');
const expired = () => new AppError('RESET_LINK_EXPIRED', 'This password reset link has expired; ask for a new one');

/**
 * Password reset by emailed link (docs/security.md "Password reset"): asked for on the sign-in page ("Forgot
 * password?") or sent by an admin from the Users screen. The link is signed by the server's key, works once, for an
 * hour; only its hash is stored. Setting the password ends the person's sessions and uses up their other links.
 */
export class PasswordResetService {
  private secretsLoaded: Secrets | undefined;

  constructor(
    private readonly ctx: Ctx,
    private readonly d: { people: PeopleService; outbound: OutboundService },
  ) {}

  private get secrets(): Secrets {
    this.secretsLoaded ??= Secrets.load(this.ctx.config);
    return this.secretsLoaded;
  }

  /**
   * "Forgot password?": the same answer and the same database work whether the address has an account or not (a
   * row is written either way; only an active person's row carries a token and queues mail). Over the per-address
   * or per-client limit: TOO_MANY_ATTEMPTS, again the same for every address.
   */
  async request(email: string, client: string): Promise<void> {
    const address = email.trim().toLowerCase();
    const now = this.ctx.clock.now();
    const since = new Date(now.getTime() - WINDOW_MS);
    const emailHash = sha256(`password-reset:${address}`);
    const clientHash = sha256(`password-reset-client:${clientKey(client)}`);
    await this.ctx.db.transaction(async (tx) => {
      // One request at a time per address, so parallel requests cannot all pass the limit.
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${emailHash}))`);
      const [byAddress] = await tx.select({ n: count() }).from(passwordResets).where(and(eq(passwordResets.emailHash, emailHash), gte(passwordResets.createdAt, since)));
      const [byClient] = await tx.select({ n: count() }).from(passwordResets).where(and(eq(passwordResets.clientHash, clientHash), gte(passwordResets.createdAt, since)));
      if ((byAddress?.n ?? 0) >= PER_ADDRESS || (byClient?.n ?? 0) >= PER_CLIENT) {
        throw new AppError('TOO_MANY_ATTEMPTS', 'Too many password resets asked for; wait a few minutes and try again');
      }
      const user = await this.d.people.findUserByEmail(address, tx);
      const eligible = user?.active ? user : null;
      const raw = randomToken(32);
      await tx.insert(passwordResets).values({
        tokenHash: eligible ? sha256(raw) : null,
        userId: eligible?.id ?? null,
        emailHash,
        clientHash,
        createdAt: now,
        expiresAt: new Date(now.getTime() + RESET_TTL_MS),
      });
      // Old requests only count for the limits: forgotten after a day.
      await tx.delete(passwordResets).where(sql`${passwordResets.createdAt} < ${new Date(now.getTime() - 86_400_000).toISOString()}::timestamptz`);
      if (eligible) await this.mail(tx, eligible, raw, null);
    });
  }

  /**
   * An admin sends a person a reset link (Users screen); a deactivated person gets none. Limited per person (by any
   * admin) and per admin in the window, so neither a slip nor a stolen admin session can flood an inbox or mail
   * every account: TOO_MANY_ATTEMPTS says which limit, and nothing is written or sent.
   */
  async send(actor: Actor, userId: string): Promise<{ email: string }> {
    const user = await this.d.people.getUser(userId);
    if (!user.active) throw new AppError('USER_INACTIVE', `${user.name} is deactivated; reactivate them before sending a password reset`);
    const now = this.ctx.clock.now();
    const since = new Date(now.getTime() - WINDOW_MS);
    const raw = randomToken(32);
    const emailHash = sha256(`password-reset:${user.email.toLowerCase()}`);
    const clientHash = sha256(`password-reset-admin:${actor.userId}`);
    await this.ctx.db.transaction(async (tx) => {
      // The admin's lock, then the person's (the one `request` takes): parallel sends cannot all pass a limit.
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${clientHash}))`);
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${emailHash}))`);
      const recent = (where: SQL | undefined) =>
        tx
          .select({ n: count() })
          .from(passwordResets)
          .where(and(where, isNotNull(passwordResets.sentById), gte(passwordResets.createdAt, since)))
          .then(([row]) => row?.n ?? 0);
      const minutes = WINDOW_MS / 60_000;
      if ((await recent(eq(passwordResets.emailHash, emailHash))) >= ADMIN_SENT_PER_PERSON) {
        throw new AppError('TOO_MANY_ATTEMPTS', `${user.name} was sent ${ADMIN_SENT_PER_PERSON} password reset links in the last ${minutes} minutes; wait before sending another`);
      }
      if ((await recent(eq(passwordResets.clientHash, clientHash))) >= ADMIN_SENT_PER_ADMIN) {
        throw new AppError('TOO_MANY_ATTEMPTS', `You sent ${ADMIN_SENT_PER_ADMIN} password reset links in the last ${minutes} minutes; wait before sending more`);
      }
      await tx.insert(passwordResets).values({
        tokenHash: sha256(raw),
        userId: user.id,
        emailHash,
        clientHash,
        sentById: actor.userId,
        createdAt: now,
        expiresAt: new Date(now.getTime() + RESET_TTL_MS),
      });
      if (!(await this.mail(tx, user, raw, actor))) throw new AppError('NO_SUPPORT_ADDRESS', 'There is no support address to send mail from; add one under Admin → Email');
    });
    return { email: user.email };
  }

  private mail(tx: Tx, user: User, raw: string, by: Actor | null): Promise<boolean> {
    const link = `${this.ctx.config.publicUrl}/reset-password#token=${raw}.${this.secrets.mac('password reset', raw)}`;
    const why = by ? `${by.name} sent you this link to set a new password for Lifeline.` : 'Someone (we hope you) asked to reset your Lifeline password.';
    return this.d.outbound.queueStandalone(tx, {
      kind: 'password_reset',
      to: user.email,
      subject: 'Set a new password',
      text: `Hello ${user.name},\n\n${why} Choose a new one here:\n\n${link}\n\nThe link works once, for ${RESET_TTL_MS / 60_000} minutes, and signs you out everywhere. If you did not ask for it, ignore this email: your password stays as it is.\n`,
    });
  }

  /** The stored hash of a link's token; a changed or malformed token is RESET_LINK_INVALID before any lookup. */
  private hashOf(token: string): string {
    const [raw, mac, extra] = token.split('.');
    if (!raw || !mac || extra !== undefined || token.length > 300) throw invalid();
    const expected = Buffer.from(this.secrets.mac('password reset', raw));
    const given = Buffer.from(mac);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid();
    return sha256(raw);
  }

  /** Whose password a link sets (masked, in case it was forwarded), without using it; the same errors as `reset`. */
  async check(token: string): Promise<{ email: string }> {
    const hash = this.hashOf(token);
    const [row] = await this.ctx.db.select().from(passwordResets).where(eq(passwordResets.tokenHash, hash));
    if (!row?.userId) throw invalid();
    if (row.usedAt) throw used();
    if (row.expiresAt.getTime() <= this.ctx.clock.now().getTime()) throw expired();
    const user = await this.d.people.getUser(row.userId);
    if (!user.active) throw invalid();
    const at = user.email.lastIndexOf('@');
    return { email: `${user.email.slice(0, 1)}…${user.email.slice(at)}` };
  }

  /**
   * Sets the new password once: the link is used up, with the person's other links, and every session of theirs
   * ends. A bad password changes nothing (the link still works); a forged, used or expired link changes nothing.
   */
  async reset(token: string, password: string): Promise<void> {
    const hash = this.hashOf(token);
    const now = this.ctx.clock.now();
    await this.ctx.db.transaction(async (tx) => {
      const [taken] = await tx
        .update(passwordResets)
        .set({ usedAt: now })
        .where(and(eq(passwordResets.tokenHash, hash), isNull(passwordResets.usedAt), sql`${passwordResets.expiresAt} > ${now.toISOString()}::timestamptz`))
        .returning({ userId: passwordResets.userId, id: passwordResets.id });
      if (!taken?.userId) {
        const [row] = await tx.select().from(passwordResets).where(eq(passwordResets.tokenHash, hash));
        if (!row) throw invalid();
        if (row.usedAt) throw used();
        throw expired();
      }
      const user = await this.d.people.getUser(taken.userId, tx);
      if (!user.active) throw invalid();
      await this.d.people.setPassword(user.id, password, tx);
      // The link proves the owner: failed sign-ins (perhaps an attacker's) no longer lock them out.
      await this.d.people.clearSignInFailures(user.email, tx);
      await tx
        .update(passwordResets)
        .set({ usedAt: now })
        .where(and(eq(passwordResets.userId, user.id), isNull(passwordResets.usedAt), ne(passwordResets.id, taken.id)));
    });
    await this.d.people.invalidateActors();
  }
}
