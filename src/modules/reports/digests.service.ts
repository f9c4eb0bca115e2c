import { and, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { rowsOf } from '../../db/client.js';
import type { Actor } from '../../platform/auth.js';
import type { Ctx } from '../../platform/context.js';
import { AppError } from '../../platform/errors.js';
import { type JobContext, defineJob, enqueue } from '../../platform/jobs.js';
import type { OutboundService } from '../email/outbound.service.js';
import type { PeopleService } from '../people/people.service.js';
import { type DigestContent, type DigestSection, renderDigest } from './digest-mail.js';
import { addDays, isTimeZone, local, zonedInstant } from './digest-time.js';
import { DIGEST_KINDS, type DigestKind, digestSends, digestSubscriptions } from './digests.schema.js';
import { METRICS_BY_KEY } from './metrics/index.js';
import type { Report, ReportsService } from './reports.service.js';

export const DIGEST_SEND = defineJob({
  kind: 'reports.digest',
  payload: z.object({ userId: z.uuid(), kind: z.enum(DIGEST_KINDS), localDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/), dueAt: z.string() }),
});

export const DigestSetting = z
  .object({
    kind: z.enum(DIGEST_KINDS),
    localTime: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time like 08:00'),
    timeZone: z.string().min(1).max(100),
    weekday: z.number().int().min(1).max(7).default(5),
    groupIds: z.array(z.uuid()).max(50).default([]),
  })
  .strict();
export const DigestSettingsBody = z.object({ items: z.array(DigestSetting).max(DIGEST_KINDS.length) }).strict();
export type DigestSettingInput = z.infer<typeof DigestSetting>;
export type DigestSettingView = DigestSettingInput & { nextAt: string };

/** A digest's period and the one it is compared with. */
type Period = { from: Date; to: Date; previous: { from: Date; to: Date } };

/**
 * Digests: scheduled reports by email (docs/metrics.md, Digests). Each recipient picks which digests, for which
 * groups, at what local time in which time zone. A schedule looks every minute for digests whose local time has
 * come and enqueues one job per (recipient, digest, local date) — the job's key and a `digest_sends` row written
 * with the message make it exactly once, across processes and across DST changes (digest-time.ts). Every number
 * is a report of ReportsService, run as the recipient: the same metrics as the dashboard, and only the tickets
 * they may see.
 */
export class DigestsService {
  constructor(
    private readonly ctx: Ctx,
    private readonly reports: ReportsService,
    private readonly people: PeopleService,
    private readonly outbound: OutboundService,
  ) {}

  // ---- the recipient's settings

  async settings(userId: string): Promise<DigestSettingView[]> {
    const rows = await this.ctx.db.select().from(digestSubscriptions).where(eq(digestSubscriptions.userId, userId));
    const now = this.ctx.clock.now();
    return DIGEST_KINDS.flatMap((kind) => {
      const r = rows.find((x) => x.kind === kind);
      if (!r) return [];
      return [{ kind, localTime: r.localTime, timeZone: r.timeZone, weekday: r.weekday, groupIds: r.groupIds, nextAt: this.nextAt(r, now).toISOString() }];
    });
  }

  /** Replaces the recipient's digests with `items` (a kind left out is unsubscribed). Bad input changes nothing. */
  async saveSettings(actor: Actor, items: DigestSettingInput[]): Promise<DigestSettingView[]> {
    const kinds = new Set<string>();
    const groups = new Set((await this.people.listGroups()).map((g) => g.id));
    items.forEach((item, i) => {
      if (kinds.has(item.kind)) throw new AppError('VALIDATION_FAILED', `The ${item.kind} digest is listed twice`, { fields: [{ path: `body.items.${i}.kind`, message: 'listed twice' }] });
      kinds.add(item.kind);
      if (!isTimeZone(item.timeZone)) throw new AppError('UNKNOWN_TIME_ZONE', `There is no time zone "${item.timeZone}"`, { fields: [{ path: `body.items.${i}.timeZone`, message: 'not an IANA time zone' }] });
      const unknown = item.groupIds.findIndex((g) => !groups.has(g));
      if (unknown >= 0) throw new AppError('GROUP_NOT_FOUND', `There is no group ${item.groupIds[unknown]}`, { fields: [{ path: `body.items.${i}.groupIds.${unknown}`, message: 'no such group' }] });
    });
    const now = this.ctx.clock.now();
    await this.ctx.db.transaction(async (tx) => {
      await tx.delete(digestSubscriptions).where(eq(digestSubscriptions.userId, actor.userId));
      if (items.length) {
        await tx.insert(digestSubscriptions).values(items.map((i) => ({ userId: actor.userId, kind: i.kind, localTime: i.localTime, timeZone: i.timeZone, weekday: i.weekday, groupIds: [...new Set(i.groupIds)], updatedAt: now })));
      }
    });
    return this.settings(actor.userId);
  }

  // ---- when

  /** Whether a digest goes out on a local date: daily every day, weekly on its weekday, monthly on the 1st. */
  private goesOn(s: { kind: DigestKind; weekday: number }, date: string): boolean {
    if (s.kind === 'daily') return true;
    if (s.kind === 'monthly') return date.endsWith('-01');
    return new Date(`${date}T12:00:00Z`).getUTCDay() === s.weekday % 7;
  }

  /** The next instant a digest goes out at or after `now` (for the settings screen). */
  private nextAt(s: { kind: DigestKind; weekday: number; localTime: string; timeZone: string }, now: Date): Date {
    let date = local(now, s.timeZone).date;
    for (let i = 0; i < 40; i++, date = addDays(date, 1)) {
      if (!this.goesOn(s, date)) continue;
      const at = zonedInstant(date, s.localTime, s.timeZone);
      if (at >= now) return at;
    }
    return now;
  }

  /**
   * The schedule's minute: enqueues a job for every digest whose local time today has come, unless sent already
   * (the job key makes a second enqueue of the same one nothing). A digest saved after today's time starts on
   * the next day it goes on, so subscribing at 10:00 does not send the 08:00 one at once.
   */
  async enqueueDue(): Promise<number> {
    const now = this.ctx.clock.now();
    // One statement a minute: every subscription with the local dates it was sent on lately.
    const subs = rowsOf<{ user_id: string; kind: DigestKind; local_time: string; time_zone: string; weekday: number; updated_at: string | Date; sent: string[] }>(
      await this.ctx.db.execute(sql`
        select s.user_id, s.kind, s.local_time, s.time_zone, s.weekday, s.updated_at,
               array(select to_char(d.local_date, 'YYYY-MM-DD') from ${digestSends} d
                     where d.user_id = s.user_id and d.kind = s.kind and d.local_date >= ${addDays(now.toISOString().slice(0, 10), -2)}::date) as sent
        from ${digestSubscriptions} s`),
    );
    let queued = 0;
    for (const row of subs) {
      const s = { userId: row.user_id, kind: row.kind, localTime: row.local_time, timeZone: row.time_zone, weekday: row.weekday };
      const date = local(now, s.timeZone).date;
      if (!this.goesOn(s, date) || row.sent.includes(date)) continue;
      const due = zonedInstant(date, s.localTime, s.timeZone);
      if (due > now || due < new Date(row.updated_at)) continue;
      await enqueue(this.ctx.db, this.ctx.clock, DIGEST_SEND, { userId: s.userId, kind: s.kind, localDate: date, dueAt: due.toISOString() }, { key: `reports.digest:${s.userId}:${s.kind}:${date}`, maxAttempts: 5 });
      queued++;
    }
    return queued;
  }

  // ---- what

  /** The job: builds the digest as the recipient and queues the mail, with its digest_sends row, once. */
  async send(p: z.infer<typeof DIGEST_SEND.payload>, job: JobContext): Promise<void> {
    const [sub] = await this.ctx.db
      .select()
      .from(digestSubscriptions)
      .where(and(eq(digestSubscriptions.userId, p.userId), eq(digestSubscriptions.kind, p.kind)));
    if (!sub) return;
    const user = (await this.people.getUsers([p.userId]))[0];
    if (!user?.active || user.role === 'customer') return;
    const content = await this.build(await this.people.actorFor(user), p.kind, sub, new Date(p.dueAt));
    const mail = renderDigest(content);
    await this.ctx.db.transaction(async (tx) => {
      const fresh = rowsOf(
        await tx.execute(
          sql`insert into ${digestSends} (user_id, kind, local_date, sent_at) values (${p.userId}::uuid, ${p.kind}, ${p.localDate}::date, ${this.ctx.clock.now().toISOString()}::timestamptz) on conflict do nothing returning user_id`,
        ),
      );
      // No address to send from: throw, so nothing is recorded and the job retries (and shows in the dead jobs).
      if (fresh.length && !(await this.outbound.queueStandalone(tx, { kind: 'digest', to: user.email, subject: mail.subject, text: mail.text, html: mail.html }))) {
        throw new Error('no email address to send digests from (Admin → Email addresses)');
      }
      await job.completeWithin(tx);
    });
  }

  /** A digest's content for a recipient at `at` (its scheduled instant): one section per chosen group, or one for all. */
  async build(actor: Actor, kind: DigestKind, sub: { groupIds: string[]; timeZone: string }, at: Date): Promise<DigestContent> {
    const groups = sub.groupIds.length ? (await this.people.listGroups()).filter((g) => sub.groupIds.includes(g.id)) : [];
    const scopes: { title: string; filters: Record<string, string> }[] = groups.length ? groups.map((g) => ({ title: g.name, filters: { group: g.id } })) : [{ title: 'All tickets you can see', filters: {} }];
    const period = this.period(kind, at, sub.timeZone);
    const sections: DigestSection[] = [];
    for (const scope of scopes) sections.push(await (kind === 'daily' ? this.daily(actor, period, scope) : this.review(actor, kind, period, scope)));
    const base = this.ctx.config.publicUrl.replace(/\/$/, '');
    const title = kind === 'daily' ? 'Daily check' : kind === 'weekly' ? 'Weekly report' : 'Monthly review';
    const dateWords = (d: Date) => local(d, sub.timeZone).date;
    return {
      kind,
      title,
      periodWords: kind === 'daily' ? `the 24 hours to ${dateWords(at)} ${local(at, sub.timeZone).time.slice(0, 5)} (${sub.timeZone})` : `${dateWords(period.from)} to ${dateWords(new Date(period.to.getTime() - 1))} (${sub.timeZone})`,
      recipient: actor.name,
      sections,
      reportUrl: `${base}/reports`,
      settingsUrl: `${base}/reports/digests`,
    };
  }

  private period(kind: DigestKind, at: Date, timeZone: string): Period {
    const DAY = 86_400_000;
    if (kind === 'daily') return { from: new Date(at.getTime() - DAY), to: at, previous: { from: new Date(at.getTime() - 2 * DAY), to: new Date(at.getTime() - DAY) } };
    if (kind === 'weekly') return { from: new Date(at.getTime() - 7 * DAY), to: at, previous: { from: new Date(at.getTime() - 14 * DAY), to: new Date(at.getTime() - 7 * DAY) } };
    // Monthly: the last whole calendar month in the recipient's zone, against the month before it.
    const today = local(at, timeZone).date;
    const firstOf = (date: string, back: number) => {
      const [y, m] = date.split('-').map(Number) as [number, number];
      const d = new Date(Date.UTC(y, m - 1 - back, 1));
      return zonedInstant(d.toISOString().slice(0, 10), '00:00', timeZone);
    };
    return { from: firstOf(today, 1), to: firstOf(today, 0), previous: { from: firstOf(today, 2), to: firstOf(today, 1) } };
  }

  /** One metric over [from, to), through the dashboard's own implementation. */
  private run(actor: Actor, metric: string, from: Date, to: Date, filters: Record<string, string>, groupBy = 'none'): Promise<Report> {
    const def = METRICS_BY_KEY.get(metric);
    if (!def) throw new Error(`digest names unknown metric ${metric}`);
    return this.reports.run(actor, { metric: def, from, to, groupBy, filters });
  }

  private async daily(actor: Actor, p: Period, scope: { title: string; filters: Record<string, string> }): Promise<DigestSection> {
    const created = await this.run(actor, 'tickets_created', p.from, p.to, scope.filters);
    const byAge = await this.run(actor, 'backlog', p.from, p.to, scope.filters, 'age');
    const overdue = await this.run(actor, 'overdue', p.from, p.to, scope.filters);
    const byPriority = await this.run(actor, 'backlog', p.from, p.to, scope.filters, 'priority');
    const order = ['0-1d', '1-3d', '3-7d', '7-30d', '30d+'];
    return {
      title: scope.title,
      numbers: [
        { label: 'New since yesterday', value: created.values.tickets ?? 0, previous: created.previous.values.tickets ?? 0, unit: 'tickets', metric: 'tickets_created' },
        { label: 'Open now', value: byAge.values.tickets ?? 0, previous: byAge.previous.values.tickets ?? 0, unit: 'tickets', metric: 'backlog' },
        { label: 'Overdue (SLA deadline passed)', value: overdue.values.tickets ?? 0, previous: overdue.previous.values.tickets ?? 0, unit: 'tickets', metric: 'overdue' },
      ],
      tables: [
        { title: 'Open by age', rows: order.map((k) => ({ label: k.replace('d', ' days').replace('0-1 days', 'under a day'), value: byAge.groups.find((g) => g.key === k)?.values.tickets ?? 0 })) },
        { title: 'Priority mix (open)', rows: byPriority.groups.map((g) => ({ label: g.label, value: g.values.tickets ?? 0 })) },
      ],
    };
  }

  private async review(actor: Actor, kind: DigestKind, p: Period, scope: { title: string; filters: Record<string, string> }): Promise<DigestSection> {
    const both = async (metric: string) => {
      const now = await this.run(actor, metric, p.from, p.to, scope.filters);
      // The weekly previous is the report's own (the 7 days before); a month's is the calendar month before.
      const before = kind === 'monthly' ? (await this.run(actor, metric, p.previous.from, p.previous.to, scope.filters)).values : now.previous.values;
      return { now: now.values, before };
    };
    const created = await both('tickets_created');
    const solved = await both('tickets_solved');
    const backlog = await both('backlog');
    const frt = await both('first_response_time');
    const resolution = await both('full_resolution_time');
    const slaFirst = await both('sla_first_response');
    const slaResolution = await both('sla_resolution');
    const csat = await both('satisfaction');
    const top = await this.run(actor, 'top_tags', p.from, p.to, scope.filters, 'tag');
    const topBefore = kind === 'monthly' ? await this.run(actor, 'top_tags', p.previous.from, p.previous.to, scope.filters, 'tag') : undefined;
    const n = (v: Record<string, number | null>, k: string) => v[k] ?? null;
    return {
      title: scope.title,
      numbers: [
        { label: 'Created', value: n(created.now, 'tickets'), previous: n(created.before, 'tickets'), unit: 'tickets', metric: 'tickets_created' },
        { label: 'Solved', value: n(solved.now, 'tickets'), previous: n(solved.before, 'tickets'), unit: 'tickets', metric: 'tickets_solved' },
        { label: 'Open at the end', value: n(backlog.now, 'tickets'), previous: n(backlog.before, 'tickets'), unit: 'tickets', metric: 'backlog' },
        { label: 'First response, average', value: n(frt.now, 'avg'), previous: n(frt.before, 'avg'), unit: 'seconds', metric: 'first_response_time' },
        { label: 'First response, median', value: n(frt.now, 'p50'), previous: n(frt.before, 'p50'), unit: 'seconds', metric: 'first_response_time' },
        { label: 'Resolution, average', value: n(resolution.now, 'avg'), previous: n(resolution.before, 'avg'), unit: 'seconds', metric: 'full_resolution_time' },
        { label: 'Resolution, median', value: n(resolution.now, 'p50'), previous: n(resolution.before, 'p50'), unit: 'seconds', metric: 'full_resolution_time' },
        { label: 'SLA first response met', value: n(slaFirst.now, 'attainment'), previous: n(slaFirst.before, 'attainment'), unit: 'percent', metric: 'sla_first_response' },
        { label: 'SLA resolution met', value: n(slaResolution.now, 'attainment'), previous: n(slaResolution.before, 'attainment'), unit: 'percent', metric: 'sla_resolution' },
        { label: 'Satisfaction (CSAT)', value: n(csat.now, 'satisfaction'), previous: n(csat.before, 'satisfaction'), unit: 'percent', metric: 'satisfaction' },
      ],
      tables: [
        {
          title: 'Top 5 issues (tags)',
          rows: top.groups.slice(0, 5).map((g) => {
            const before = topBefore ? topBefore.groups.find((x) => x.key === g.key)?.values.tickets : g.previous?.tickets;
            return { label: g.label, value: g.values.tickets ?? 0, previous: before ?? 0 };
          }),
        },
      ],
    };
  }
}
