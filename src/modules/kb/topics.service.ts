import { desc, inArray, sql } from 'drizzle-orm';
import { z } from 'zod';
import { rowsOf, type Tx } from '../../db/client.js';
import type { Actor } from '../../platform/auth.js';
import type { Ctx } from '../../platform/context.js';
import { defineJob, enqueue } from '../../platform/jobs.js';
import type { TicketQueries } from '../tickets/tickets.queries.js';
import { firstMessageWords, ticketsForTopics } from '../tickets/topics.queries.js';
import type { OutboundService } from '../email/outbound.service.js';
import type { PeopleService } from '../people/people.service.js';
import { kbArticles, kbTopicNotices, kbTopics } from './kb.schema.js';
import type { KbService } from './kb.service.js';
import { groupTickets, sharedBodyWords } from './topics.js';

/** Recomputes recurring topics (the hourly schedule, or "Recompute now"). */
export const KB_TOPICS_JOB = defineJob({ kind: 'kb.topics', payload: z.object({}) });

// Enough for a busy desk's month; beyond it the newest tickets are grouped.
const MAX_TICKETS = 250_000;
// Topics kept per run (the largest): the screen lists these.
const MAX_TOPICS = 500;

/**
 * Recurring topics without an article (issue 14): tickets of the last N days grouped by similarity (topics.ts),
 * each group checked against published articles (full text over the group's shared words), and flagged when
 * seen more than M times with no article — PMERIT's "more than 3 times in 30 days", both numbers in the help
 * centre's settings. Runs as a background job; the screen reads the last run.
 */
export class TopicsService {
  constructor(
    private readonly ctx: Ctx,
    private readonly kb: KbService,
    private readonly tickets: TicketQueries,
    private readonly people: PeopleService,
  ) {}

  /** The outbox that mails flagged topics to the admins (the email module is built after this one). */
  private outbound: Pick<OutboundService, 'queueStandalone'> | undefined;
  mailThrough(outbound: Pick<OutboundService, 'queueStandalone'>): void {
    this.outbound = outbound;
  }

  /** Queues a run now (one per minute at most: pressing the button twice runs once). */
  async requestRefresh(): Promise<void> {
    const minute = Math.floor(this.ctx.clock.now().getTime() / 60_000);
    await enqueue(this.ctx.db, this.ctx.clock, KB_TOPICS_JOB, {}, { key: `kb.topics:${minute}` });
  }

  async refresh(): Promise<{ tickets: number; topics: number; flagged: number; ms: number; phasesMs: Record<string, number> }> {
    const started = performance.now();
    const phasesMs: Record<string, number> = {};
    let mark = started;
    const phase = (name: string) => {
      const now = performance.now();
      phasesMs[name] = Math.round(now - mark);
      mark = now;
    };
    const s = await this.kb.settings();
    const { topicDays, topicMinTickets } = topicSettings(s);
    const now = this.ctx.clock.now();
    const rows = await ticketsForTopics(this.ctx.db, new Date(now.getTime() - topicDays * 86_400_000), MAX_TICKETS);
    phase('read');
    const groups = groupTickets(rows).slice(0, MAX_TOPICS);
    phase('group');
    const bodies = await firstMessageWords(this.ctx.db, groups.flatMap((g) => g.tickets.map((t) => t.id)));
    for (const g of groups) g.explanation.bodyWords = sharedBodyWords(g, bodies);
    phase('firstMessages');
    // Which published article covers each group: one that has all of its shared words (the ticket lexemes were
    // stemmed like articles' when both use the same language), the best ranked.
    const covered = new Map<string, string>();
    if (groups.length) {
      const queries = JSON.stringify(groups.map((g) => ({ k: g.key, q: g.words.map((w) => `'${w.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`).join(' & ') })));
      const found = rowsOf<{ k: string; id: string | null }>(
        await this.ctx.db.execute(sql`
          select g.k, (select a.id from ${kbArticles} a where a.published_version is not null and a.search @@ g.q::tsquery order by ts_rank(a.search, g.q::tsquery) desc limit 1) as id
          from jsonb_to_recordset(${queries}::jsonb) as g(k text, q text)`),
      );
      for (const f of found) if (f.id) covered.set(f.k, f.id);
    }
    phase('articles');
    const values = groups.map((g) => {
      const articleId = covered.get(g.key) ?? null;
      const times = g.tickets.map((t) => t.createdAt.getTime());
      return {
        key: g.key,
        label: g.label,
        words: g.words,
        ticketCount: g.count,
        tickets: g.tickets.map((t) => ({ id: t.id, number: t.number, subject: t.subject, createdAt: t.createdAt.toISOString() })),
        explanation: g.explanation,
        articleId,
        flagged: !articleId && g.count > topicMinTickets,
        firstAt: new Date(Math.min(...times)),
        lastAt: new Date(Math.max(...times)),
        computedAt: now,
      };
    });
    // Read before the transaction: PGlite has one connection, a read outside it would wait for it forever.
    const admins = values.some((v) => v.flagged) ? (await this.people.listUsers({ role: 'admin', limit: 200, offset: 0 })).filter((u) => u.active) : [];
    await this.ctx.db.transaction(async (tx) => {
      await tx.delete(kbTopics);
      for (let i = 0; i < values.length; i += 200) await tx.insert(kbTopics).values(values.slice(i, i + 200));
      await this.tellTeam(tx, values, admins.map((u) => u.email), { topicDays, topicMinTickets });
    });
    phase('write');
    const ms = Math.round(performance.now() - started);
    return { tickets: rows.length, topics: values.length, flagged: values.filter((v) => v.flagged).length, ms, phasesMs };
  }

  /**
   * Tells the admins, once, of topics newly flagged (by mail through the outbox, in the run's transaction): a
   * topic already told is not told again until an article covered it (its notice is dropped then) and it is
   * flagged anew. A topic that merely dropped under the threshold keeps its notice: it is the same topic.
   */
  private async tellTeam(
    tx: Tx,
    topics: { key: string; label: string; ticketCount: number; flagged: boolean; articleId: string | null }[],
    admins: string[],
    { topicDays, topicMinTickets }: { topicDays: number; topicMinTickets: number },
  ): Promise<void> {
    const covered = topics.filter((t) => t.articleId).map((t) => t.key);
    for (let i = 0; i < covered.length; i += 500) await tx.delete(kbTopicNotices).where(inArray(kbTopicNotices.key, covered.slice(i, i + 500)));
    const flagged = topics.filter((t) => t.flagged);
    if (!flagged.length) return;
    const now = this.ctx.clock.now();
    const fresh = new Set(
      (await tx.insert(kbTopicNotices).values(flagged.map((t) => ({ key: t.key, label: t.label, notifiedAt: now }))).onConflictDoNothing().returning({ key: kbTopicNotices.key })).map((r) => r.key),
    );
    const told = flagged.filter((t) => fresh.has(t.key));
    if (!told.length || !this.outbound) return;
    const subject = told.length === 1 ? `Recurring topic with no article: ${told[0]?.label}` : `${told.length} recurring topics with no article`;
    const text = [
      `These topics were seen more than ${topicMinTickets} times in ${topicDays} days and no article covers them:`,
      '',
      ...told.map((t) => `- ${t.label} (${t.ticketCount} tickets)`),
      '',
      `Recurring topics: ${this.ctx.config.publicUrl}/kb/topics`,
      '',
      'You will not be told of these again unless an article covers them and they come back.',
    ].join('\n');
    for (const to of admins) await this.outbound.queueStandalone(tx, { kind: 'notification', to, subject: subject.slice(0, 200), text });
  }

  /** The last run's topics, flagged first, then the largest; each group's tickets only as far as the caller may see them. */
  async list(actor: Actor) {
    const rows = await this.ctx.db
      .select({
        id: kbTopics.id,
        label: kbTopics.label,
        words: kbTopics.words,
        ticketCount: kbTopics.ticketCount,
        tickets: kbTopics.tickets,
        explanation: kbTopics.explanation,
        flagged: kbTopics.flagged,
        firstAt: kbTopics.firstAt,
        lastAt: kbTopics.lastAt,
        computedAt: kbTopics.computedAt,
        article: { id: kbArticles.id, title: kbArticles.publishedTitle, slug: kbArticles.slug },
      })
      .from(kbTopics)
      .leftJoin(kbArticles, sql`${kbArticles.id} = ${kbTopics.articleId}`)
      .orderBy(desc(kbTopics.flagged), desc(kbTopics.ticketCount), kbTopics.key)
      .limit(MAX_TOPICS);
    const visible = new Set(await this.tickets.visibleIds(actor, [...new Set(rows.flatMap((r) => r.tickets.map((t) => t.id)))]));
    const s = topicSettings(await this.kb.settings());
    return {
      settings: s,
      computedAt: rows[0]?.computedAt ?? null,
      // A topic whose tickets the caller may see none of is left out whole: its label, words and explanation are made
      // of those tickets' subjects (an agent restricted to their groups must not read other groups' through it).
      items: rows
        .map((r) => ({ ...r, article: r.article?.id ? r.article : null, tickets: r.tickets.filter((t) => visible.has(t.id)) }))
        .filter((r) => r.tickets.length > 0),
    };
  }
}

export function topicSettings(s: { topicDays?: number; topicMinTickets?: number }) {
  return { topicDays: s.topicDays ?? 30, topicMinTickets: s.topicMinTickets ?? 3 };
}
