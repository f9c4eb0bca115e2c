import { and, asc, eq, isNotNull, sql } from 'drizzle-orm';
import { z } from 'zod';
import { rowsOf } from '../../db/client.js';
import type { Actor } from '../../platform/auth.js';
import type { Ctx } from '../../platform/context.js';
import { AppError } from '../../platform/errors.js';
import { kbArticles, kbArticleTranslations, kbArticleTranslationVersions, kbCategories, kbSections } from './kb.schema.js';
import { hitsByScore, isUuid, type KbService, normaliseQuery, type Reader, readableBy, type SearchHit, searchVector } from './kb.service.js';
import { localeOfConfig, parseLocale, stemmerFor } from './locales.js';
import { renderArticle } from './markdown.js';

export const TranslationBody = z.object({
  title: z.string().trim().min(1).max(200),
  body: z.string().max(200_000).default(''),
  // The version the editor started from: a save over someone else's newer version is VERSION_CONFLICT.
  version: z.number().int().positive().optional(),
});

type Row = typeof kbArticleTranslations.$inferSelect;
export type TranslationStatus = 'draft' | 'published' | 'published_with_changes';
/** How many matches the full-text index hands over for ranking (as in KbService.search). */
const CANDIDATES = 400;

function withStatus(r: Row) {
  const { search: _s, publishedHtml: _h, publishedText: _t, ...rest } = r;
  const status: TranslationStatus = r.publishedVersion === null ? 'draft' : r.publishedVersion === r.version ? 'published' : 'published_with_changes';
  return { ...rest, status };
}

/**
 * Article translations per locale (docs/knowledge-base.md, "Translations"): each has its own drafts, versions and
 * published copy, indexed with the locale's stemmer where PostgreSQL has one ('simple' otherwise). The help centre
 * serves them under /help/<locale>/….
 */
export class KbTranslations {
  private configs: Promise<Set<string>> | undefined;

  constructor(
    private readonly ctx: Ctx,
    private readonly kb: KbService,
  ) {}

  /** The text-search configurations this server has (read once). */
  private available(): Promise<Set<string>> {
    this.configs ??= this.ctx.db.execute(sql`select cfgname from pg_ts_config`).then((r) => new Set(rowsOf<{ cfgname: string }>(r).map((x) => x.cfgname)));
    return this.configs;
  }
  async stemmer(locale: string): Promise<string> {
    return stemmerFor(locale, await this.available());
  }

  /** The help centre's own language (the untranslated articles'), as a language code. */
  async defaultLocale(): Promise<string> {
    return localeOfConfig((await this.kb.settings()).language);
  }

  /** A locale an agent may translate into: well-formed, and not the articles' own language. */
  private async target(raw: string): Promise<string> {
    const locale = parseLocale(raw);
    if (locale === (await this.defaultLocale())) throw new AppError('INVALID_LOCALE', `${locale} is the help centre's own language: edit the article itself`, { fields: [{ path: 'params.locale', message: "the articles' own language" }] });
    return locale;
  }

  async list(articleId: string) {
    await this.kb.get(articleId);
    const rows = await this.ctx.db.select().from(kbArticleTranslations).where(eq(kbArticleTranslations.articleId, articleId)).orderBy(asc(kbArticleTranslations.locale));
    return rows.map(withStatus);
  }

  private async row(articleId: string, locale: string): Promise<Row> {
    if (!isUuid(articleId)) throw new AppError('ARTICLE_NOT_FOUND', `No article ${articleId}`);
    const [row] = await this.ctx.db
      .select()
      .from(kbArticleTranslations)
      .where(and(eq(kbArticleTranslations.articleId, articleId), eq(kbArticleTranslations.locale, locale)));
    if (!row) {
      await this.kb.get(articleId);
      throw new AppError('TRANSLATION_NOT_FOUND', `Article ${articleId} has no ${locale} translation`);
    }
    return row;
  }

  async get(articleId: string, rawLocale: string) {
    return withStatus(await this.row(articleId, parseLocale(rawLocale)));
  }

  /** Saves a draft of the translation (creating it: version 1), a new version when the title or body changed. */
  async save(actor: Actor, articleId: string, rawLocale: string, input: z.infer<typeof TranslationBody>) {
    const locale = await this.target(rawLocale);
    await this.kb.get(articleId);
    const now = this.ctx.clock.now();
    const saved = await this.ctx.db.transaction(async (tx) => {
      const [current] = await tx
        .select()
        .from(kbArticleTranslations)
        .where(and(eq(kbArticleTranslations.articleId, articleId), eq(kbArticleTranslations.locale, locale)))
        .for('update');
      if (!current) {
        if (input.version !== undefined && input.version !== 1) throw new AppError('VERSION_CONFLICT', `The ${locale} translation was deleted since you opened it`);
        const [row] = await tx
          .insert(kbArticleTranslations)
          .values({ articleId, locale, title: input.title, body: input.body, version: 1, createdAt: now, updatedAt: now })
          .onConflictDoNothing()
          .returning();
        if (!row) throw new AppError('VERSION_CONFLICT', `Someone added the ${locale} translation at the same moment; open it again`);
        await tx.insert(kbArticleTranslationVersions).values({ articleId, locale, version: 1, title: row.title, body: row.body, authorId: actor.userId, createdAt: now });
        return row;
      }
      if (input.version !== undefined && input.version !== current.version) {
        throw new AppError('VERSION_CONFLICT', `Someone saved version ${current.version} of the ${locale} translation since you opened version ${input.version}`, { extra: { current: withStatus(current) } });
      }
      if (input.title === current.title && input.body === current.body) return current;
      const version = current.version + 1;
      const [row] = await tx
        .update(kbArticleTranslations)
        .set({ title: input.title, body: input.body, version, updatedAt: now })
        .where(and(eq(kbArticleTranslations.articleId, articleId), eq(kbArticleTranslations.locale, locale)))
        .returning();
      await tx.insert(kbArticleTranslationVersions).values({ articleId, locale, version, title: input.title, body: input.body, authorId: actor.userId, createdAt: now });
      return row as Row;
    });
    return withStatus(saved);
  }

  /** Publishes the translation's latest draft: rendered, sanitised and indexed with the locale's stemmer. */
  async publish(articleId: string, rawLocale: string) {
    const locale = parseLocale(rawLocale);
    const current = await this.row(articleId, locale);
    const { html, text } = renderArticle(current.body);
    const cfg = await this.stemmer(locale);
    const now = this.ctx.clock.now();
    const [row] = await this.ctx.db
      .update(kbArticleTranslations)
      .set({
        publishedVersion: current.version,
        publishedTitle: current.title,
        publishedHtml: html,
        publishedText: text,
        publishedAt: now,
        search: searchVector(cfg, sql`${current.title}::text`, sql`${text}::text`),
        updatedAt: now,
      })
      // The version read above: a draft saved meanwhile is not published under the older text.
      .where(and(eq(kbArticleTranslations.articleId, articleId), eq(kbArticleTranslations.locale, locale), eq(kbArticleTranslations.version, current.version)))
      .returning();
    if (!row) throw new AppError('VERSION_CONFLICT', `Someone saved the ${locale} translation at the same moment; publish again`);
    await this.kb.changed();
    return withStatus(row);
  }

  async unpublish(articleId: string, rawLocale: string) {
    const locale = parseLocale(rawLocale);
    await this.row(articleId, locale);
    const [row] = await this.ctx.db
      .update(kbArticleTranslations)
      .set({ publishedVersion: null, publishedTitle: null, publishedHtml: null, publishedText: null, publishedAt: null, search: null, updatedAt: this.ctx.clock.now() })
      .where(and(eq(kbArticleTranslations.articleId, articleId), eq(kbArticleTranslations.locale, locale)))
      .returning();
    await this.kb.changed();
    return withStatus(row as Row);
  }

  async delete(articleId: string, rawLocale: string): Promise<void> {
    const locale = parseLocale(rawLocale);
    await this.row(articleId, locale);
    await this.ctx.db.delete(kbArticleTranslations).where(and(eq(kbArticleTranslations.articleId, articleId), eq(kbArticleTranslations.locale, locale)));
    await this.kb.changed();
  }

  // ---- reading (the help centre)
  /** The published translation of a published article the reader may read, by slug, or null. */
  async read(reader: Reader, locale: string, slug: string) {
    const [row] = await this.ctx.db
      .select({
        id: kbArticles.id,
        slug: kbArticles.slug,
        title: kbArticleTranslations.publishedTitle,
        html: kbArticleTranslations.publishedHtml,
        text: kbArticleTranslations.publishedText,
        publishedAt: kbArticleTranslations.publishedAt,
        visibility: kbArticles.visibility,
        section: { id: kbSections.id, name: kbSections.name, slug: kbSections.slug },
        category: { id: kbCategories.id, name: kbCategories.name, slug: kbCategories.slug },
      })
      .from(kbArticles)
      .innerJoin(kbArticleTranslations, and(eq(kbArticleTranslations.articleId, kbArticles.id), eq(kbArticleTranslations.locale, locale)))
      .innerJoin(kbSections, eq(kbSections.id, kbArticles.sectionId))
      .innerJoin(kbCategories, eq(kbCategories.id, kbSections.categoryId))
      .where(and(eq(kbArticles.slug, slug.slice(0, 120)), readableBy(reader), isNotNull(kbArticleTranslations.publishedVersion)));
    if (!row) return null;
    return { ...row, title: row.title ?? '', html: row.html ?? '', text: row.text ?? '', publishedAt: row.publishedAt ?? new Date(0) };
  }

  /** The locales an article is published in besides its own (its pages' hreflang alternates). */
  async localesOf(articleId: string): Promise<string[]> {
    const rows = await this.ctx.db
      .select({ locale: kbArticleTranslations.locale })
      .from(kbArticleTranslations)
      .where(and(eq(kbArticleTranslations.articleId, articleId), isNotNull(kbArticleTranslations.publishedVersion)))
      .orderBy(asc(kbArticleTranslations.locale));
    return rows.map((r) => r.locale);
  }

  /** Locales with at least one published translation of an article the reader may read. */
  async locales(reader: Reader): Promise<string[]> {
    const rows = await this.ctx.db
      .selectDistinct({ locale: kbArticleTranslations.locale })
      .from(kbArticleTranslations)
      .innerJoin(kbArticles, eq(kbArticles.id, kbArticleTranslations.articleId))
      .where(and(isNotNull(kbArticleTranslations.publishedVersion), readableBy(reader)))
      .orderBy(asc(kbArticleTranslations.locale));
    return rows.map((r) => r.locale);
  }

  /** The help centre's tree in a locale: only articles translated into it (published), under their translated titles. */
  async tree(reader: Reader, locale: string) {
    const [tree, titles] = await Promise.all([
      this.kb.tree(reader),
      this.ctx.db
        .select({ id: kbArticleTranslations.articleId, title: kbArticleTranslations.publishedTitle })
        .from(kbArticleTranslations)
        .where(and(eq(kbArticleTranslations.locale, locale), isNotNull(kbArticleTranslations.publishedVersion))),
    ]);
    const byId = new Map(titles.map((t) => [t.id, t.title ?? '']));
    return tree.map((c) => ({
      ...c,
      sections: c.sections.map((s) => ({ ...s, articles: s.articles.filter((a) => a.publishedVersion !== null && byId.has(a.id)).map((a) => ({ ...a, title: byId.get(a.id) as string })) })),
    }));
  }

  /**
   * Search in a locale's published translations, stemmed with its configuration: full text (at most CANDIDATES
   * matches ranked), then trigram similarity of the translated titles when full text found too little (typos).
   */
  async search(reader: Reader, locale: string, rawQuery: string, limit = 20): Promise<{ query: string; items: SearchHit[] }> {
    const query = normaliseQuery(rawQuery);
    if (!query) return { query, items: [] };
    const cfg = await this.stemmer(locale);
    const tsquery = sql`plainto_tsquery(${cfg}::regconfig, ${query})`;
    const readable = readableBy(reader);
    const fts = rowsOf<{ id: string; score: number }>(
      await this.ctx.db.execute(sql`
        select c.id, ts_rank(c.search, c.tsq) as score from (
          select t.article_id as id, t.search, q.tsq from ${kbArticleTranslations} t join ${kbArticles} on kb_articles.id = t.article_id, ${tsquery} q(tsq)
          where t.locale = ${locale} and t.search @@ q.tsq and ${readable}
          limit ${CANDIDATES}
        ) c order by score desc limit ${limit}`),
    );
    const trgm =
      fts.length >= limit
        ? []
        : rowsOf<{ id: string; score: number }>(
            await this.ctx.db.execute(sql`
              with m as materialized (select article_id from ${kbArticleTranslations} where locale = ${locale} and ${query} <% published_title)
              select t.article_id as id, word_similarity(${query}, t.published_title) as score
              from m join ${kbArticleTranslations} t on t.article_id = m.article_id and t.locale = ${locale} join ${kbArticles} on kb_articles.id = t.article_id
              where ${readable}
              order by score desc limit ${limit}`),
          );
    const scores = new Map<string, number>();
    for (const r of [...fts, ...trgm]) scores.set(r.id, (scores.get(r.id) ?? 0) + Number(r.score));
    const best = [...scores].sort((a, b) => b[1] - a[1]).slice(0, limit);
    if (!best.length) return { query, items: [] };
    const rows = rowsOf<{ id: string; slug: string; title: string; section_name: string; snippet: string }>(
      await this.ctx.db.execute(sql`
        select a.id, a.slug, t.published_title as title, s.name as section_name,
          ts_headline(${cfg}::regconfig, left(t.published_text, 1500), ${tsquery}, 'StartSel=' || chr(1) || ', StopSel=' || chr(2) || ', MaxWords=30, MinWords=12, ShortWord=2') as snippet
        from ${kbArticleTranslations} t join ${kbArticles} a on a.id = t.article_id join ${kbSections} s on s.id = a.section_id
        where t.locale = ${locale} and t.article_id in (${sql.join(
          best.map(([id]) => sql`${id}::uuid`),
          sql`, `,
        )})`),
    );
    return { query, items: hitsByScore(best, rows) };
  }

  /** Public articles' published translations, for the sitemap's alternates. */
  async sitemap(): Promise<{ slug: string; locale: string; at: Date }[]> {
    const rows = await this.ctx.db
      .select({ slug: kbArticles.slug, locale: kbArticleTranslations.locale, at: kbArticleTranslations.updatedAt })
      .from(kbArticleTranslations)
      .innerJoin(kbArticles, eq(kbArticles.id, kbArticleTranslations.articleId))
      .where(and(isNotNull(kbArticleTranslations.publishedVersion), readableBy(null)))
      .orderBy(asc(kbArticles.slug), asc(kbArticleTranslations.locale))
      .limit(50_000);
    return rows;
  }
}
