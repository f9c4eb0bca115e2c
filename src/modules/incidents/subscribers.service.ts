import { timingSafeEqual } from 'node:crypto';
import { and, asc, eq, ilike, inArray, sql } from 'drizzle-orm';
import { z } from 'zod';
import { type Executor, rowsOf, type Tx } from '../../db/client.js';
import type { Ctx } from '../../platform/context.js';
import { randomToken } from '../../platform/crypto.js';
import { AppError } from '../../platform/errors.js';
import { defineJob, enqueue } from '../../platform/jobs.js';
import { Secrets } from '../../platform/secrets.js';
import { type SubscriberStatus, statusComponents, statusDeliveries, statusNotices, statusSubscribeAttempts, statusSubscriberComponents, statusSubscribers } from './incidents.schema.js';
import type { StatusMailer } from './status-mail.js';

export type Subscriber = typeof statusSubscribers.$inferSelect;

/** A confirmation link works for this long, once. */
export const CONFIRM_TTL_MS = 48 * 3600_000;
/** Soft bounces (4.x.x: a full mailbox) in a row that stop mail to an address; a hard bounce stops it at once. */
export const SOFT_BOUNCE_LIMIT = 3;
/** Subscribe attempts per hour: per client IP, and per address (so nobody can flood someone's inbox). */
export const PER_IP_PER_HOUR = 10;
export const PER_ADDRESS_PER_HOUR = 3;
/** Subscribers per batch job of a notice's fan-out. */
export const BATCH_SIZE = 200;
/** A ledger row claimed for sending longer ago than this (the job runner's lock) was left by a process that died. */
export const CLAIM_LEASE_MS = 5 * 60_000;

/** What the subscribe form sends (application/x-www-form-urlencoded; `component` repeats). */
export const SubscribeForm = z.object({
  email: z
    .string()
    .trim()
    .max(254)
    .pipe(z.email({ message: 'not an email address' })),
  scope: z.enum(['all', 'some']).default('all'),
  component: z.union([z.uuid(), z.array(z.uuid()).max(100)]).optional(),
});

/** What the preferences form sends: every component, or some of them (`component` repeats). */
export const PreferencesForm = SubscribeForm.pick({ scope: true, component: true });

export const STATUS_CONFIRM = defineJob({ kind: 'status.confirm-mail', payload: z.object({ subscriberId: z.uuid(), nonce: z.string() }) });
export const STATUS_FANOUT = defineJob({ kind: 'status.fanout', payload: z.object({ key: z.string() }) });
export const STATUS_BATCH = defineJob({ kind: 'status.batch', payload: z.object({ key: z.string(), batch: z.number().int().min(0) }) });

const same = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/**
 * Email subscribers of the public status page: double opt-in (a signed, expiring, single-use confirmation link;
 * nothing else is sent before it is used), one-click unsubscribe in every mail (RFC 8058), bounces stop mail, and
 * notices fanned out as jobs in batches with a ledger row per (notice, subscriber), so nobody gets one twice.
 * The subscribe answer is the same whatever the address's state: the form tells nobody who is subscribed.
 */
export class SubscribersService {
  private secretsLoaded: Secrets | undefined;

  constructor(
    private readonly ctx: Ctx,
    readonly mailer: StatusMailer,
    private readonly title: () => Promise<string>,
  ) {}

  private get secrets(): Secrets {
    this.secretsLoaded ??= Secrets.load(this.ctx.config);
    return this.secretsLoaded;
  }

  private get base(): string {
    return this.ctx.config.publicUrl.replace(/\/$/, '');
  }

  // ---- links

  confirmToken(id: string, nonce: string, expires: number): string {
    const data = `${id}.${expires}.${nonce}`;
    return `${data}.${this.secrets.mac('status confirm', data)}`;
  }

  unsubscribeToken(id: string): string {
    return `${id}.${this.secrets.mac('status unsubscribe', id)}`;
  }

  /** The link in every notice to change which components a subscriber follows: signed per subscriber, no expiry. */
  preferencesToken(id: string): string {
    return `${id}.${this.secrets.mac('status preferences', id)}`;
  }

  preferencesUrl(id: string): string {
    return `${this.base}/status/subscription?token=${encodeURIComponent(this.preferencesToken(id))}`;
  }

  confirmUrl(id: string, nonce: string, expires: number): string {
    return `${this.base}/status/subscribe/confirm?token=${encodeURIComponent(this.confirmToken(id, nonce, expires))}`;
  }

  unsubscribeUrl(id: string): string {
    return `${this.base}/status/unsubscribe?token=${encodeURIComponent(this.unsubscribeToken(id))}`;
  }

  /**
   * The Message-ID of a status mail to a subscriber: unique per message and signed with the subscriber's id, so a
   * bounce that quotes it is provably about mail Lifeline sent that subscriber (nobody else ever sees it).
   */
  messageId(subscriberId: string): string {
    const data = `${subscriberId}.${randomToken(9)}`;
    return `status.${data}.${this.secrets.mac('status message-id', data).slice(0, 22)}@${new URL(this.base).hostname}`;
  }

  /** The subscriber a quoted Message-ID was signed for, or undefined (not ours, or tampered with). */
  private subscriberOfMessageId(messageId: string): string | undefined {
    const m = /^status\.([0-9a-f-]{36})\.([A-Za-z0-9_-]{12})\.([A-Za-z0-9_-]{22})@/.exec(messageId);
    if (!m) return undefined;
    const [, id = '', nonce = '', mac = ''] = m;
    return z.uuid().safeParse(id).success && same(mac, this.secrets.mac('status message-id', `${id}.${nonce}`).slice(0, 22)) ? id : undefined;
  }

  private parseConfirm(token: string): { id: string; expires: number; nonce: string } {
    const parts = token.split('.');
    const [id = '', expiresText = '', nonce = '', mac = ''] = parts;
    if (parts.length !== 4 || !z.uuid().safeParse(id).success || !/^\d{1,13}$/.test(expiresText) || !same(mac, this.secrets.mac('status confirm', `${id}.${expiresText}.${nonce}`))) {
      throw new AppError('STATUS_LINK_INVALID', 'This confirmation link is not valid: subscribe again on the status page');
    }
    return { id, expires: Number(expiresText), nonce };
  }

  private parsePreferences(token: string): string {
    const [id = '', mac = '', ...rest] = token.split('.');
    if (rest.length || !z.uuid().safeParse(id).success || !same(mac, this.secrets.mac('status preferences', id))) {
      throw new AppError('STATUS_LINK_INVALID', 'This link is not valid');
    }
    return id;
  }

  private parseUnsubscribe(token: string): string {
    const [id = '', mac = '', ...rest] = token.split('.');
    if (rest.length || !z.uuid().safeParse(id).success || !same(mac, this.secrets.mac('status unsubscribe', id))) {
      throw new AppError('STATUS_LINK_INVALID', 'This unsubscribe link is not valid');
    }
    return id;
  }

  // ---- subscribe, confirm, unsubscribe

  /**
   * A subscribe request from the public form. Counted against the client's IP and the address first; then, whatever
   * the address's state, the same answer. A new, pending, unsubscribed or bounced address gets a (new) confirmation
   * link and its component choice; an active one is left as it is (changing it would need its owner's consent).
   */
  async subscribe(form: z.infer<typeof SubscribeForm>, ip: string): Promise<void> {
    const email = form.email.toLowerCase();
    const chosen = await this.chosenComponents(form);
    await this.count(`ip:${ip}`, PER_IP_PER_HOUR, 'from your network');
    await this.count(`email:${email}`, PER_ADDRESS_PER_HOUR, 'for this address');
    const now = this.ctx.clock.now();
    await this.ctx.db.transaction(async (tx) => {
      const nonce = randomToken(16);
      const [existing] = await tx
        .select()
        .from(statusSubscribers)
        .where(sql`lower(${statusSubscribers.email}) = ${email}`)
        .for('update');
      if (existing?.status === 'active') return;
      const values = { status: 'pending' as const, allComponents: form.scope === 'all', confirmNonce: nonce, confirmSentAt: now, updatedAt: now };
      let id: string;
      if (existing) {
        await tx.update(statusSubscribers).set(values).where(eq(statusSubscribers.id, existing.id));
        id = existing.id;
      } else {
        const [row] = await tx
          .insert(statusSubscribers)
          .values({ email, ...values, createdAt: now })
          .returning({ id: statusSubscribers.id });
        id = (row as { id: string }).id;
      }
      await tx.delete(statusSubscriberComponents).where(eq(statusSubscriberComponents.subscriberId, id));
      if (chosen.length) await tx.insert(statusSubscriberComponents).values(chosen.map((componentId) => ({ subscriberId: id, componentId })));
      await enqueue(tx, this.ctx.clock, STATUS_CONFIRM, { subscriberId: id, nonce }, { key: `status-confirm:${id}:${nonce}` });
    });
  }

  /** The components a form chose (none: all of them); "some" with none ticked, or an unknown one, is refused. */
  private async chosenComponents(form: { scope: 'all' | 'some'; component?: string | string[] }): Promise<string[]> {
    const chosen = form.scope === 'all' ? [] : [...new Set(Array.isArray(form.component) ? form.component : form.component ? [form.component] : [])];
    if (form.scope === 'some' && chosen.length === 0) {
      throw new AppError('INVALID_FIELD_VALUE', 'Choose at least one component, or all of them', { fields: [{ path: 'body.component', message: 'none chosen' }] });
    }
    if (chosen.length) {
      const found = await this.ctx.db.select({ id: statusComponents.id }).from(statusComponents).where(inArray(statusComponents.id, chosen));
      if (found.length !== chosen.length) throw new AppError('INVALID_REFERENCE', 'A chosen component does not exist', { fields: [{ path: 'body.component', message: 'unknown component' }] });
    }
    return chosen;
  }

  /** What the preferences page shows: the subscriber, what they follow, and every component to choose from. */
  async preferences(token: string) {
    const id = this.parsePreferences(token);
    const [s] = await this.ctx.db.select().from(statusSubscribers).where(eq(statusSubscribers.id, id));
    if (!s) throw new AppError('STATUS_LINK_INVALID', 'This link is not valid (the subscription was removed)');
    const [chosen, components] = await Promise.all([
      this.ctx.db.select({ id: statusSubscriberComponents.componentId }).from(statusSubscriberComponents).where(eq(statusSubscriberComponents.subscriberId, id)),
      this.ctx.db.select({ id: statusComponents.id, name: statusComponents.name, groupName: statusComponents.groupName }).from(statusComponents).orderBy(asc(statusComponents.position), asc(statusComponents.name)),
    ]);
    return { subscriber: s, componentIds: chosen.map((c) => c.id), components, unsubscribeUrl: this.unsubscribeUrl(id) };
  }

  /**
   * Changes the components an active subscriber follows (from the link in their mail). Only an active subscription
   * changes: someone unsubscribed or bouncing subscribes again (double opt-in) rather than being re-enabled here.
   */
  async savePreferences(token: string, form: { scope: 'all' | 'some'; component?: string | string[] }): Promise<Subscriber> {
    const id = this.parsePreferences(token);
    const chosen = await this.chosenComponents(form);
    return this.ctx.db.transaction(async (tx) => {
      const [s] = await tx.select().from(statusSubscribers).where(eq(statusSubscribers.id, id)).for('update');
      if (!s) throw new AppError('STATUS_LINK_INVALID', 'This link is not valid (the subscription was removed)');
      if (s.status !== 'active') throw new AppError('INVALID_TRANSITION', `${s.email} is not subscribed (${s.status}); subscribe again on the status page`);
      const [row] = await tx.update(statusSubscribers).set({ allComponents: form.scope === 'all', updatedAt: this.ctx.clock.now() }).where(eq(statusSubscribers.id, id)).returning();
      await tx.delete(statusSubscriberComponents).where(eq(statusSubscriberComponents.subscriberId, id));
      if (chosen.length) await tx.insert(statusSubscriberComponents).values(chosen.map((componentId) => ({ subscriberId: id, componentId })));
      return row as Subscriber;
    });
  }

  /** One attempt counted in this hour's window; over the limit is 429 (and the attempt does nothing). */
  private async count(key: string, limit: number, what: string): Promise<void> {
    const now = this.ctx.clock.now();
    const windowStart = new Date(Math.floor(now.getTime() / 3600_000) * 3600_000);
    const [row] = await this.ctx.db
      .insert(statusSubscribeAttempts)
      .values({ key, windowStart, count: 1 })
      .onConflictDoUpdate({ target: [statusSubscribeAttempts.key, statusSubscribeAttempts.windowStart], set: { count: sql`${statusSubscribeAttempts.count} + 1` } })
      .returning({ count: statusSubscribeAttempts.count });
    if ((row?.count ?? 0) > limit) throw new AppError('TOO_MANY_ATTEMPTS', `Too many subscribe requests ${what}; try again in an hour`);
    // Old windows are swept now and then, by whoever passes.
    if (Math.random() < 0.01) await this.ctx.db.delete(statusSubscribeAttempts).where(sql`${statusSubscribeAttempts.windowStart} < ${new Date(windowStart.getTime() - 86_400_000).toISOString()}::timestamptz`);
  }

  /** The confirmation job: the one mail an unconfirmed address gets. A newer request or a confirmation meanwhile: skipped. */
  async sendConfirmation(p: z.infer<typeof STATUS_CONFIRM.payload>): Promise<void> {
    const [s] = await this.ctx.db.select().from(statusSubscribers).where(eq(statusSubscribers.id, p.subscriberId));
    if (s?.status !== 'pending' || s.confirmNonce !== p.nonce || !s.confirmSentAt) return;
    const expires = s.confirmSentAt.getTime() + CONFIRM_TTL_MS;
    const title = await this.title();
    await this.mailer.send({
      to: s.email,
      messageId: this.messageId(s.id),
      subject: `Confirm your subscription to ${title} status`,
      text: `Someone, probably you, asked to receive ${title} status notices at this address.\n\nTo confirm, open this link within 48 hours:\n${this.confirmUrl(s.id, p.nonce, expires)}\n\nIf it was not you, ignore this message: nothing more will be sent.\n`,
    });
  }

  /** Checks a confirmation link, changing nothing (the page with the confirm button). */
  async checkConfirm(token: string, ex: Executor = this.ctx.db): Promise<Subscriber> {
    const { id, expires, nonce } = this.parseConfirm(token);
    const [s] = await ex.select().from(statusSubscribers).where(eq(statusSubscribers.id, id));
    if (!s) throw new AppError('STATUS_LINK_INVALID', 'This confirmation link is not valid: subscribe again on the status page');
    if (s.confirmNonce !== nonce) throw new AppError('STATUS_LINK_USED', 'This confirmation link was already used, or a newer one was sent');
    if (expires <= this.ctx.clock.now().getTime()) throw new AppError('STATUS_LINK_EXPIRED', 'This confirmation link has expired: subscribe again on the status page');
    return s;
  }

  /** Uses a confirmation link: the subscription starts; the link works once. */
  async confirm(token: string): Promise<Subscriber> {
    return this.ctx.db.transaction(async (tx) => {
      const s = await this.checkConfirm(token, tx);
      const now = this.ctx.clock.now();
      const [row] = await tx
        .update(statusSubscribers)
        .set({ status: 'active', confirmNonce: null, confirmedAt: now, softBounces: 0, bouncedAt: null, bounceReason: null, unsubscribedAt: null, updatedAt: now })
        .where(and(eq(statusSubscribers.id, s.id), eq(statusSubscribers.confirmNonce, s.confirmNonce as string)))
        .returning();
      if (!row) throw new AppError('STATUS_LINK_USED', 'This confirmation link was already used, or a newer one was sent');
      return row;
    });
  }

  /** Checks an unsubscribe link (the page with the button). */
  async checkUnsubscribe(token: string): Promise<Subscriber> {
    const id = this.parseUnsubscribe(token);
    const [s] = await this.ctx.db.select().from(statusSubscribers).where(eq(statusSubscribers.id, id));
    if (!s) throw new AppError('STATUS_LINK_INVALID', 'This unsubscribe link is not valid (the subscription was removed)');
    return s;
  }

  /** One-click unsubscribe (RFC 8058): no more mail; using the link again changes nothing and says the same. */
  async unsubscribe(token: string): Promise<Subscriber> {
    const s = await this.checkUnsubscribe(token);
    if (s.status === 'unsubscribed') return s;
    const now = this.ctx.clock.now();
    const [row] = await this.ctx.db.update(statusSubscribers).set({ status: 'unsubscribed', confirmNonce: null, unsubscribedAt: now, updatedAt: now }).where(eq(statusSubscribers.id, s.id)).returning();
    return row as Subscriber;
  }

  /**
   * The bounce hook (from the email module): a hard bounce stops mail at once, soft ones after SOFT_BOUNCE_LIMIT.
   * It acts only on subscribers whose signed Message-ID the bounce quotes (the returned message's headers), never
   * on the addresses a bounce names: anyone can send support@ a "bounce" naming anyone (X-Failed-Recipients:
   * victim@…), but only a real report about our mail to a subscriber carries that mail's Message-ID.
   */
  async bounced(tx: Tx, b: { reason: string; permanent: boolean; quotedIds: string[] }): Promise<void> {
    const now = this.ctx.clock.now();
    const ids = [...new Set(b.quotedIds.slice(0, 50).map((q) => this.subscriberOfMessageId(q)).filter((id): id is string => !!id))];
    const reason = b.reason.slice(0, 500);
    for (const id of ids) {
      const where = and(eq(statusSubscribers.id, id), inArray(statusSubscribers.status, ['active', 'pending']));
      if (b.permanent) {
        await tx.update(statusSubscribers).set({ status: 'bounced', bouncedAt: now, bounceReason: reason, confirmNonce: null, updatedAt: now }).where(where);
      } else {
        await tx
          .update(statusSubscribers)
          .set({
            softBounces: sql`${statusSubscribers.softBounces} + 1`,
            status: sql`case when ${statusSubscribers.softBounces} + 1 >= ${SOFT_BOUNCE_LIMIT} then 'bounced' else ${statusSubscribers.status} end`,
            bouncedAt: sql`case when ${statusSubscribers.softBounces} + 1 >= ${SOFT_BOUNCE_LIMIT} then ${now.toISOString()}::timestamptz else ${statusSubscribers.bouncedAt} end`,
            bounceReason: reason,
            updatedAt: now,
          })
          .where(where);
      }
    }
  }

  // ---- notices: the outbox

  /**
   * Queues a notice in the caller's transaction (the update or maintenance that causes it commits with it): one row
   * and one fan-out job; the fan-out never holds up the command. The same key twice is one notice.
   */
  async queueNotice(tx: Tx, notice: { key: string; subject: string; body: string; componentIds: string[] }): Promise<void> {
    const [row] = await tx
      .insert(statusNotices)
      .values({ ...notice, createdAt: this.ctx.clock.now() })
      .onConflictDoNothing()
      .returning({ key: statusNotices.key });
    if (row) await enqueue(tx, this.ctx.clock, STATUS_FANOUT, { key: notice.key }, { key: `status-fanout:${notice.key}` });
  }

  /**
   * The fan-out job: the ledger (one row per subscriber of the notice's components, numbered into batches) and a
   * job per batch, in one transaction with the notice marked fanned out, so a replay finds it done.
   */
  async fanOut(p: z.infer<typeof STATUS_FANOUT.payload>): Promise<void> {
    await this.ctx.db.transaction(async (tx) => {
      const [n] = await tx.select().from(statusNotices).where(eq(statusNotices.key, p.key)).for('update');
      if (!n || n.fannedOutAt) return;
      const components = n.componentIds;
      const scope = components.length
        ? sql`and (s.all_components or exists (select 1 from ${statusSubscriberComponents} sc where sc.subscriber_id = s.id and sc.component_id in (${sql.join(
            components.map((c) => sql`${c}::uuid`),
            sql`, `,
          )})))`
        : sql``;
      const inserted = rowsOf<{ n: number }>(
        await tx.execute(sql`
          with picked as (
            insert into ${statusDeliveries} (notice_key, subscriber_id, batch)
            select ${n.key}, s.id, ((row_number() over (order by s.id)) - 1) / ${BATCH_SIZE}
            from ${statusSubscribers} s
            where s.status = 'active' ${scope}
            on conflict do nothing
            returning 1)
          select count(*)::int as n from picked`),
      );
      const recipients = inserted[0]?.n ?? 0;
      for (let batch = 0; batch * BATCH_SIZE < recipients; batch++) {
        await enqueue(tx, this.ctx.clock, STATUS_BATCH, { key: n.key, batch }, { key: `status-batch:${n.key}:${batch}` });
      }
      await tx.update(statusNotices).set({ fannedOutAt: this.ctx.clock.now(), recipients }).where(eq(statusNotices.key, n.key));
    });
  }

  /**
   * A batch job. No transaction is open while the relay is called (a slow relay would hold a connection, and on
   * embedded PGlite the only one, per message). Each ledger row goes: claim (queued → sending, committed) → send →
   * mark sent. A send the relay refuses puts the row back to queued and the job retries. A row left in `sending`
   * (the process died between claim and mark) is taken over once its claim is older than CLAIM_LEASE_MS, and only
   * once (`claims` < 2): the relay may or may not have taken the first try, so that subscriber gets at most one
   * duplicate and never a third copy; after that the row is `failed` ("delivery unknown"). Someone who unsubscribed
   * or bounced since the fan-out is skipped. A replayed batch mails nobody twice.
   */
  async sendBatch(p: z.infer<typeof STATUS_BATCH.payload>): Promise<void> {
    const [notice] = await this.ctx.db.select().from(statusNotices).where(eq(statusNotices.key, p.key));
    if (!notice) return;
    const rows = await this.ctx.db
      .select({ subscriberId: statusDeliveries.subscriberId, email: statusSubscribers.email, status: statusSubscribers.status })
      .from(statusDeliveries)
      .innerJoin(statusSubscribers, eq(statusSubscribers.id, statusDeliveries.subscriberId))
      .where(and(eq(statusDeliveries.noticeKey, p.key), eq(statusDeliveries.batch, p.batch), inArray(statusDeliveries.status, ['queued', 'sending'])));
    let failed = 0;
    let busy = 0;
    let lastError = '';
    for (const r of rows) {
      const row = and(eq(statusDeliveries.noticeKey, p.key), eq(statusDeliveries.subscriberId, r.subscriberId));
      const now = this.ctx.clock.now();
      if (r.status !== 'active') {
        await this.ctx.db.update(statusDeliveries).set({ status: 'skipped', sentAt: now }).where(and(row, inArray(statusDeliveries.status, ['queued', 'sending'])));
        continue;
      }
      const stale = new Date(now.getTime() - CLAIM_LEASE_MS);
      const [claim] = await this.ctx.db
        .update(statusDeliveries)
        .set({ status: 'sending', claims: sql`${statusDeliveries.claims} + 1`, claimedAt: now })
        .where(and(row, sql`(${statusDeliveries.status} = 'queued' or (${statusDeliveries.status} = 'sending' and ${statusDeliveries.claims} < 2 and ${statusDeliveries.claimedAt} < ${stale.toISOString()}::timestamptz))`))
        .returning({ claims: statusDeliveries.claims });
      if (!claim) {
        // Sent twice already (at most one duplicate), or another worker holds a fresh claim.
        const [given] = await this.ctx.db
          .update(statusDeliveries)
          .set({ status: 'failed', error: 'delivery unknown: the process sending it stopped twice' })
          .where(and(row, eq(statusDeliveries.status, 'sending'), sql`${statusDeliveries.claims} >= 2`, sql`${statusDeliveries.claimedAt} < ${stale.toISOString()}::timestamptz`))
          .returning({ k: statusDeliveries.noticeKey });
        if (!given) {
          const [held] = await this.ctx.db.select({ status: statusDeliveries.status }).from(statusDeliveries).where(row);
          if (held?.status === 'sending') busy++;
        }
        continue;
      }
      const mine = and(row, eq(statusDeliveries.status, 'sending'), eq(statusDeliveries.claims, claim.claims));
      try {
        const unsubscribe = this.unsubscribeUrl(r.subscriberId);
        await this.mailer.send({ to: r.email, messageId: this.messageId(r.subscriberId), subject: notice.subject, text: `${notice.body}\n\n—\nYou receive this because you subscribed to status notices.\nChoose the components you follow: ${this.preferencesUrl(r.subscriberId)}\nUnsubscribe with one click: ${unsubscribe}\n`, unsubscribeUrl: unsubscribe });
      } catch (err) {
        // The relay refused it: not sent, so this claim does not count toward the one allowed duplicate.
        failed++;
        lastError = (err as Error).message;
        await this.ctx.db.update(statusDeliveries).set({ status: 'queued', claims: sql`${statusDeliveries.claims} - 1`, error: lastError.slice(0, 500) }).where(mine);
        continue;
      }
      await this.ctx.db.update(statusDeliveries).set({ status: 'sent', sentAt: this.ctx.clock.now(), error: null }).where(mine);
    }
    if (failed || busy) throw new Error(`status notice ${p.key}: ${failed} of ${rows.length} not sent${lastError ? ` (${lastError})` : ''}, ${busy} being sent elsewhere; will retry`);
  }

  // ---- the admin list

  async list(input: { q?: string; status?: SubscriberStatus; componentId?: string; limit: number; offset: number }) {
    const where = and(
      input.q ? ilike(statusSubscribers.email, `%${input.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`) : undefined,
      input.status ? eq(statusSubscribers.status, input.status) : undefined,
      input.componentId
        ? sql`(${statusSubscribers.allComponents} or exists (select 1 from ${statusSubscriberComponents} sc where sc.subscriber_id = ${statusSubscribers.id} and sc.component_id = ${input.componentId}::uuid))`
        : undefined,
    );
    const [rows, [total], chosen] = await Promise.all([
      this.ctx.db.select().from(statusSubscribers).where(where).orderBy(asc(statusSubscribers.email)).limit(input.limit).offset(input.offset),
      this.ctx.db.select({ n: sql<number>`count(*)::int` }).from(statusSubscribers).where(where),
      this.ctx.db.select().from(statusSubscriberComponents),
    ]);
    const items = rows.map((s) => ({
      id: s.id,
      email: s.email,
      status: s.status,
      allComponents: s.allComponents,
      componentIds: chosen.filter((c) => c.subscriberId === s.id).map((c) => c.componentId),
      confirmedAt: s.confirmedAt,
      softBounces: s.softBounces,
      bounceReason: s.bounceReason,
      createdAt: s.createdAt,
    }));
    return { items, total: total?.n ?? 0, perComponent: await this.perComponent() };
  }

  /** Active subscribers per component (those who chose all count for each), and in all. */
  async perComponent(): Promise<{ all: number; components: { id: string; name: string; subscribers: number }[] }> {
    const rows = rowsOf<{ id: string; name: string; n: number }>(
      await this.ctx.db.execute(sql`
        select c.id, c.name, (select count(*)::int from ${statusSubscribers} s where s.status = 'active'
          and (s.all_components or exists (select 1 from ${statusSubscriberComponents} sc where sc.subscriber_id = s.id and sc.component_id = c.id))) as n
        from ${statusComponents} c order by c.position, c.name`),
    );
    const [all] = await this.ctx.db.select({ n: sql<number>`count(*)::int` }).from(statusSubscribers).where(eq(statusSubscribers.status, 'active'));
    return { all: all?.n ?? 0, components: rows.map((r) => ({ id: r.id, name: r.name, subscribers: r.n })) };
  }

  async remove(id: string): Promise<void> {
    const gone = await this.ctx.db.delete(statusSubscribers).where(eq(statusSubscribers.id, id)).returning({ id: statusSubscribers.id });
    if (!gone.length) throw new AppError('NOT_FOUND', `No subscriber with id ${id}`);
  }
}
