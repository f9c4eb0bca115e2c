import { HelpCache } from './page-cache.js';
import { and, asc, desc, eq, inArray, isNotNull, lte, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { rowsOf, type Executor } from '../../db/client.js';
import { type Actor, isStaff } from '../../platform/auth.js';
import type { Ctx } from '../../platform/context.js';
import { AppError, foreignKeyColumn, isUniqueViolation } from '../../platform/errors.js';
import { solvedAfter } from '../tickets/kb-links.queries.js';
import type { TicketQueries } from '../tickets/tickets.queries.js';
import { type DiffLine, diffLines } from './diff.js';
import {
  type KbSettingsData,
  kbArticles,
  kbArticleTranslations,
  kbArticleUses,
  kbArticleVersions,
  kbCategories,
  kbFiles,
  kbImpressions,
  kbRateLimits,
  kbRelatedArticles,
  kbSections,
  kbSettings,
  kbSuggestionFeedback,
  kbVotes,
  SUGGESTION_OUTCOMES,
  VISIBILITIES,
  type Visibility,
} from './kb.schema.js';
import { isLocale, localeOfConfig, parseLocale } from './locales.js';
import { renderArticle } from './markdown.js';
import { Snippets } from './snippet.js';

export type Article = typeof kbArticles.$inferSelect;
export type Category = typeof kbCategories.$inferSelect;
export type Section = typeof kbSections.$inferSelect;

export const DEFAULT_SETTINGS: KbSettingsData = { name: 'Help centre', intro: 'Answers to common questions.', primaryColor: '#1c6dd0', accentColor: '#0b7285', language: 'english' };

const Color = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'a colour as #rrggbb');
export const SettingsBody = z.object({
  name: z.string().trim().min(1).max(100),
  intro: z.string().trim().max(500).default(''),
  primaryColor: Color,
  accentColor: Color,
  language: z.string().regex(/^[a-z_]{1,40}$/, 'a text search configuration such as english, french, simple'),
  // A recurring topic is flagged when seen more than topicMinTickets times in topicDays days with no article.
  topicDays: z.number().int().min(1).max(365).default(30),
  topicMinTickets: z.number().int().min(1).max(10_000).default(3),
  // Publishing needs another agent's approval of the version submitted for review.
  requireReview: z.boolean().default(false),
  // The translation languages enabled (language codes such as fr, de, pt-BR), besides the help centre's own.
  locales: z.array(z.string().max(40)).max(40).default([]),
});
const Slug = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'lower-case letters, digits and single dashes')
  .max(100);
export const CategoryBody = z.object({ name: z.string().trim().min(1).max(100), slug: Slug.optional(), description: z.string().trim().max(1000).default(''), position: z.number().int().min(0).max(100_000).default(0) });
export const UpdateCategoryBody = CategoryBody.partial();
export const SectionBody = CategoryBody.extend({ categoryId: z.uuid() });
export const UpdateSectionBody = SectionBody.partial();
const Markdown = z.string().max(200_000);
export const ArticleBody = z.object({
  sectionId: z.uuid(),
  title: z.string().trim().min(1).max(200),
  body: Markdown.default(''),
  slug: Slug.optional(),
  visibility: z.enum(VISIBILITIES).default('public'),
  organizationIds: z.array(z.uuid()).max(100).default([]),
  position: z.number().int().min(0).max(100_000).default(0),
  sourceTicketId: z.uuid().optional(),
});
export const UpdateArticleBody = z.object({
  sectionId: z.uuid().optional(),
  title: z.string().trim().min(1).max(200).optional(),
  body: Markdown.optional(),
  note: z.string().trim().max(500).default(''),
  visibility: z.enum(VISIBILITIES).optional(),
  organizationIds: z.array(z.uuid()).max(100).optional(),
  position: z.number().int().min(0).max(100_000).optional(),
  // The version the editor started from: a save over someone else's newer version is VERSION_CONFLICT.
  version: z.number().int().positive().optional(),
});
export const PublishBody = z.object({
  // Publish now (the latest version), or at this time (null clears a schedule).
  at: z.iso
    .datetime({ offset: true })
    .transform((s) => new Date(s))
    .nullable()
    .optional(),
});
export const ChangesBody = z.object({ note: z.string().trim().min(1).max(2000) });
export const VoteBody = z.object({ helpful: z.boolean(), comment: z.string().trim().max(2000).default('') });
/** The related articles an agent picked, in order (replacing the list); at most 10, none twice, never the article itself. */
export const RelatedBody = z.object({ ids: z.array(z.uuid()).max(10) });
export const FeedbackBody = z.object({ articleId: z.uuid(), outcome: z.enum(SUGGESTION_OUTCOMES), query: z.string().max(500).default(''), impression: z.uuid().optional() });

/** What a reader is: nobody signed in (null), a customer (their organisation), or staff. */
export type Reader = Actor | null;

/** The longest search input taken; longer is refused (INVALID_SEARCH), not cut, so a URL always means one query. */
export const MAX_QUERY = 200;

/**
 * A search text made safe: only letters, digits and spaces survive (no tsquery or LIKE operators, quotes or
 * punctuation), collapsed and lower-cased; words of one character dropped. Empty when nothing is left.
 */
export function normaliseQuery(q: string): string {
  if (q.length > MAX_QUERY) throw new AppError('INVALID_SEARCH', `A search is at most ${MAX_QUERY} characters`, { fields: [{ path: 'querystring.q', message: `at most ${MAX_QUERY} characters` }] });
  return q
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .split(' ')
    .filter((w) => w.length > 1)
    .slice(0, 12)
    .join(' ');
}

/** A suggested article; `locale` is the language its title and page are in (a suggestion in another language than asked is labelled). */
export type Suggestion = { id: string; slug: string; title: string; snippet: string; url: string; locale: string };

/** How many articles a request form is suggested. */
export const SUGGESTED = 3;
/** How many matches each search index hands over for ranking: bounds the work of a query matching thousands. */
const CANDIDATES = 400;
/** How much of an article's text a search snippet is cut from. */
export const SNIPPET_SOURCE = 1500;
/** A suggestion shown with no request from that form within this many minutes counts as deflected. */
export const DEFLECTION_MINUTES = 30;
/** Related articles shown with an article: the picked ones, topped up with suggestions to this many. */
export const RELATED_SHOWN = 3;
export type RelatedRef = { id: string; slug: string; title: string; visibility: Visibility; published: boolean };

export type SearchHit = { id: string; slug: string; title: string; snippet: string; sectionName: string; score: number };
/** A full-text hit as read with its rank: what a result shows (the snippet's source text) and its score. */
type Hit = { id: string; score: number; slug: string; title: string; section_name: string; snippet: string };

/**
 * Search hits from the best-scored ids and their rows (ids whose row is gone, e.g. unpublished meanwhile, drop out),
 * best first, ties by title. Shared by the search in the default language and in translations.
 */
export function hitsByScore(best: [string, number][], rows: { id: string; slug: string; title: string; section_name: string; snippet: string }[]): SearchHit[] {
  const byId = new Map(rows.map((r) => [r.id, r]));
  const items: SearchHit[] = [];
  for (const [id, score] of best) {
    const r = byId.get(id);
    if (r) items.push({ id, slug: r.slug, title: r.title, snippet: r.snippet, sectionName: r.section_name, score });
  }
  return items.sort((a, b) => b.score - a.score || a.title.localeCompare(b.title));
}

/** The condition "this reader may read this published article". */
export function readableBy(reader: Reader): SQL {
  const published = isNotNull(kbArticles.publishedVersion);
  if (reader && isStaff(reader)) return published;
  if (!reader) return and(published, eq(kbArticles.visibility, 'public')) as SQL;
  const org = reader.organizationId ? sql` or (${kbArticles.visibility} = 'organization' and ${reader.organizationId}::uuid = any(${kbArticles.organizationIds}))` : sql``;
  return and(published, sql`(${kbArticles.visibility} in ('public', 'signed_in')${org})`) as SQL;
}

/** `readableBy` for another name of kb_articles (`t`: an alias in a subquery). */
export function readableAs(reader: Reader, t: string): SQL {
  const c = (column: string) => sql.raw(`${t}.${column}`);
  const published = sql`${c('published_version')} is not null`;
  if (reader && isStaff(reader)) return published;
  if (!reader) return sql`${published} and ${c('visibility')} = 'public'`;
  const org = reader.organizationId ? sql` or (${c('visibility')} = 'organization' and ${reader.organizationId}::uuid = any(${c('organization_ids')}))` : sql``;
  return sql`${published} and (${c('visibility')} in ('public', 'signed_in')${org})`;
}

/** What a reader sees of a published article and where it sits (the API's article and the help centre's page). */
function publishedArticleColumns() {
  return {
    id: kbArticles.id,
    slug: kbArticles.slug,
    title: kbArticles.publishedTitle,
    html: kbArticles.publishedHtml,
    text: kbArticles.publishedText,
    publishedAt: kbArticles.publishedAt,
    updatedAt: kbArticles.updatedAt,
    visibility: kbArticles.visibility,
    section: { id: kbSections.id, name: kbSections.name, slug: kbSections.slug },
    category: { id: kbCategories.id, name: kbCategories.name, slug: kbCategories.slug },
  };
}

/**
 * What an article page needs besides the article, as columns of the statement that reads it (an uncached page ran
 * five statements, now two with `relatedFill`): the related articles picked for it that the reader may read (in
 * their order; with a `locale`, those published in it, under their translated titles), its title's lexemes (what
 * the suggested related ones share) and the locales it is published in (its hreflang alternates).
 */
export function pageExtras(reader: Reader, language: string, locale: string | null) {
  const tr = locale ? sql` join ${kbArticleTranslations} bt on bt.article_id = b.id and bt.locale = ${locale} and bt.published_version is not null` : sql``;
  return {
    sectionId: kbArticles.sectionId,
    manual: sql<RelatedRef[]>`(select coalesce(json_agg(json_build_object('id', b.id, 'slug', b.slug, 'title', ${locale ? sql`bt.published_title` : sql`b.published_title`}, 'visibility', b.visibility, 'published', true) order by r.position), '[]'::json)
      from ${kbRelatedArticles} r join ${kbArticles} b on b.id = r.related_id${tr} where r.article_id = ${kbArticles.id} and ${readableAs(reader, 'b')})`,
    titleWords: sql<string | null>`${titleWords(language, sql`${kbArticles.publishedTitle}`)}`,
    locales: sql<string[]>`array(select lt.locale from ${kbArticleTranslations} lt where lt.article_id = ${kbArticles.id} and lt.published_version is not null order by lt.locale)`,
  };
}

export function slugify(text: string): string {
  const s = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80)
    .replace(/-+$/, '');
  return s || 'article';
}

const notFound = (what: 'article' | 'category' | 'section', id: string) => new AppError(`${what.toUpperCase()}_NOT_FOUND` as 'ARTICLE_NOT_FOUND', `No ${what} ${id}`);
export const isUuid = (s: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s);

/**
 * The knowledge base: categories → sections → articles in Markdown, every save a version, publishing (now or
 * scheduled) copying a version into what readers see, rendered and sanitised once then. Readers are served from
 * `readableBy`; every change clears the help centre's rendered pages (`onChange`).
 */
export class KbService {
  private readonly settingsCache;
  /** Views counted in memory and added to the articles every few seconds (a write per page view would be the bottleneck). */
  private pendingViews = new Map<string, number>();
  private readonly listeners: (() => Promise<void>)[] = [];
  private readonly snippets: Snippets;

  constructor(
    private readonly ctx: Ctx,
    private readonly tickets: TicketQueries,
  ) {
    this.snippets = new Snippets(ctx.db);
    this.settingsCache = ctx.cache.cached('kb-settings', async (ex: Executor) => {
      const [row] = await ex.select().from(kbSettings).where(eq(kbSettings.id, 1));
      return row?.data ?? DEFAULT_SETTINGS;
    });
  }

  /** Search-result snippets of `texts` for `query`, its words marked, stemmed with the text search configuration `config` (snippet.ts). */
  highlight(config: string, query: string, texts: string[]): Promise<string[]> {
    return this.snippets.highlight(config, query, texts);
  }

  /** Called after every committed change that readers can see (the help centre clears its pages). */
  onChange(fn: () => Promise<void>): void {
    this.listeners.push(fn);
  }
  /** Clears suggestions and the help centre's pages after a committed change readers can see (here and in the translations). */
  async changed(): Promise<void> {
    for (const fn of this.listeners) await fn();
  }

  // ---- settings
  settings(): Promise<KbSettingsData> {
    return this.settingsCache.get();
  }

  async updateSettings(raw: z.infer<typeof SettingsBody>): Promise<KbSettingsData> {
    const known = rowsOf<{ n: number }>(await this.ctx.db.execute(sql`select count(*)::int as n from pg_ts_config where cfgname = ${raw.language}`))[0]?.n ?? 0;
    if (!known) throw new AppError('INVALID_FIELD_VALUE', `No text search configuration ${raw.language} (english, french, german, simple, …)`, { fields: [{ path: 'body.language', message: 'unknown language' }] });
    const before = await this.settings();
    const input = { ...raw, locales: await this.checkLocales(raw.locales, localeOfConfig(raw.language), before.locales ?? []) };
    await this.ctx.db.transaction(async (tx) => {
      await tx
        .insert(kbSettings)
        .values({ id: 1, data: input, updatedAt: this.ctx.clock.now() })
        .onConflictDoUpdate({ target: kbSettings.id, set: { data: input, updatedAt: this.ctx.clock.now() } });
      // Another language stems differently: every published article is indexed again.
      if (before.language !== input.language) {
        await tx.execute(sql`update ${kbArticles} set search = ${searchVector(input.language, sql`${kbArticles.publishedTitle}`, sql`${kbArticles.publishedText}`)} where ${kbArticles.publishedVersion} is not null`);
      }
    });
    await this.settingsCache.invalidate();
    await this.changed();
    return input;
  }

  /**
   * The translation languages asked for, canonical, sorted and once each: never the help centre's own language
   * (`own`), and none taken away while a translation is published in it (its pages would vanish unannounced).
   */
  private async checkLocales(raw: string[], own: string, before: string[]): Promise<string[]> {
    const locales = [
      ...new Set(
        raw.map((l) => {
          if (isLocale(l.trim())) return parseLocale(l.trim());
          // One field for the list (the settings form shows it under its one input), naming the bad code.
          const message = `“${l.slice(0, 40)}” is not a language code such as fr, de or pt-BR`;
          throw new AppError('INVALID_LOCALE', message, { fields: [{ path: 'body.locales', message }] });
        }),
      ),
    ].sort();
    if (locales.includes(own)) throw new AppError('INVALID_LOCALE', `${own} is the help centre's own language, not a translation`, { fields: [{ path: `body.locales`, message: "the help centre's own language" }] });
    const dropped = before.filter((l) => !locales.includes(l));
    if (dropped.length) {
      const used = await this.ctx.db
        .selectDistinct({ locale: kbArticleTranslations.locale })
        .from(kbArticleTranslations)
        .where(and(inArray(kbArticleTranslations.locale, dropped), isNotNull(kbArticleTranslations.publishedVersion)));
      if (used.length) {
        const list = used.map((u) => u.locale).sort().join(', ');
        throw new AppError('LOCALE_IN_USE', `Articles are published in ${list}: unpublish those translations before switching the language off`, { fields: [{ path: 'body.locales', message: `${list} still published` }] });
      }
    }
    return locales;
  }

  // ---- categories and sections
  async tree(reader: Reader) {
    const [categories, sections, articles] = await Promise.all([
      this.ctx.db.select().from(kbCategories).orderBy(asc(kbCategories.position), asc(kbCategories.name)),
      this.ctx.db.select().from(kbSections).orderBy(asc(kbSections.position), asc(kbSections.name)),
      reader && isStaff(reader)
        ? this.ctx.db.select(articleSummary).from(kbArticles).orderBy(asc(kbArticles.position), asc(kbArticles.title))
        : this.ctx.db.select(articleSummary).from(kbArticles).where(readableBy(reader)).orderBy(asc(kbArticles.position), asc(kbArticles.title)),
    ]);
    return categories.map((c) => ({
      ...c,
      sections: sections.filter((s) => s.categoryId === c.id).map((s) => ({ ...s, articles: articles.filter((a) => a.sectionId === s.id) })),
    }));
  }

  async createCategory(input: z.infer<typeof CategoryBody>): Promise<Category> {
    const row = await named('A category with this slug', () =>
      this.ctx.db
        .insert(kbCategories)
        .values({ ...input, slug: input.slug ?? slugify(input.name), createdAt: this.ctx.clock.now() })
        .returning(),
    );
    await this.changed();
    return row[0] as Category;
  }
  async updateCategory(id: string, input: z.infer<typeof UpdateCategoryBody>): Promise<Category> {
    if (!isUuid(id)) throw notFound('category', id);
    const [row] = await named('A category with this slug', () => this.ctx.db.update(kbCategories).set(input).where(eq(kbCategories.id, id)).returning());
    if (!row) throw notFound('category', id);
    await this.changed();
    return row;
  }
  async deleteCategory(id: string): Promise<void> {
    if (!isUuid(id)) throw notFound('category', id);
    const [child] = await this.ctx.db.select({ id: kbSections.id }).from(kbSections).where(eq(kbSections.categoryId, id)).limit(1);
    if (child) throw new AppError('IN_USE', 'The category still has sections; move or delete them first');
    const deleted = await inUse('The category still has sections', () => this.ctx.db.delete(kbCategories).where(eq(kbCategories.id, id)).returning({ id: kbCategories.id }));
    if (!deleted.length) throw notFound('category', id);
    await this.changed();
  }

  async createSection(input: z.infer<typeof SectionBody>): Promise<Section> {
    const row = await named('A section with this slug', () =>
      fk('categoryId', () =>
        this.ctx.db
          .insert(kbSections)
          .values({ ...input, slug: input.slug ?? slugify(input.name), createdAt: this.ctx.clock.now() })
          .returning(),
      ),
    );
    await this.changed();
    return row[0] as Section;
  }
  async updateSection(id: string, input: z.infer<typeof UpdateSectionBody>): Promise<Section> {
    if (!isUuid(id)) throw notFound('section', id);
    const [row] = await named('A section with this slug', () => fk('categoryId', () => this.ctx.db.update(kbSections).set(input).where(eq(kbSections.id, id)).returning()));
    if (!row) throw notFound('section', id);
    await this.changed();
    return row;
  }
  async deleteSection(id: string): Promise<void> {
    if (!isUuid(id)) throw notFound('section', id);
    const [child] = await this.ctx.db.select({ id: kbArticles.id }).from(kbArticles).where(eq(kbArticles.sectionId, id)).limit(1);
    if (child) throw new AppError('IN_USE', 'The section still has articles; move or delete them first');
    const deleted = await inUse('The section still has articles', () => this.ctx.db.delete(kbSections).where(eq(kbSections.id, id)).returning({ id: kbSections.id }));
    if (!deleted.length) throw notFound('section', id);
    await this.changed();
  }

  // ---- articles: drafts, versions, publishing
  async create(actor: Actor, input: z.infer<typeof ArticleBody>): Promise<Article> {
    if (input.sourceTicketId) await this.tickets.getRow(actor, input.sourceTicketId);
    const now = this.ctx.clock.now();
    const base = input.slug ?? slugify(input.title);
    for (let n = 1; ; n++) {
      const slug = n === 1 ? base : `${base}-${n}`;
      try {
        return await this.ctx.db.transaction(async (tx) => {
          const [row] = await fk('sectionId', () =>
            tx
              .insert(kbArticles)
              .values({ ...input, slug, version: 1, createdBy: actor.userId, createdAt: now, updatedAt: now })
              .returning(),
          );
          const article = row as Article;
          await tx.insert(kbArticleVersions).values({ articleId: article.id, version: 1, title: article.title, body: article.body, note: 'Created', authorId: actor.userId, createdAt: now });
          return article;
        });
      } catch (err) {
        // A slug taken: the next number, unless the caller chose it.
        if (!isUniqueViolation(err) || input.slug || n >= 20) throw isUniqueViolation(err) ? new AppError('ALREADY_EXISTS', 'An article with this slug exists', { fields: [{ path: 'body.slug', message: 'taken' }] }) : err;
      }
    }
  }

  /** An article for staff (any state), with its status in words. */
  async get(id: string) {
    if (!isUuid(id)) throw notFound('article', id);
    const [row] = await this.ctx.db.select().from(kbArticles).where(eq(kbArticles.id, id));
    if (!row) throw notFound('article', id);
    return withStatus(row);
  }

  // ---- review
  /** Submits the latest version for review (again: the newer version replaces the one submitted). */
  async requestReview(actor: Actor, id: string) {
    const current = await this.get(id);
    if (current.publishedVersion === current.version) throw new AppError('REVIEW_NOTHING_TO_REVIEW', `Version ${current.version} is already published`);
    const [row] = await this.ctx.db
      .update(kbArticles)
      .set({ reviewVersion: current.version, reviewRequestedBy: actor.userId, reviewRequestedAt: this.ctx.clock.now(), changesRequested: null, changesRequestedBy: null })
      .where(and(eq(kbArticles.id, id), eq(kbArticles.version, current.version)))
      .returning();
    if (!row) throw new AppError('VERSION_CONFLICT', 'Someone saved this article at the same moment; open it again');
    return withStatus(row);
  }

  /**
   * Approves the version under review and publishes it: by someone other than who submitted it, and only that
   * version (a newer save since withdrew the review: REVIEW_NOT_REQUESTED).
   */
  async approve(actor: Actor, id: string) {
    const current = await this.get(id);
    if (current.reviewVersion === null) throw new AppError('REVIEW_NOT_REQUESTED', 'The article is not waiting for a review');
    if (current.reviewRequestedBy === actor.userId) throw new AppError('REVIEW_BY_SUBMITTER', 'Someone other than who submitted the article approves it');
    const { language } = await this.settings();
    const done = await this.ctx.db.transaction(async (tx) => {
      // Under the row lock: the version approved is the one reviewed, even if someone saves at this moment.
      const [row] = await tx
        .select({ version: kbArticles.version, reviewVersion: kbArticles.reviewVersion })
        .from(kbArticles)
        .where(eq(kbArticles.id, id))
        .for('update');
      if (!row || row.reviewVersion !== current.reviewVersion || row.version !== current.reviewVersion) return false;
      await this.publishVersion(tx, id, row.version, language);
      return true;
    });
    if (!done) throw new AppError('REVIEW_STALE', 'The article changed while you approved it; open it again');
    await this.changed();
    return this.get(id);
  }

  /** Sends the version under review back with a note (shown in the editor until the next submission). */
  async requestChanges(actor: Actor, id: string, note: string) {
    const current = await this.get(id);
    if (current.reviewVersion === null) throw new AppError('REVIEW_NOT_REQUESTED', 'The article is not waiting for a review');
    const [row] = await this.ctx.db
      .update(kbArticles)
      .set({ reviewVersion: null, reviewRequestedBy: null, reviewRequestedAt: null, changesRequested: note, changesRequestedBy: actor.userId })
      .where(eq(kbArticles.id, id))
      .returning();
    return withStatus(row as Article);
  }


  /** Saves a new draft version (title/body) and/or settings (section, visibility, position). */
  async update(actor: Actor, id: string, input: z.infer<typeof UpdateArticleBody>) {
    const current = await this.get(id);
    if (input.version !== undefined && input.version !== current.version) {
      throw new AppError('VERSION_CONFLICT', `Someone saved version ${current.version} since you opened version ${input.version}`, { extra: { current } });
    }
    const now = this.ctx.clock.now();
    const contentChanged = (input.title !== undefined && input.title !== current.title) || (input.body !== undefined && input.body !== current.body);
    const updated = await this.ctx.db.transaction(async (tx) => {
      const version = contentChanged ? current.version + 1 : current.version;
      const [row] = await fk('sectionId', () =>
        tx
          .update(kbArticles)
          .set({
            sectionId: input.sectionId,
            title: input.title,
            body: input.body,
            visibility: input.visibility,
            organizationIds: input.organizationIds,
            position: input.position,
            version,
            // A new version was not what the reviewer was asked to read: the review is withdrawn.
            ...(contentChanged ? { reviewVersion: null, reviewRequestedBy: null, reviewRequestedAt: null } : {}),
            updatedAt: now,
          })
          .where(and(eq(kbArticles.id, id), eq(kbArticles.version, current.version)))
          .returning(),
      );
      if (!row) throw new AppError('VERSION_CONFLICT', 'Someone saved this article at the same moment; open it again');
      if (contentChanged) {
        await tx.insert(kbArticleVersions).values({ articleId: id, version, title: row.title, body: row.body, note: input.note, authorId: actor.userId, createdAt: now });
      }
      return row;
    });
    // Visibility and section apply to the published article at once.
    if (current.publishedVersion !== null) await this.changed();
    return withStatus(updated);
  }

  async delete(id: string): Promise<void> {
    if (!isUuid(id)) throw notFound('article', id);
    const deleted = await this.ctx.db.delete(kbArticles).where(eq(kbArticles.id, id)).returning({ id: kbArticles.id });
    if (!deleted.length) throw notFound('article', id);
    await this.changed();
  }

  /**
   * Publishes the latest version now, or schedules it (`at` in the future), or clears a schedule (`at: null`). When
   * the settings require a review, only an approval publishes (REVIEW_REQUIRED here; clearing a schedule is allowed).
   */
  async publish(id: string, at?: Date | null) {
    const article = await this.get(id);
    const now = this.ctx.clock.now();
    if (at !== null && (await this.settings()).requireReview) {
      throw new AppError('REVIEW_REQUIRED', 'Publishing needs a review here: submit the article for review, and another agent approves it');
    }
    if (at === null || (at && at.getTime() > now.getTime())) {
      const [row] = await this.ctx.db.update(kbArticles).set({ publishAt: at, updatedAt: now }).where(eq(kbArticles.id, id)).returning();
      return withStatus(row as Article);
    }
    await this.publishVersion(this.ctx.db, article.id, article.version, (await this.settings()).language);
    await this.changed();
    return this.get(id);
  }

  /**
   * `language` is the help centre's, read by the caller before any transaction: the settings' read may go to the
   * database, which on PGlite's one connection would wait for the caller's transaction to end — forever.
   */
  private async publishVersion(ex: Executor, id: string, version: number, language: string): Promise<void> {
    const [v] = await ex
      .select()
      .from(kbArticleVersions)
      .where(and(eq(kbArticleVersions.articleId, id), eq(kbArticleVersions.version, version)));
    if (!v) throw notFound('article', id);
    const { html, text } = renderArticle(v.body);
    const now = this.ctx.clock.now();
    await ex
      .update(kbArticles)
      .set({
        publishedVersion: version,
        publishedTitle: v.title,
        publishedHtml: html,
        publishedText: text,
        publishedAt: now,
        publishAt: null,
        reviewVersion: null,
        reviewRequestedBy: null,
        reviewRequestedAt: null,
        search: searchVector(language, sql`${v.title}::text`, sql`${text}::text`),
        updatedAt: now,
      })
      .where(eq(kbArticles.id, id));
  }

  async unpublish(id: string) {
    await this.get(id);
    const [row] = await this.ctx.db
      .update(kbArticles)
      .set({ publishedVersion: null, publishedTitle: null, publishedHtml: null, publishedText: null, publishAt: null, search: null, updatedAt: this.ctx.clock.now() })
      .where(eq(kbArticles.id, id))
      .returning();
    await this.changed();
    return withStatus(row as Article);
  }

  /** The `kb.publish-due` schedule: articles whose publishing time has come. */
  async publishDue(): Promise<number> {
    const due = await this.ctx.db
      .select({ id: kbArticles.id })
      .from(kbArticles)
      .where(lte(kbArticles.publishAt, this.ctx.clock.now()))
      .limit(500);
    let n = 0;
    const { language } = await this.settings();
    for (const { id } of due) {
      // Under a row lock, re-checked: two processes never publish one twice, and an unscheduled one stays so.
      const done = await this.ctx.db.transaction(async (tx) => {
        const [row] = await tx
          .select({ version: kbArticles.version, publishAt: kbArticles.publishAt })
          .from(kbArticles)
          .where(eq(kbArticles.id, id))
          .for('update');
        if (!row?.publishAt || row.publishAt.getTime() > this.ctx.clock.now().getTime()) return false;
        await this.publishVersion(tx, id, row.version, language);
        return true;
      });
      if (done) n++;
    }
    if (n) await this.changed();
    return n;
  }

  async versions(id: string) {
    await this.get(id);
    return this.ctx.db
      .select({ version: kbArticleVersions.version, title: kbArticleVersions.title, note: kbArticleVersions.note, authorId: kbArticleVersions.authorId, createdAt: kbArticleVersions.createdAt })
      .from(kbArticleVersions)
      .where(eq(kbArticleVersions.articleId, id))
      .orderBy(desc(kbArticleVersions.version));
  }

  async version(id: string, version: number) {
    await this.get(id);
    const [v] = await this.ctx.db
      .select()
      .from(kbArticleVersions)
      .where(and(eq(kbArticleVersions.articleId, id), eq(kbArticleVersions.version, version)));
    if (!v) throw new AppError('NOT_FOUND', `Article ${id} has no version ${version}`);
    return v;
  }

  /** What changed from one version to another: the title and the body line by line. */
  async diff(id: string, from: number, to: number): Promise<{ from: number; to: number; title: { before: string; after: string }; lines: DiffLine[] }> {
    const [a, b] = await Promise.all([this.version(id, from), this.version(id, to)]);
    return { from, to, title: { before: a.title, after: b.title }, lines: diffLines(a.body, b.body) };
  }

  /** Makes an old version the latest draft again (a new version; history is never rewritten). */
  async restore(actor: Actor, id: string, version: number) {
    const v = await this.version(id, version);
    const current = await this.get(id);
    return this.update(actor, id, { title: v.title, body: v.body, note: `Restored version ${version}`, version: current.version });
  }

  // ---- reading
  /** A published article by slug (or id) the reader may read, or ARTICLE_NOT_FOUND. */
  async read(reader: Reader, slugOrId: string) {
    const key = isUuid(slugOrId) ? eq(kbArticles.id, slugOrId) : eq(kbArticles.slug, slugOrId.slice(0, 120));
    const [row] = await this.ctx.db
      .select({ ...publishedArticleColumns(), helpful: kbArticles.helpful, notHelpful: kbArticles.notHelpful })
      .from(kbArticles)
      .innerJoin(kbSections, eq(kbSections.id, kbArticles.sectionId))
      .innerJoin(kbCategories, eq(kbCategories.id, kbSections.categoryId))
      .where(and(key, readableBy(reader)));
    if (!row) throw notFound('article', slugOrId);
    return { ...row, title: row.title ?? '', html: row.html ?? '', text: row.text ?? '' };
  }

  /** A published article page the reader may read, by slug, with `pageExtras`; null when there is none. */
  async page(reader: Reader, slug: string) {
    const { language } = await this.settings();
    const [row] = await this.ctx.db
      .select({ ...publishedArticleColumns(), ...pageExtras(reader, language, null) })
      .from(kbArticles)
      .innerJoin(kbSections, eq(kbSections.id, kbArticles.sectionId))
      .innerJoin(kbCategories, eq(kbCategories.id, kbSections.categoryId))
      .where(and(eq(kbArticles.slug, slug.slice(0, 120)), readableBy(reader)));
    if (!row) return null;
    return { ...row, title: row.title ?? '', html: row.html ?? '', text: row.text ?? '', publishedAt: row.publishedAt ?? row.updatedAt };
  }

  countView(articleId: string): void {
    this.pendingViews.set(articleId, (this.pendingViews.get(articleId) ?? 0) + 1);
  }

  /** Adds the views counted here to the articles (every few seconds, and on stop). */
  async flushViews(): Promise<void> {
    if (!this.pendingViews.size) return;
    const batch = this.pendingViews;
    this.pendingViews = new Map();
    const values = sql.join(
      [...batch].map(([id, n]) => sql`(${id}::uuid, ${n}::int)`),
      sql`, `,
    );
    await this.ctx.db.execute(sql`update ${kbArticles} a set views = a.views + v.n from (values ${values}) as v(id, n) where a.id = v.id`);
  }

  /**
   * Full-text search with the help centre's language (stemmed), plus trigram similarity of the title for typos
   * ("pasword" finds "Reset your password"). Only articles the reader may read; the best `limit` first.
   *
   * Two indexed queries, merged here (an OR of both in one query could use neither index and ranked every
   * match): the full-text one takes at most CANDIDATES matches from its GIN index and ranks only those; the
   * trigram one (the title's GIN trigram index, `<%`) runs only when full text found fewer than `limit`.
   * Snippets are made for the final hits only.
   */
  async search(reader: Reader, rawQuery: string, limit = 20, asYouType = false, highlight = true): Promise<{ query: string; items: SearchHit[] }> {
    const query = normaliseQuery(rawQuery);
    if (!query) return { query, items: [] };
    const { language } = await this.settings();
    // As someone types, the last word is usually unfinished: it matches as a prefix ("pass" → "password"). The
    // words are letters and digits only (normaliseQuery), so joining them with & makes no other operator.
    const tsquery = asYouType ? sql`to_tsquery(${language}::regconfig, ${`${query.split(' ').join(' & ')}:*`})` : sql`plainto_tsquery(${language}::regconfig, ${query})`;
    const readable = readableBy(reader);
    const source = highlight ? SNIPPET_SOURCE : 200;
    // The best `limit` with what a hit shows, in one statement (most searches need no trigram query after it).
    const ranked = async (tsq: SQL) =>
      rowsOf<Hit>(
        await this.ctx.db.execute(sql`
          select b.id, b.score, a.slug, a.published_title as title, s.name as section_name, left(a.published_text, ${source}) as snippet from (
            select c.id, ts_rank(c.search, c.tsq) as score from (
              select kb_articles.id, kb_articles.search, q.tsq from ${kbArticles}, ${tsq} q(tsq)
              where kb_articles.search @@ q.tsq and ${readable}
              limit ${CANDIDATES}
            ) c order by score desc limit ${limit}
          ) b join ${kbArticles} a on a.id = b.id join ${kbSections} s on s.id = a.section_id`),
      );
    let fts = await ranked(tsquery);
    // Someone describing their problem types a sentence ("the export fails on the reports page"), and an article
    // rarely has every one of its words: as they type, articles with any of the words follow those with all.
    const words = query.split(' ');
    if (asYouType && fts.length < limit && words.length > 1) {
      const some = await ranked(sql`to_tsquery(${language}::regconfig, ${`${words.slice(0, -1).join(' | ')} | ${words.at(-1)}:*`})`);
      const all = new Set(fts.map((r) => r.id));
      fts = [...fts.map((r) => ({ ...r, score: Number(r.score) + 1 })), ...some.filter((r) => !all.has(r.id))];
    }
    // Titles by trigram only when the words themselves found too little (a typo: "pasword"). Common words share
    // trigrams with thousands of titles, so running it for every query cost far more than the full-text query.
    // The CTE keeps the planner on the trigram index (under a LIMIT it chose a scan of every title).
    const trgm =
      fts.length >= limit
        ? []
        : rowsOf<{ id: string; score: number }>(
            await this.ctx.db.execute(sql`
              with m as materialized (select id from ${kbArticles} where ${query} <% kb_articles.published_title)
              select kb_articles.id, word_similarity(${query}, kb_articles.published_title) as score
              from m join ${kbArticles} on kb_articles.id = m.id
              where ${readable}
              order by score desc limit ${limit}`),
          );
    const scores = new Map<string, number>();
    for (const r of [...fts, ...trgm]) scores.set(r.id, (scores.get(r.id) ?? 0) + Number(r.score));
    const best = [...scores].sort((a, b) => b[1] - a[1]).slice(0, limit);
    if (!best.length) return { query, items: [] };
    // What the full-text statements did not bring along (trigram hits) is read now.
    const known = new Map(fts.map((r) => [r.id, r]));
    const missing = best.filter(([id]) => !known.has(id));
    const rows: Omit<Hit, 'score'>[] = [...known.values()].filter((r) => best.some(([id]) => id === r.id));
    if (missing.length) {
      rows.push(
        ...rowsOf<Omit<Hit, 'score'>>(
          await this.ctx.db.execute(sql`
            select a.id, a.slug, a.published_title as title, s.name as section_name, left(a.published_text, ${source}) as snippet
            from ${kbArticles} a join ${kbSections} s on s.id = a.section_id
            where a.id in (${sql.join(
              missing.map(([id]) => sql`${id}::uuid`),
              sql`, `,
            )})`),
        ),
      );
    }
    // The excerpt around the query's words, marked (snippet.ts: what ts_headline made, without stemming every hit's
    // text in the database on every search).
    if (highlight) {
      const marked = await this.snippets.highlight(language, query, rows.map((r) => r.snippet));
      rows.forEach((r, i) => {
        r.snippet = marked[i] ?? '';
      });
    }
    return { query, items: hitsByScore(best, rows) };
  }

  /**
   * The top 3 articles for what someone is writing. Answers for readers who are not signed in are kept per
   * normalised query (page-cache.ts: bounded, 30 s at most; every change clears them in every process).
   */
  async suggest(reader: Reader, q: string) {
    const key = reader ? null : normaliseQuery(q);
    const cache = this.pageCache();
    if (key !== null) {
      const hit = cache.suggestions.get(key);
      if (hit) return hit;
    }
    const generation = cache.generation;
    // No highlighted excerpt (the forms show titles): the snippet is the article's opening.
    const { items } = await this.search(reader, q, SUGGESTED, true, false);
    const locale = localeOfConfig((await this.settings()).language);
    const out = items.map(({ id, slug, title, snippet }) => ({ id, slug, title, snippet: snippet.replace(/[\u0001\u0002]/g, ''), url: `${this.ctx.config.publicUrl}/help/articles/${slug}`, locale }));
    if (key !== null) cache.store(cache.suggestions, key, out, generation);
    return out;
  }
  /** An anonymous reader's suggestions when already answered (no query, no rate-limit row: one map lookup). */
  cachedSuggestions(q: string): Suggestion[] | undefined {
    return this.pageCache().suggestions.get(normaliseQuery(q));
  }

  /**
   * Public articles for an email's auto-reply (issue 14): none unless one matches well. Every word of the subject
   * and the first 2,000 characters of the body (stemmed) may match; an article qualifies only with at least two of
   * the subject's words (the one word of a one-word subject), and those with more subject words, then the better
   * full-text rank over subject and body, come first. At most `limit`, none of `exclude`. With `translation`, its
   * published translations into that locale (stemmed with its configuration) and their pages.
   */
  async forMail(subject: string, body: string, limit = SUGGESTED, translation: { locale: string; config: string } | null = null, exclude: string[] = []): Promise<Suggestion[]> {
    const language = translation?.config ?? (await this.settings()).language;
    const [lex] = rowsOf<{ s: string[]; b: string[] }>(
      await this.ctx.db.execute(sql`select tsvector_to_array(to_tsvector(${language}::regconfig, ${subject.slice(0, 500)})) as s, tsvector_to_array(to_tsvector(${language}::regconfig, ${body.slice(0, 2000)})) as b`),
    );
    const word = (w: string) => /^[\p{L}\p{N}_-]{2,40}$/u.test(w);
    const subjectWords = (lex?.s ?? []).filter(word).slice(0, 12);
    if (!subjectWords.length) return [];
    const words = [...new Set([...subjectWords, ...(lex?.b ?? []).filter(word)])].slice(0, 60);
    const any = words.map((w) => `'${w}'`).join(' | ');
    const need = Math.min(2, subjectWords.length);
    const source = translation
      ? sql`select kb_articles.id, kb_articles.slug, t.published_title as title, t.search from ${kbArticleTranslations} t join ${kbArticles} on kb_articles.id = t.article_id
          where t.locale = ${translation.locale} and t.search @@ ${any}::tsquery and ${readableBy(null)}`
      : sql`select kb_articles.id, kb_articles.slug, kb_articles.published_title as title, kb_articles.search from ${kbArticles} where kb_articles.search @@ ${any}::tsquery and ${readableBy(null)}`;
    const skip = exclude.length ? sql` and c.id not in (${sql.join(exclude.map((x) => sql`${x}::uuid`), sql`, `)})` : sql``;
    const rows = rowsOf<{ slug: string; title: string; id: string }>(
      await this.ctx.db.execute(sql`
        select c.id, c.slug, c.title from (${source} limit ${CANDIDATES}) c
        cross join lateral (select count(*)::int as n from jsonb_array_elements_text(${JSON.stringify(subjectWords)}::jsonb) w where c.search @@ (quote_literal(w))::tsquery) m
        where m.n >= ${need}${skip}
        order by m.n desc, ts_rank(c.search, ${any}::tsquery) desc, c.title
        limit ${limit}`),
    );
    const locale = translation?.locale ?? localeOfConfig(language);
    const base = translation ? `/help/${translation.locale}` : '/help';
    return rows.map((r) => ({ id: r.id, slug: r.slug, title: r.title, snippet: '', url: `${this.ctx.config.publicUrl}${base}/articles/${r.slug}`, locale }));
  }

  /** Records that these articles were shown in the request form `impression` (once per article). */
  async recordImpression(reader: Reader, impression: string, articleIds: string[]): Promise<void> {
    if (!articleIds.length) return;
    const now = this.ctx.clock.now();
    await this.ctx.db
      .insert(kbImpressions)
      .values(articleIds.map((articleId) => ({ id: impression, articleId, userId: reader?.userId ?? null, shownAt: now })))
      .onConflictDoNothing();
  }

  /** A request was sent from the form `impression`: what it was shown did not deflect it (unless already solved). */
  async requested(impression: string): Promise<void> {
    await this.ctx.db
      .update(kbImpressions)
      .set({ requestedAt: this.ctx.clock.now() })
      .where(and(eq(kbImpressions.id, impression), sql`${kbImpressions.requestedAt} is null`, sql`${kbImpressions.solvedAt} is null`));
  }

  async feedback(reader: Reader, input: z.infer<typeof FeedbackBody>): Promise<void> {
    await this.read(reader, input.articleId);
    // "This solved it" in a request form deflects at once.
    if (input.impression && input.outcome === 'solved') {
      await this.ctx.db
        .update(kbImpressions)
        .set({ solvedAt: this.ctx.clock.now() })
        .where(and(eq(kbImpressions.id, input.impression), eq(kbImpressions.articleId, input.articleId), sql`${kbImpressions.requestedAt} is null`, sql`${kbImpressions.solvedAt} is null`));
    }
    await this.ctx.db.insert(kbSuggestionFeedback).values({ articleId: input.articleId, outcome: input.outcome, query: input.query.slice(0, 500), userId: reader?.userId ?? null, createdAt: this.ctx.clock.now() });
  }

  async vote(reader: Reader, slugOrId: string, input: z.infer<typeof VoteBody>) {
    const article = await this.read(reader, slugOrId);
    await this.ctx.db.transaction(async (tx) => {
      await tx.insert(kbVotes).values({ articleId: article.id, helpful: input.helpful, comment: input.comment, userId: reader?.userId ?? null, createdAt: this.ctx.clock.now() });
      await tx
        .update(kbArticles)
        .set(input.helpful ? { helpful: sql`${kbArticles.helpful} + 1` } : { notHelpful: sql`${kbArticles.notHelpful} + 1` })
        .where(eq(kbArticles.id, article.id));
    });
    return article;
  }

  /**
   * Counts a public request from `who` (a client address) against the per-minute limit, in the database so every
   * process shares it; over the limit is RATE_LIMITED.
   */
  async limit(what: string, who: string): Promise<void> {
    const now = this.ctx.clock.now();
    const key = `${what}:${who}`.slice(0, 200);
    const until = new Date(now.getTime() + 60_000);
    // One statement, one round trip (a transaction around it was four: begin, set, upsert, commit): the upsert counts
    // the hit, restarting the window when the last one ended, and returns the count.
    // `set_config(…, true)` in its FROM is the statement's own `set local synchronous_commit = off`: the commit does
    // not wait for the WAL flush (a counter lost in a crash lets a few more requests through), because every public
    // request of one address updates one row, and a commit waiting for the disk held that row's lock for every other
    // request from the address (a proxy without TRUST_PROXY, an office behind one NAT). It is referenced in the
    // WHERE so it is evaluated; the setting ends with the statement's transaction.
    const [row] = rowsOf<{ hits: number }>(
      await this.ctx.db.execute(sql`
        insert into ${kbRateLimits} (key, hits, expires_at)
        select ${key}::text, 1, ${until.toISOString()}::timestamptz from (select set_config('synchronous_commit', 'off', true) as sc) s where s.sc = 'off'
        on conflict (key) do update set
          hits = case when ${kbRateLimits.expiresAt} <= ${now.toISOString()}::timestamptz then 1 else ${kbRateLimits.hits} + 1 end,
          expires_at = case when ${kbRateLimits.expiresAt} <= ${now.toISOString()}::timestamptz then excluded.expires_at else ${kbRateLimits.expiresAt} end
        returning hits`),
    );
    if ((row?.hits ?? 0) > this.ctx.config.kbPublicRequestsPerMinute) {
      throw new AppError('RATE_LIMITED', `At most ${this.ctx.config.kbPublicRequestsPerMinute} of these requests a minute from one address; wait a minute`, { extra: { retryAfterSeconds: 60 } });
    }
  }

  /** Drops finished rate-limit windows (a sweep). */
  async sweepLimits(): Promise<void> {
    await this.ctx.db.delete(kbRateLimits).where(lte(kbRateLimits.expiresAt, this.ctx.clock.now()));
  }

  // ---- related articles
  /** Replaces an article's related articles (in the order given). */
  async setRelated(id: string, ids: string[]) {
    await this.get(id);
    if (ids.includes(id)) throw new AppError('RELATED_SELF', 'An article cannot be related to itself', { fields: [{ path: 'body.ids', message: 'the article itself' }] });
    if (new Set(ids).size !== ids.length) throw new AppError('VALIDATION_FAILED', 'An article is listed twice', { fields: [{ path: 'body.ids', message: 'listed twice' }] });
    await this.ctx.db.transaction(async (tx) => {
      await tx.delete(kbRelatedArticles).where(eq(kbRelatedArticles.articleId, id));
      if (!ids.length) return;
      try {
        await tx.insert(kbRelatedArticles).values(ids.map((relatedId, position) => ({ articleId: id, relatedId, position })));
      } catch (err) {
        if (foreignKeyColumn(err)) throw new AppError('INVALID_REFERENCE', 'A related article does not exist', { fields: [{ path: 'body.ids', message: 'no such article' }] });
        throw err;
      }
    });
    await this.changed();
    return this.related(null, id, true);
  }

  /**
   * An article's related articles for a reader: the ones an agent picked (in their order) that the reader may
   * read, then, when fewer than RELATED_SHOWN, suggestions the reader may read: articles sharing words of the
   * title (ranked), those of the same section first. `staff` lists every picked one whatever its state (the editor).
   */
  async related(reader: Reader, id: string, staff = false): Promise<{ manual: RelatedRef[]; suggested: RelatedRef[] }> {
    const manual = await this.ctx.db
      .select({ id: kbArticles.id, slug: kbArticles.slug, title: articleSummary.title, visibility: kbArticles.visibility, published: sql<boolean>`${kbArticles.publishedVersion} is not null` })
      .from(kbRelatedArticles)
      .innerJoin(kbArticles, eq(kbArticles.id, kbRelatedArticles.relatedId))
      .where(and(eq(kbRelatedArticles.articleId, id), staff ? undefined : readableBy(reader)))
      .orderBy(asc(kbRelatedArticles.position));
    if (manual.length >= RELATED_SHOWN) return { manual, suggested: [] };
    const { language } = await this.settings();
    const [self] = rowsOf<{ section_id: string; q: string | null }>(await this.ctx.db.execute(sql`select section_id, ${titleWords(language, sql`coalesce(published_title, title)`)} as q from ${kbArticles} where id = ${id}`));
    if (!self) return { manual, suggested: [] };
    return { manual, suggested: await this.relatedFill(reader, { id, sectionId: self.section_id, q: self.q }, manual.map((m) => m.id), RELATED_SHOWN - manual.length) };
  }

  /**
   * Suggestions topping an article's related articles up to `want`, in one statement: articles sharing words of its
   * title (`q`, an OR of its lexemes), same section first, then by rank, else others of the same section by title.
   * An OR of a title's common words matches thousands of articles: the GIN index hands over at most CANDIDATES, and
   * only those are ranked (ranking every match made an uncached article page cost ~1 s at 10,000 articles). With a
   * `locale`, only articles published in that translation, under their translated titles.
   */
  async relatedFill(reader: Reader, self: { id: string; sectionId: string; q: string | null }, exclude: string[], want: number, locale: string | null = null): Promise<RelatedRef[]> {
    if (want <= 0) return [];
    const { language } = await this.settings();
    const others = sql`${readableBy(reader)} and kb_articles.id not in (${sql.join(
      [self.id, ...exclude].map((x) => sql`${x}::uuid`),
      sql`, `,
    )})`;
    const tr = locale ? sql` join ${kbArticleTranslations} t on t.article_id = kb_articles.id and t.locale = ${locale} and t.published_version is not null` : sql``;
    const title = locale ? sql`t.published_title` : sql`kb_articles.published_title`;
    const tsq = sql`to_tsquery(${language}::regconfig, ${self.q ?? ''})`;
    // The same-section fill runs only when the matches fell short (its LIMIT is then above 0; LIMIT 0 reads nothing).
    return rowsOf<RelatedRef>(
      await this.ctx.db.execute(sql`
        with m as materialized (
          ${
            self.q
              ? sql`select c.id, c.slug, c.title, c.visibility, row_number() over (order by (c.section_id = ${self.sectionId}::uuid) desc, ts_rank(c.search, ${tsq}) desc, c.title) as n from (
              select kb_articles.id, kb_articles.slug, ${title} as title, kb_articles.visibility, kb_articles.section_id, kb_articles.search
              from ${kbArticles}${tr} where kb_articles.search @@ ${tsq} and ${others}
              limit ${CANDIDATES}
            ) c order by n limit ${want}`
              : sql`select null::uuid as id, null::text as slug, null::text as title, null::text as visibility, 0::bigint as n where false`
          }
        ), f as (
          select kb_articles.id, kb_articles.slug, ${title} as title, kb_articles.visibility, ${want} + row_number() over (order by ${title}) as n
          from ${kbArticles}${tr} where kb_articles.section_id = ${self.sectionId}::uuid and ${others} and kb_articles.id not in (select id from m)
          order by ${title} limit greatest(0, ${want}::int - (select count(*)::int from m))
        )
        select id, slug, title, visibility, true as published from (select * from m union all select * from f) u order by n`),
    );
  }

  // ---- files
  async addFile(actor: Actor, articleId: string, file: { filename: string; contentType: string; data: Buffer }) {
    await this.get(articleId);
    const sha256 = await this.ctx.files.put(file.data);
    const [row] = await this.ctx.db
      .insert(kbFiles)
      .values({ articleId, filename: file.filename, contentType: file.contentType.slice(0, 100), size: file.data.length, sha256, uploadedBy: actor.userId, createdAt: this.ctx.clock.now() })
      .returning();
    const f = row as typeof kbFiles.$inferSelect;
    return { id: f.id, filename: f.filename, contentType: f.contentType, size: f.size, url: `/help/files/${f.id}` };
  }

  /** A file of an article the reader may read (drafts: staff only). */
  async file(reader: Reader, id: string) {
    if (!isUuid(id)) throw new AppError('KB_FILE_NOT_FOUND', `No file ${id}`);
    const staff = reader && isStaff(reader);
    const [row] = await this.ctx.db
      .select({ f: kbFiles })
      .from(kbFiles)
      .innerJoin(kbArticles, eq(kbArticles.id, kbFiles.articleId))
      .where(and(eq(kbFiles.id, id), staff ? undefined : readableBy(reader)));
    if (!row) throw new AppError('KB_FILE_NOT_FOUND', `No file ${id}`);
    return row.f;
  }

  // ---- agents: articles in tickets
  /** Records that an agent linked the article in a ticket (once per ticket). */
  async recordUse(actor: Actor, articleId: string, ticketId: string): Promise<{ recorded: boolean }> {
    await this.get(articleId);
    await this.tickets.getRow(actor, ticketId);
    const rows = await this.ctx.db.insert(kbArticleUses).values({ articleId, ticketId, userId: actor.userId, createdAt: this.ctx.clock.now() }).onConflictDoNothing().returning({ articleId: kbArticleUses.articleId });
    return { recorded: rows.length > 0 };
  }

  /** The articles linked in a ticket. */
  async usesOf(actor: Actor, ticketId: string) {
    await this.tickets.getRow(actor, ticketId);
    return this.ctx.db
      .select({ id: kbArticles.id, slug: kbArticles.slug, title: kbArticles.title, linkedAt: kbArticleUses.createdAt })
      .from(kbArticleUses)
      .innerJoin(kbArticles, eq(kbArticles.id, kbArticleUses.articleId))
      .where(eq(kbArticleUses.ticketId, ticketId))
      .orderBy(asc(kbArticleUses.createdAt));
  }

  /** A draft from a ticket: its subject as the title, the customer's question and the agent's last public answer. */
  async draftFromTicket(actor: Actor, ticketId: string): Promise<{ title: string; body: string; sourceTicketId: string }> {
    const ticket = await this.tickets.getRow(actor, ticketId);
    const messages = await this.tickets.messages(actor, ticketId);
    const question = messages.find((m) => m.public && m.author?.role === 'customer') ?? messages.find((m) => m.public);
    const answer = [...messages].reverse().find((m) => m.public && m.author && m.author.role !== 'customer');
    const quote = (s: string) => s.trim().slice(0, 20_000);
    const body = [`## The question`, '', quote(question?.bodyText ?? ''), '', `## The answer`, '', quote(answer?.bodyText ?? '_Write the answer here._'), ''].join('\n');
    return { title: ticket.subject.slice(0, 200), body, sourceTicketId: ticketId };
  }

  /** Per-article numbers for the admin screens. */
  async stats(id: string) {
    const a = await this.get(id);
    const links = await this.ctx.db
      .select({ ticketId: kbArticleUses.ticketId, since: kbArticleUses.createdAt })
      .from(kbArticleUses)
      .where(eq(kbArticleUses.articleId, id))
      .limit(10_000);
    const solved = await solvedAfter(this.ctx.db, links);
    const cutoff = new Date(this.ctx.clock.now().getTime() - DEFLECTION_MINUTES * 60_000);
    const [shown] = rowsOf<{ shown: number; deflected: number }>(
      await this.ctx.db.execute(sql`
        select count(*)::int as shown,
          (count(*) filter (where solved_at is not null or (requested_at is null and shown_at <= ${cutoff})))::int as deflected
        from ${kbImpressions} where article_id = ${id}`),
    );
    const feedback = rowsOf<{ outcome: string; n: number }>(await this.ctx.db.execute(sql`select outcome, count(*)::int as n from ${kbSuggestionFeedback} where article_id = ${id} group by outcome`));
    return {
      views: a.views,
      helpful: a.helpful,
      notHelpful: a.notHelpful,
      linkedInTickets: links.length,
      solvedAfterLinking: solved,
      suggested: shown?.shown ?? 0,
      deflections: shown?.deflected ?? 0,
      suggestionFeedback: Object.fromEntries(SUGGESTION_OUTCOMES.map((o) => [o, feedback.find((f) => f.outcome === o)?.n ?? 0])),
    };
  }

  async votes(id: string) {
    await this.get(id);
    return this.ctx.db
      .select({ id: kbVotes.id, helpful: kbVotes.helpful, comment: kbVotes.comment, createdAt: kbVotes.createdAt })
      .from(kbVotes)
      .where(eq(kbVotes.articleId, id))
      .orderBy(desc(kbVotes.createdAt), desc(kbVotes.id))
      .limit(100);
  }

  /** Published articles for the sitemap (public ones only: the sitemap is for search engines). */
  async sitemap() {
    return this.ctx.db
      .select({ slug: kbArticles.slug, at: kbArticles.updatedAt })
      .from(kbArticles)
      .where(readableBy(null))
      .orderBy(asc(kbArticles.slug))
      .limit(50_000);
  }

  /** The help centre's page cache (one per process), cleared here and in every process by any change (page-cache.ts). */
  pageCache(): HelpCache {
    this.pages ??= new HelpCache(this.ctx);
    return this.pages;
  }
  private pages: HelpCache | undefined;
}

const articleSummary = {
  id: kbArticles.id,
  sectionId: kbArticles.sectionId,
  slug: kbArticles.slug,
  title: sql<string>`coalesce(${kbArticles.publishedTitle}, ${kbArticles.title})`,
  visibility: kbArticles.visibility,
  version: kbArticles.version,
  publishedVersion: kbArticles.publishedVersion,
  publishAt: kbArticles.publishAt,
  updatedAt: kbArticles.updatedAt,
};

/** An article title's lexemes as an OR tsquery text (`'pay' | 'invoic'`), null when it has none: its related articles share them. */
function titleWords(language: string, title: SQL): SQL {
  return sql`(select string_agg(quote_literal(w), ' | ') from unnest(tsvector_to_array(to_tsvector(${language}::regconfig, ${title}))) w)`;
}

export function searchVector(language: string, title: SQL, text: SQL): SQL {
  return sql`setweight(to_tsvector(${language}::regconfig, coalesce(${title}, '')), 'A') || setweight(to_tsvector(${language}::regconfig, left(coalesce(${text}, ''), 500000)), 'B')`;
}

export type ArticleStatus = 'draft' | 'scheduled' | 'published' | 'published_with_changes';
function withStatus(a: Article) {
  const { search: _s, ...rest } = a;
  const status: ArticleStatus = a.publishedVersion === null ? (a.publishAt ? 'scheduled' : 'draft') : a.publishedVersion === a.version ? 'published' : 'published_with_changes';
  return { ...rest, status };
}

async function named<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (isUniqueViolation(err)) throw new AppError('ALREADY_EXISTS', `${what} exists`, { fields: [{ path: 'body.slug', message: 'taken' }] });
    throw err;
  }
}
async function fk<T>(field: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (foreignKeyColumn(err)) throw new AppError('INVALID_REFERENCE', `No such ${field.replace(/Id$/, '')}`, { fields: [{ path: `body.${field}`, message: 'not found' }] });
    throw err;
  }
}
async function inUse<T>(message: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (foreignKeyColumn(err)) throw new AppError('IN_USE', message);
    throw err;
  }
}

export type { Visibility };
