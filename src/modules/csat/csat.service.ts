import { timingSafeEqual } from 'node:crypto';
import { and, desc, eq, gt, gte, inArray, isNotNull, sql } from 'drizzle-orm';
import { z } from 'zod';
import { type Executor, rowsOf, type Tx } from '../../db/client.js';
import { type Actor, SYSTEM_ACTOR } from '../../platform/auth.js';
import type { Ctx } from '../../platform/context.js';
import { AppError } from '../../platform/errors.js';
import { defineJob, enqueue } from '../../platform/jobs.js';
import { Secrets } from '../../platform/secrets.js';
import type { OutboundService } from '../email/outbound.service.js';
import type { PeopleService } from '../people/people.service.js';
import type { TicketSettingsService } from '../tickets/settings.service.js';
import type { TicketQueries, TicketRow } from '../tickets/tickets.queries.js';
import type { TicketEvent } from '../tickets/tickets.service.js';
import { type CsatSettingsData, csatOptOuts, csatSettings, csatSurveys } from './csat.schema.js';

/** The name of the survey step in the ticket event stream. */
export const CSAT_STEP = 'csat.surveys';

export const CSAT_SEND = defineJob({ kind: 'csat.send', payload: z.object({ surveyId: z.uuid() }) });

export const DEFAULT_CSAT_SETTINGS: CsatSettingsData = {
  delayHours: 24,
  validDays: 28,
  reasons: ['The issue was not resolved', 'It took too long', 'The answer was unclear', 'Something else'],
};

export const CsatSettingsBody = z
  .object({
    delayHours: z.number().int().min(0).max(24 * 30),
    validDays: z.number().int().min(1).max(365),
    reasons: z.array(z.string().trim().min(1).max(200)).max(20),
  })
  .strict();

export const RatingBody = z
  .object({
    rating: z.enum(['good', 'bad']),
    comment: z.string().trim().max(5000).optional(),
    reason: z.string().trim().max(200).optional(),
  })
  .strict();
export type RatingInput = z.infer<typeof RatingBody>;

export type Survey = typeof csatSurveys.$inferSelect;

const UNANSWERED = ['scheduled', 'sent'] as const;

/**
 * Satisfaction surveys (docs/csat.md). A solve by a person schedules one survey (one per solve: the unique solve
 * event); the `csat.send` job sends it after the delay, unless the ticket was reopened (which cancels it), merged,
 * or the requester opted out. Answers come by the signed links in the mail (no sign-in) or in the portal, until the
 * survey expires.
 */
export class CsatService {
  private secretsLoaded: Secrets | undefined;

  constructor(
    private readonly ctx: Ctx,
    private readonly deps: { people: PeopleService; settings: TicketSettingsService; queries: TicketQueries; outbound: OutboundService },
  ) {}

  private get secrets(): Secrets {
    this.secretsLoaded ??= Secrets.load(this.ctx.config);
    return this.secretsLoaded;
  }

  // ---- settings

  async getSettings(ex: Executor = this.ctx.db): Promise<CsatSettingsData> {
    const [row] = await ex.select().from(csatSettings).where(eq(csatSettings.id, 1));
    return { ...DEFAULT_CSAT_SETTINGS, ...(row?.data ?? {}) };
  }

  async updateSettings(data: CsatSettingsData): Promise<CsatSettingsData> {
    const now = this.ctx.clock.now();
    await this.ctx.db.insert(csatSettings).values({ id: 1, data, updatedAt: now }).onConflictDoUpdate({ target: csatSettings.id, set: { data, updatedAt: now } });
    return data;
  }

  // ---- the ticket event stream (a step: surveys are scheduled and cancelled in the change's transaction)

  async onTicketEvents(tx: Tx, events: TicketEvent[], ticket: TicketRow): Promise<void> {
    for (const e of events) {
      if (e.kind === 'merged_into') {
        await this.cancelOpen(tx, ticket.id, 'merged');
        continue;
      }
      if (e.kind !== 'field_changed' || e.field !== 'status') continue;
      const to = await this.deps.settings.getState(String(e.toValue), tx);
      const from = await this.deps.settings.getState(String(e.fromValue), tx);
      if (!to) continue;
      if (to.category === 'solved') await this.schedule(tx, e, ticket);
      else if (from && (from.category === 'solved' || from.category === 'closed') && to.category !== 'closed') await this.cancelOpen(tx, ticket.id, 'reopened');
    }
  }

  private async schedule(tx: Tx, solve: TicketEvent, ticket: TicketRow): Promise<void> {
    // Auto-solved (an automation or Lifeline itself) tickets get no survey: no one asked how it went.
    if (solve.actorType !== 'person') return;
    const requester = await this.deps.people.getUser(ticket.requesterId, tx).catch(() => null);
    if (!requester?.active || requester.role !== 'customer') return;
    if (await this.optedOut(tx, requester.id)) return;
    const settings = await this.getSettings(tx);
    const now = this.ctx.clock.now();
    const sendAt = new Date(now.getTime() + settings.delayHours * 3600_000);
    const [row] = await tx
      .insert(csatSurveys)
      .values({ ticketId: ticket.id, requesterId: requester.id, solveEventId: solve.id, status: 'scheduled', sendAt, createdAt: now })
      .onConflictDoNothing()
      .returning({ id: csatSurveys.id });
    if (row) await enqueue(tx, this.ctx.clock, CSAT_SEND, { surveyId: row.id }, { key: `csat.send:${row.id}`, runAt: sendAt });
  }

  private async cancelOpen(tx: Tx, ticketId: string, reason: string): Promise<void> {
    await tx
      .update(csatSurveys)
      .set({ status: 'cancelled', cancelledReason: reason })
      .where(and(eq(csatSurveys.ticketId, ticketId), inArray(csatSurveys.status, [...UNANSWERED])));
  }

  private async optedOut(ex: Executor, userId: string): Promise<boolean> {
    const [row] = await ex.select({ userId: csatOptOuts.userId }).from(csatOptOuts).where(eq(csatOptOuts.userId, userId));
    return !!row;
  }

  // ---- sending (the csat.send job)

  async send(surveyId: string): Promise<void> {
    await this.ctx.db.transaction(async (tx) => {
      const [s] = await tx.select().from(csatSurveys).where(eq(csatSurveys.id, surveyId)).for('update');
      if (s?.status !== 'scheduled') return;
      const ticket = await this.deps.queries.getRow(SYSTEM_ACTOR, s.ticketId, tx).catch(() => null);
      const requester = await this.deps.people.getUser(s.requesterId, tx).catch(() => null);
      const why = !ticket
        ? 'ticket gone'
        : ticket.statusCategory === 'merged'
          ? 'merged'
          : ticket.statusCategory !== 'solved' && ticket.statusCategory !== 'closed'
            ? 'reopened'
            : !requester?.active
              ? 'requester inactive'
              : (await this.optedOut(tx, s.requesterId))
                ? 'opted out'
                : null;
      if (why || !ticket || !requester) {
        await tx.update(csatSurveys).set({ status: 'cancelled', cancelledReason: why }).where(eq(csatSurveys.id, s.id));
        return;
      }
      const settings = await this.getSettings(tx);
      const now = this.ctx.clock.now();
      const expiresAt = new Date(now.getTime() + settings.validDays * 86_400_000);
      const link = (rating: string) => `${this.ctx.config.publicUrl}/portal/survey?t=${encodeURIComponent(this.tokenFor(s.id))}&rating=${rating}`;
      const first = requester.name.split(/\s+/)[0] ?? requester.name;
      const text = [
        `Hello ${first},`,
        '',
        `Your request #${ticket.number} "${ticket.subject}" was solved. How did we do?`,
        '',
        `Good, I'm satisfied: ${link('good')}`,
        `Bad, I'm unsatisfied: ${link('bad')}`,
        '',
        `One click is enough; you can add a comment after. This survey can be answered until ${expiresAt.toISOString().slice(0, 10)}.`,
        `No more surveys: ${link('opt-out')}`,
      ].join('\n');
      const esc = (x: string) => x.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
      const html = `<p>Hello ${esc(first)},</p><p>Your request #${ticket.number} “${esc(ticket.subject)}” was solved. How did we do?</p>
<p><a href="${esc(link('good'))}">👍 Good, I'm satisfied</a> &nbsp; <a href="${esc(link('bad'))}">👎 Bad, I'm unsatisfied</a></p>
<p style="color:#666">One click is enough; you can add a comment after. <a href="${esc(link('opt-out'))}">No more surveys</a>.</p>`;
      const queued = await this.deps.outbound.queueStandalone(tx, { kind: 'survey', to: requester.email, subject: `How did we do? Request #${ticket.number}: ${ticket.subject}`, text, html, ticket });
      await tx
        .update(csatSurveys)
        .set(queued ? { status: 'sent', sentAt: now, expiresAt } : { status: 'cancelled', cancelledReason: 'no address to send from' })
        .where(eq(csatSurveys.id, s.id));
    });
  }

  // ---- answers

  /** The link token of a survey: its id and the server's MAC of it (a changed character is refused). */
  tokenFor(surveyId: string): string {
    return `${surveyId}.${this.secrets.mac('csat survey', surveyId)}`;
  }

  private surveyIdOf(token: string): string {
    const [id, mac, extra] = token.split('.');
    if (!id || !mac || extra !== undefined || token.length > 200 || !z.uuid().safeParse(id).success) throw this.invalidLink();
    const expected = Buffer.from(this.secrets.mac('csat survey', id));
    const given = Buffer.from(mac);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw this.invalidLink();
    return id;
  }

  private invalidLink(): AppError {
    return new AppError('SURVEY_LINK_INVALID', 'This survey link is not valid; use the link from the email as it came');
  }

  /** What the survey page shows for a link: the ticket's number and subject, the reasons, the answer so far. */
  async viewByToken(token: string) {
    const s = await this.byId(this.surveyIdOf(token));
    return this.view(s);
  }

  private async view(s: Survey) {
    const ticket = await this.deps.queries.getRow(SYSTEM_ACTOR, s.ticketId);
    const settings = await this.getSettings();
    return {
      id: s.id,
      ticketNumber: ticket.number,
      subject: ticket.subject,
      status: s.status,
      rating: s.rating,
      comment: s.comment,
      reason: s.reason,
      expiresAt: s.expiresAt,
      reasons: settings.reasons,
    };
  }

  private async byId(id: string, ex: Executor = this.ctx.db): Promise<Survey> {
    const [s] = await ex.select().from(csatSurveys).where(eq(csatSurveys.id, id));
    if (!s) throw this.invalidLink();
    return s;
  }

  async answerByToken(token: string, input: RatingInput) {
    return this.answer(this.surveyIdOf(token), input);
  }

  /** The requester answers in the portal: their ticket's latest sent survey. */
  async answerAsRequester(actor: Actor, ticketId: string, input: RatingInput) {
    const [s] = await this.ctx.db
      .select({ id: csatSurveys.id })
      .from(csatSurveys)
      .where(and(eq(csatSurveys.ticketId, ticketId), eq(csatSurveys.requesterId, actor.userId), isNotNull(csatSurveys.sentAt)))
      .orderBy(desc(csatSurveys.createdAt))
      .limit(1);
    if (!s) throw new AppError('SURVEY_NOT_SENT', 'There is no survey to answer on this ticket');
    return this.answer(s.id, input);
  }

  /**
   * Records a rating (a later click or the comment form may change it while the survey is valid). Refused: not
   * sent yet, cancelled by a reopen, past its window; a reason that is not on the list.
   */
  private async answer(surveyId: string, input: RatingInput) {
    const settings = await this.getSettings();
    if (input.reason && (input.rating !== 'bad' || !settings.reasons.includes(input.reason))) {
      throw new AppError('VALIDATION_FAILED', 'Pick a reason from the list (after a bad rating)', { fields: [{ path: 'body.reason', message: 'not one of the reasons' }] });
    }
    const saved = await this.ctx.db.transaction(async (tx) => {
      const [s] = await tx.select().from(csatSurveys).where(eq(csatSurveys.id, surveyId)).for('update');
      if (!s) throw this.invalidLink();
      const now = this.ctx.clock.now();
      if (s.status === 'cancelled') throw new AppError('SURVEY_CANCELLED', 'This survey was withdrawn: the request was reopened, or merged into another');
      if (s.status === 'scheduled' || !s.sentAt) throw new AppError('SURVEY_NOT_SENT', 'This survey has not been sent yet');
      if (s.expiresAt && s.expiresAt.getTime() <= now.getTime()) throw new AppError('SURVEY_EXPIRED', 'This survey closed; surveys can be answered for a limited time after they are sent');
      const [row] = await tx
        .update(csatSurveys)
        .set({
          status: 'answered',
          rating: input.rating,
          comment: input.comment !== undefined ? input.comment || null : input.rating === s.rating ? s.comment : null,
          reason: input.rating === 'bad' ? (input.reason ?? (input.rating === s.rating ? s.reason : null)) : null,
          answeredAt: now,
        })
        .where(eq(csatSurveys.id, s.id))
        .returning();
      return { before: s, after: row as Survey };
    });
    if (this.onRated && saved.before.rating !== saved.after.rating) await this.onRated(saved.after);
    return this.view(saved.after);
  }

  /** Called after a rating is recorded or changed (the module records it on the ticket's event stream). */
  onRated: ((survey: Survey) => Promise<void>) | undefined;

  async optOutByToken(token: string): Promise<void> {
    const s = await this.byId(this.surveyIdOf(token));
    await this.ctx.db.transaction(async (tx) => {
      await tx.insert(csatOptOuts).values({ userId: s.requesterId, createdAt: this.ctx.clock.now() }).onConflictDoNothing();
      await tx.update(csatSurveys).set({ status: 'cancelled', cancelledReason: 'opted out' }).where(and(eq(csatSurveys.requesterId, s.requesterId), eq(csatSurveys.status, 'scheduled')));
    });
  }

  // ---- for agents

  async forTicket(ticketId: string) {
    const rows = await this.ctx.db.select().from(csatSurveys).where(eq(csatSurveys.ticketId, ticketId)).orderBy(desc(csatSurveys.createdAt));
    return rows.map((s) => ({
      id: s.id,
      status: s.status,
      sendAt: s.sendAt,
      sentAt: s.sentAt,
      expiresAt: s.expiresAt,
      rating: s.rating,
      comment: s.comment,
      reason: s.reason,
      answeredAt: s.answeredAt,
      cancelledReason: s.cancelledReason,
    }));
  }

  /** The requester's sent, unanswered surveys still in their window (the widget's panel offers them), newest first. */
  async unansweredFor(requesterId: string) {
    const rows = await this.ctx.db
      .select()
      .from(csatSurveys)
      .where(and(eq(csatSurveys.requesterId, requesterId), eq(csatSurveys.status, 'sent'), gt(csatSurveys.expiresAt, this.ctx.clock.now())))
      .orderBy(desc(csatSurveys.sentAt))
      .limit(20);
    return rows.map((s) => ({ ticketId: s.ticketId, expiresAt: s.expiresAt }));
  }

  /** The latest survey the requester may answer in the portal, if any. */
  async openForRequester(ticketId: string, requesterId: string) {
    const [s] = await this.ctx.db
      .select()
      .from(csatSurveys)
      .where(and(eq(csatSurveys.ticketId, ticketId), eq(csatSurveys.requesterId, requesterId), isNotNull(csatSurveys.sentAt)))
      .orderBy(desc(csatSurveys.createdAt))
      .limit(1);
    if (!s || s.status === 'cancelled' || (s.expiresAt && s.expiresAt.getTime() <= this.ctx.clock.now().getTime())) return null;
    const settings = await this.getSettings();
    return { status: s.status, rating: s.rating, comment: s.comment, reason: s.reason, expiresAt: s.expiresAt, reasons: settings.reasons };
  }

  /**
   * Satisfaction over the last `days`: surveys sent, answered, good and bad (desk-wide counts), and the latest
   * answers with their comments — only those on tickets `actor` may see (a group-restricted agent reads no comment
   * about a ticket outside their groups).
   */
  async report(actor: Actor, days: number) {
    const since = new Date(this.ctx.clock.now().getTime() - days * 86_400_000);
    const [totals] = rowsOf<{ sent: number; answered: number; good: number; bad: number }>(
      await this.ctx.db.execute(sql`
        select count(*)::int as sent,
               count(*) filter (where ${csatSurveys.rating} is not null)::int as answered,
               count(*) filter (where ${csatSurveys.rating} = 'good')::int as good,
               count(*) filter (where ${csatSurveys.rating} = 'bad')::int as bad
        from ${csatSurveys} where ${csatSurveys.sentAt} >= ${since.toISOString()}::timestamptz`),
    );
    const t = totals ?? { sent: 0, answered: 0, good: 0, bad: 0 };
    const answered = await this.ctx.db
      .select({ id: csatSurveys.id, ticketId: csatSurveys.ticketId, rating: csatSurveys.rating, comment: csatSurveys.comment, reason: csatSurveys.reason, answeredAt: csatSurveys.answeredAt })
      .from(csatSurveys)
      .where(and(gte(csatSurveys.sentAt, since), isNotNull(csatSurveys.rating)))
      .orderBy(desc(csatSurveys.answeredAt))
      .limit(50);
    const visible = new Set(await this.deps.queries.visibleIds(actor, [...new Set(answered.map((r) => r.ticketId))]));
    const latest = answered.filter((r) => visible.has(r.ticketId));
    const numbers = new Map<string, number>();
    for (const r of latest) {
      if (numbers.has(r.ticketId)) continue;
      const row = await this.deps.queries.getRow(SYSTEM_ACTOR, r.ticketId).catch(() => null);
      if (row) numbers.set(r.ticketId, row.number);
    }
    return {
      days,
      sent: t.sent,
      answered: t.answered,
      good: t.good,
      bad: t.bad,
      satisfaction: t.answered ? Math.round((1000 * t.good) / t.answered) / 10 : null,
      responseRate: t.sent ? Math.round((1000 * t.answered) / t.sent) / 10 : null,
      responses: latest.map((r) => ({ ...r, ticketNumber: numbers.get(r.ticketId) ?? null, rating: r.rating as 'good' | 'bad' })),
    };
  }
}
