import { and, desc, eq, inArray, isNull, ne, or, type SQL, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Executor, Tx } from '../../db/client.js';
import type { Actor } from '../../platform/auth.js';
import type { Ctx } from '../../platform/context.js';
import { randomToken, sha256 } from '../../platform/crypto.js';
import { AppError } from '../../platform/errors.js';
import { defineJob, enqueue, type JobContext } from '../../platform/jobs.js';
import type { PeopleService } from '../people/people.service.js';
import { isUuid, visibleTo as ticketVisibleTo } from '../tickets/tickets.queries.js';
import { signature, type WebhooksService } from '../webhooks/webhooks.service.js';
import type { PageMailer } from './mailer.js';
import { oncallNotifications, oncallPageLinks, oncallPages, type PageSource, type PageStatus } from './oncall.schema.js';
import type { Policies, PolicyRow } from './policies.js';
import type { OncallSettingsStore } from './settings.js';

/** Deliver one notification (email or webhook) of a page. */
export const ONCALL_NOTIFY = defineJob({ kind: 'oncall.notify', payload: z.object({ notificationId: z.uuid() }) });
/** The wait of step `step` in round `round` of a page is over: notify the next step unless someone acknowledged. */
export const ONCALL_ESCALATE = defineJob({ kind: 'oncall.escalate', payload: z.object({ pageId: z.uuid(), round: z.number().int(), step: z.number().int() }) });

export const PageBody = z.object({ policyId: z.uuid(), title: z.string().trim().min(1).max(500), body: z.string().max(20_000).default('') });
export type PageRow = typeof oncallPages.$inferSelect;
export type LinkAction = 'acknowledge' | 'resolve';
export type NewPage = { policyId: string; title: string; body: string; source: PageSource; ticketId?: string; incidentId?: string; dedupeKey?: string; createdById?: string | null };

/**
 * Who may see a page, as SQL. A page's title carries its ticket's subject, so a ticket's page is for admins, the
 * people it notified or who acted on it, and whoever may see the ticket (the tickets module's `visibleTo`, decided
 * in a subquery on the page's ticket). Pages with no ticket (manual, incidents) are for all staff, as before.
 */
function visibleTo(actor: Actor): SQL | undefined {
  if (actor.role === 'admin') return undefined;
  const ticketScope = ticketVisibleTo(actor);
  if (!ticketScope) return undefined;
  return or(
    isNull(oncallPages.ticketId),
    eq(oncallPages.createdById, actor.userId),
    eq(oncallPages.acknowledgedById, actor.userId),
    eq(oncallPages.resolvedById, actor.userId),
    sql`exists (select 1 from ${oncallNotifications} n where n.page_id = ${oncallPages.id} and n.user_id = ${actor.userId})`,
    // ticketScope names the tickets table's columns ("tickets"."group_id", …), so the subquery reads that table.
    sql`exists (select 1 from "tickets" where "tickets"."id" = ${oncallPages.ticketId} and ${ticketScope})`,
  );
}

/** How long an acknowledge / resolve link in a page's mail works. */
export const LINK_TTL_MS = 24 * 3600_000;
const WEBHOOK_TIMEOUT_MS = 10_000;

/**
 * Pages: created with their first step's notifications and the escalation job of that step in one transaction;
 * each step's escalation is a job keyed by page, round and step (so it exists once) that re-checks the page under
 * a row lock (so it acts once, whichever process runs it, however often). Acknowledging stops it.
 */
export class Pages {
  constructor(
    private readonly ctx: Ctx,
    private readonly people: PeopleService,
    private readonly policies: Policies,
    private readonly settings: OncallSettingsStore,
    private readonly webhooks: WebhooksService,
    private readonly mailer: PageMailer,
  ) {}

  async get(id: string, ex: Executor = this.ctx.db): Promise<PageRow> {
    const [row] = isUuid(id) ? await ex.select().from(oncallPages).where(eq(oncallPages.id, id)) : [];
    if (!row) throw new AppError('PAGE_NOT_FOUND', `No page with id ${id}`);
    return row;
  }

  /** A page the actor may see (`visibleTo`), or PAGE_NOT_FOUND: an id you may not see does not exist. */
  async getFor(actor: Actor, id: string): Promise<PageRow> {
    const [row] = isUuid(id) ? await this.ctx.db.select().from(oncallPages).where(and(eq(oncallPages.id, id), visibleTo(actor))) : [];
    if (!row) throw new AppError('PAGE_NOT_FOUND', `No page with id ${id}`);
    return row;
  }

  /** Pages, newest first; `userId` keeps those that reached that person, `actor` those the actor may see. */
  async list(filter: { actor?: Actor; userId?: string; status?: PageStatus; limit?: number } = {}): Promise<PageRow[]> {
    const where = filter.actor ? [visibleTo(filter.actor)] : [];
    if (filter.status) where.push(eq(oncallPages.status, filter.status));
    if (filter.userId) where.push(sql`exists (select 1 from ${oncallNotifications} n where n.page_id = ${oncallPages.id} and n.user_id = ${filter.userId})`);
    return this.ctx.db
      .select()
      .from(oncallPages)
      .where(where.length ? and(...where) : undefined)
      .orderBy(desc(oncallPages.createdAt))
      .limit(filter.limit ?? 100);
  }

  notifications(pageId: string) {
    return this.ctx.db.select().from(oncallNotifications).where(eq(oncallNotifications.pageId, pageId)).orderBy(oncallNotifications.createdAt, oncallNotifications.round, oncallNotifications.step);
  }

  /** Opens a page in the caller's transaction and notifies its first step; null when its dedupe key already paged. */
  async create(tx: Tx, input: NewPage): Promise<PageRow | null> {
    const policy = await this.policies.get(input.policyId, tx, 'INVALID_REFERENCE');
    const [page] = await tx
      .insert(oncallPages)
      .values({
        title: input.title,
        body: input.body,
        source: input.source,
        ticketId: input.ticketId ?? null,
        incidentId: input.incidentId ?? null,
        dedupeKey: input.dedupeKey ?? null,
        policyId: policy.id,
        createdById: input.createdById ?? null,
        createdAt: this.ctx.clock.now(),
      })
      .onConflictDoNothing()
      .returning();
    if (!page) return null;
    await this.notifyStep(tx, page, policy, 0, 0);
    return page;
  }

  /** Whether the ticket has a page of this policy still open (a rule pages a ticket once until it is resolved). */
  async openFor(tx: Tx, ticketId: string, policyId: string): Promise<boolean> {
    const [row] = await tx
      .select({ id: oncallPages.id })
      .from(oncallPages)
      .where(and(eq(oncallPages.ticketId, ticketId), eq(oncallPages.policyId, policyId), ne(oncallPages.status, 'resolved')))
      .limit(1);
    return !!row;
  }

  private async notifyStep(tx: Tx, page: PageRow, policy: PolicyRow, round: number, step: number): Promise<void> {
    const s = policy.steps[step];
    if (!s) return;
    const now = this.ctx.clock.now();
    const people = await this.policies.recipients(s.targets, now, tx);
    const { webhookUrl } = await this.settings.get(tx);
    const channels: ('in_app' | 'email' | 'webhook')[] = webhookUrl ? ['in_app', 'email', 'webhook'] : ['in_app', 'email'];
    if (people.length) {
      const rows = await tx
        .insert(oncallNotifications)
        .values(
          people.flatMap((userId) =>
            channels.map((channel) => ({ pageId: page.id, userId, round, step, channel, createdAt: now, ...(channel === 'in_app' ? { status: 'sent' as const, sentAt: now } : {}) })),
          ),
        )
        .onConflictDoNothing()
        .returning({ id: oncallNotifications.id, channel: oncallNotifications.channel });
      for (const r of rows) if (r.channel !== 'in_app') await enqueue(tx, this.ctx.clock, ONCALL_NOTIFY, { notificationId: r.id }, { key: `oncall.notify:${r.id}`, maxAttempts: 6 });
    }
    await enqueue(tx, this.ctx.clock, ONCALL_ESCALATE, { pageId: page.id, round, step }, { key: `oncall.escalate:${page.id}:${round}:${step}`, runAt: new Date(now.getTime() + s.delayMinutes * 60_000) });
  }

  /** The escalation job: acts only if the page is still unacknowledged at exactly this round and step. */
  async escalate(p: z.infer<typeof ONCALL_ESCALATE.payload>, job: Pick<JobContext, 'completeWithin'>): Promise<void> {
    await this.ctx.db.transaction(async (tx) => {
      const [page] = await tx.select().from(oncallPages).where(eq(oncallPages.id, p.pageId)).for('update');
      if (page && page.status === 'triggered' && page.round === p.round && page.step === p.step && !page.exhausted) {
        const policy = await this.policies.get(page.policyId, tx);
        let round = page.round;
        let step = page.step + 1;
        if (step >= policy.steps.length) {
          round++;
          step = 0;
        }
        if (round > policy.repeat) {
          await tx.update(oncallPages).set({ exhausted: true }).where(eq(oncallPages.id, page.id));
        } else {
          await tx.update(oncallPages).set({ round, step, escalatedAt: this.ctx.clock.now() }).where(eq(oncallPages.id, page.id));
          await this.notifyStep(tx, page, policy, round, step);
        }
      }
      await job.completeWithin(tx);
    });
  }

  async acknowledge(pageId: string, userId: string, ex?: Tx): Promise<PageRow> {
    return this.change(pageId, userId, 'acknowledge', ex);
  }

  async resolve(pageId: string, userId: string, ex?: Tx): Promise<PageRow> {
    return this.change(pageId, userId, 'resolve', ex);
  }

  private async change(pageId: string, userId: string, action: LinkAction, ex?: Tx): Promise<PageRow> {
    const run = async (tx: Tx) => {
      const [page] = isUuid(pageId) ? await tx.select().from(oncallPages).where(eq(oncallPages.id, pageId)).for('update') : [];
      if (!page) throw new AppError('PAGE_NOT_FOUND', `No page with id ${pageId}`);
      if (page.status === 'resolved') throw new AppError('PAGE_ALREADY_RESOLVED', `Page #${page.number} is already resolved`);
      const now = this.ctx.clock.now();
      if (action === 'acknowledge' && page.status === 'acknowledged') return page;
      const set = action === 'acknowledge' ? { status: 'acknowledged' as const, acknowledgedAt: now, acknowledgedById: userId } : { status: 'resolved' as const, resolvedAt: now, resolvedById: userId, ...(page.acknowledgedAt ? {} : { acknowledgedAt: now, acknowledgedById: userId }) };
      const [row] = await tx.update(oncallPages).set(set).where(eq(oncallPages.id, page.id)).returning();
      return row as PageRow;
    };
    return ex ? run(ex) : this.ctx.db.transaction(run);
  }

  // ---- links that work without signing in

  /** A fresh single-use link for one person to acknowledge or resolve one page; only its hash is stored. */
  async link(ex: Executor, pageId: string, userId: string, action: LinkAction): Promise<string> {
    const token = randomToken(32);
    await ex.insert(oncallPageLinks).values({ tokenHash: sha256(token), pageId, userId, action, expiresAt: new Date(this.ctx.clock.now().getTime() + LINK_TTL_MS) });
    return `${this.ctx.config.publicUrl}/oncall/link/${pageId}/${action}?token=${token}`;
  }

  /** Checks a link and says what it would do, changing nothing (the confirmation page). */
  async checkLink(pageId: string, action: LinkAction, token: string, ex: Executor = this.ctx.db) {
    const [link] = await ex.select().from(oncallPageLinks).where(eq(oncallPageLinks.tokenHash, sha256(token)));
    if (!link || link.action !== action) throw new AppError('PAGE_LINK_INVALID', 'This link is not valid: open the page in Lifeline instead');
    if (link.pageId !== pageId) throw new AppError('PAGE_LINK_WRONG_PAGE', 'This link belongs to another page');
    if (link.usedAt) throw new AppError('PAGE_LINK_USED', 'This link was already used; each link works once');
    if (link.expiresAt <= this.ctx.clock.now()) throw new AppError('PAGE_LINK_EXPIRED', 'This link has expired: open the page in Lifeline instead');
    // A link acts as its person: only while they are still active staff (someone let go must not silence a page).
    const person = await this.people.getUser(link.userId, ex).catch(() => null);
    if (!person?.active || person.role === 'customer') {
      throw new AppError('PAGE_LINK_PERSON_GONE', 'This link no longer works: the person it was sent to is deactivated or no longer staff');
    }
    return { link, page: await this.get(pageId, ex) };
  }

  /** Uses a link: marks it used and acts as its person, in one transaction (an error leaves the link unused). */
  async redeemLink(pageId: string, action: LinkAction, token: string): Promise<PageRow> {
    return this.ctx.db.transaction(async (tx) => {
      const { link } = await this.checkLink(pageId, action, token, tx);
      const used = await tx
        .update(oncallPageLinks)
        .set({ usedAt: this.ctx.clock.now() })
        .where(and(eq(oncallPageLinks.tokenHash, link.tokenHash), isNull(oncallPageLinks.usedAt)))
        .returning({ h: oncallPageLinks.tokenHash });
      if (used.length === 0) throw new AppError('PAGE_LINK_USED', 'This link was already used; each link works once');
      return this.change(pageId, link.userId, action, tx);
    });
  }

  // ---- delivery

  /** The notification job: one email or webhook post. A page acknowledged meanwhile is not sent. */
  async deliver(notificationId: string, job: Pick<JobContext, 'attempt' | 'maxAttempts'>): Promise<void> {
    const [n] = await this.ctx.db.select().from(oncallNotifications).where(eq(oncallNotifications.id, notificationId));
    if (n?.status !== 'pending') return;
    const page = await this.get(n.pageId);
    const mark = (set: Partial<typeof oncallNotifications.$inferInsert>) =>
      this.ctx.db
        .update(oncallNotifications)
        .set(set)
        .where(and(eq(oncallNotifications.id, n.id), eq(oncallNotifications.status, 'pending')));
    if (page.status !== 'triggered') {
      await mark({ status: 'stored', error: `not sent: the page was ${page.status} first` });
      return;
    }
    const person = await this.people.getUser(n.userId);
    // Deactivated after the step was notified: nothing goes to them (their links would not work anyway).
    if (!person.active || person.role === 'customer') {
      await mark({ status: 'failed', error: 'not sent: the person is deactivated or no longer staff' });
      return;
    }
    const ack = await this.link(this.ctx.db, page.id, person.id, 'acknowledge');
    const resolve = await this.link(this.ctx.db, page.id, person.id, 'resolve');
    if (n.channel === 'email') {
      const subject = `[Page #${page.number}] ${page.title}`;
      const text = [
        `You are paged${n.step > 0 || n.round > 0 ? ` (escalated: step ${n.step + 1}${n.round ? `, round ${n.round + 1}` : ''})` : ''}:`,
        '',
        `    ${page.title}`,
        '',
        page.body,
        '',
        `Acknowledge (stops the escalation): ${ack}`,
        `Resolve: ${resolve}`,
        '',
        `Each link works once, for ${LINK_TTL_MS / 3600_000} hours. All your pages: ${this.ctx.config.publicUrl}/oncall`,
      ].join('\n');
      const status = await this.mailer.send(person.email, subject, text);
      await mark({ status, sentAt: this.ctx.clock.now(), error: null });
      return;
    }
    const settings = await this.settings.get();
    if (!settings.webhookUrl || !settings.webhookSecret) {
      await mark({ status: 'failed', error: 'no page webhook is configured' });
      return;
    }
    const body = JSON.stringify({
      event: 'page.notify',
      page: { id: page.id, number: page.number, title: page.title, body: page.body, source: page.source, ticketId: page.ticketId, round: n.round, step: n.step },
      person: { id: person.id, name: person.name, email: person.email },
      acknowledgeUrl: ack,
      resolveUrl: resolve,
    });
    let error: string;
    let retry = true;
    try {
      const target = await this.webhooks.egress.check(settings.webhookUrl);
      const status = await this.webhooks.egress.post(
        target,
        { 'content-type': 'application/json', 'user-agent': 'Lifeline-Pages/1', 'x-lifeline-delivery': n.id, 'x-lifeline-signature': signature(settings.webhookSecret, body, this.ctx.clock.now()) },
        body,
        WEBHOOK_TIMEOUT_MS,
      );
      if (status >= 200 && status < 300) {
        await mark({ status: 'sent', sentAt: this.ctx.clock.now(), error: null });
        return;
      }
      error = `answered ${status}`;
      retry = status >= 500 || status === 408 || status === 429;
    } catch (err) {
      const reason = (err as { reason?: string }).reason;
      retry = reason === undefined;
      error = reason ? `refused: ${reason}` : `could not post: ${(err as Error).message}`;
    }
    if (!retry || job.attempt >= job.maxAttempts) await mark({ status: 'failed', error });
    else {
      await mark({ error });
      throw new Error(`page webhook: ${error}; will retry`);
    }
  }

  /**
   * Open pages (triggered or acknowledged) created since `since` that `actor` may see (`visibleTo`, as reading a
   * page): the hand-off summary's list, which goes to its recipient.
   */
  openSince(since: Date, actor: Actor) {
    return this.ctx.db
      .select()
      .from(oncallPages)
      .where(and(inArray(oncallPages.status, ['triggered', 'acknowledged']), sql`${oncallPages.createdAt} >= ${since.toISOString()}::timestamptz`, visibleTo(actor)))
      .orderBy(desc(oncallPages.createdAt));
  }
}
