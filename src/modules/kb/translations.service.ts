import { and, asc, desc, eq, isNotNull, type SQL, sql } from 'drizzle-orm';
import { z } from 'zod';
import { rowsOf } from '../../db/client.js';
import type { Actor } from '../../platform/auth.js';
import type { Ctx } from '../../platform/context.js';
import type { Executor } from '../../db/client.js';
import { AppError } from '../../platform/errors.js';
import { type DiffLine, diffLines } from './diff.js';
import { kbArticles, kbArticleTranslations, kbArticleTranslationVersions, kbCategories, kbCategoryTranslations, kbSections, kbSectionTranslations } from './kb.schema.js';
import { hitsByScore, isUuid, type KbService, normaliseQuery, pageExtras, type Reader, readableBy, SNIPPET_SOURCE, SUGGESTED, type SearchHit, type Suggestion, searchVector } from './kb.service.js';
import { languageName, localeCandidates, localeOfConfig, parseLocale, stemmerFor } from './locales.js';
import { renderArticle } from './markdown.js';

export const TranslationBody = z.object({
  title: z.string().trim().min(1).max(200),
  body: z.string().max(200_000).default(''),
  // The version the editor started from: a save over someone else's newer version is VERSION_CONFLICT.
  version: z.number().int().positive().optional(),
});
/** A category's or section's name (and description) in a translation locale. */
export const NameTranslationBody = z.object({ name: z.string().trim().min(1).max(100), description: z.string().trim().max(1000).default('') });

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

  /** The translation languages enabled in the settings. */
  async enabled(): Promise<string[]> {
    return (await this.kb.settings()).locales ?? [];
  }

  /** A locale an agent may translate into: well-formed, not the help centre's own language, and enabled. */
  private async target(raw: string): Promise<string> {
    const locale = parseLocale(raw);
    if (locale === (await this.defaultLocale())) throw new AppError('INVALID_LOCALE', `${locale} is the help centre's own language: edit the original itself`, { fields: [{ path: 'params.locale', message: "the help centre's own language" }] });
    if (!(await this.enabled()).includes(locale)) {
      throw new AppError('LOCALE_NOT_ENABLED', `${locale} is not one of the help centre's languages; an admin adds it in the help centre settings`, { fields: [{ path: 'params.locale', message: 'not enabled' }] });
    }
    return locale;
  }

  /**
   * The language a customer's page asks for (`<html lang>`, the widget's setting or the browser's), matched to the
   * enabled languages: `pt-BR`, else `pt`; the help centre's own language or one not enabled is null (the help
   * centre's own articles). Only a malformed tag is an error (INVALID_LOCALE).
   */
  async resolve(raw: string | undefined): Promise<string | null> {
    if (!raw) return null;
    const enabled = await this.enabled();
    return localeCandidates(raw, 'querystring.locale').find((l) => enabled.includes(l)) ?? null;
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
        // A new version is not what the reviewer was asked to read: the review is withdrawn.
        .set({ title: input.title, body: input.body, version, reviewVersion: null, reviewRequestedBy: null, reviewRequestedAt: null, updatedAt: now })
        .where(and(eq(kbArticleTranslations.articleId, articleId), eq(kbArticleTranslations.locale, locale)))
        .returning();
      await tx.insert(kbArticleTranslationVersions).values({ articleId, locale, version, title: input.title, body: input.body, authorId: actor.userId, createdAt: now });
      return row as Row;
    });
    return withStatus(saved);
  }

  /**
   * Publishes the translation's latest draft: rendered, sanitised and indexed with the locale's stemmer. When the
   * settings require a review, only an approval publishes (REVIEW_REQUIRED), as for articles.
   */
  async publish(articleId: string, rawLocale: string) {
    const locale = await this.target(rawLocale);
    const current = await this.row(articleId, locale);
    if ((await this.kb.settings()).requireReview) {
      throw new AppError('REVIEW_REQUIRED', 'Publishing needs a review here: submit the translation for review, and another agent approves it');
    }
    const row = await this.publishVersion(this.ctx.db, current, await this.stemmer(locale));
    if (!row) throw new AppError('VERSION_CONFLICT', `Someone saved the ${locale} translation at the same moment; publish again`);
    await this.kb.changed();
    return withStatus(row);
  }

  /**
   * Copies `current` (its latest version) into what readers see, indexed with `cfg` (read before: inside a
   * transaction, no other query may run on the embedded database's one connection); null when a newer version was
   * saved meanwhile.
   */
  private async publishVersion(ex: Executor, current: Row, cfg: string): Promise<Row | null> {
    const { html, text } = renderArticle(current.body);
    const now = this.ctx.clock.now();
    const [row] = await ex
      .update(kbArticleTranslations)
      .set({
        publishedVersion: current.version,
        publishedTitle: current.title,
        publishedHtml: html,
        publishedText: text,
        publishedAt: now,
        search: searchVector(cfg, sql`${current.title}::text`, sql`${text}::text`),
        reviewVersion: null,
        reviewRequestedBy: null,
        reviewRequestedAt: null,
        updatedAt: now,
      })
      // The version read: a draft saved meanwhile is not published under the older text.
      .where(and(eq(kbArticleTranslations.articleId, current.articleId), eq(kbArticleTranslations.locale, current.locale), eq(kbArticleTranslations.version, current.version)))
      .returning();
    return row ?? null;
  }

  // ---- review (the same rules as the articles': KbService.requestReview, approve, requestChanges)
  /** Submits the translation's latest version for review (again: the newer version replaces the one submitted). */
  async requestReview(actor: Actor, articleId: string, rawLocale: string) {
    const locale = await this.target(rawLocale);
    const current = await this.row(articleId, locale);
    if (current.publishedVersion === current.version) throw new AppError('REVIEW_NOTHING_TO_REVIEW', `Version ${current.version} of the ${locale} translation is already published`);
    const [row] = await this.ctx.db
      .update(kbArticleTranslations)
      .set({ reviewVersion: current.version, reviewRequestedBy: actor.userId, reviewRequestedAt: this.ctx.clock.now(), changesRequested: null, changesRequestedBy: null })
      .where(and(eq(kbArticleTranslations.articleId, articleId), eq(kbArticleTranslations.locale, locale), eq(kbArticleTranslations.version, current.version)))
      .returning();
    if (!row) throw new AppError('VERSION_CONFLICT', `Someone saved the ${locale} translation at the same moment; open it again`);
    return withStatus(row);
  }

  /** Approves the version under review and publishes it: by someone other than who submitted it, and only that version. */
  async approve(actor: Actor, articleId: string, rawLocale: string) {
    const locale = await this.target(rawLocale);
    const current = await this.row(articleId, locale);
    if (current.reviewVersion === null) throw new AppError('REVIEW_NOT_REQUESTED', `The ${locale} translation is not waiting for a review`);
    if (current.reviewRequestedBy === actor.userId) throw new AppError('REVIEW_BY_SUBMITTER', 'Someone other than who submitted the translation approves it');
    const cfg = await this.stemmer(locale);
    const row = await this.ctx.db.transaction(async (tx) => {
      // Under the row lock: the version approved is the one reviewed, even if someone saves at this moment.
      const [locked] = await tx
        .select()
        .from(kbArticleTranslations)
        .where(and(eq(kbArticleTranslations.articleId, articleId), eq(kbArticleTranslations.locale, locale)))
        .for('update');
      if (!locked || locked.reviewVersion !== current.reviewVersion || locked.version !== current.reviewVersion) return null;
      return this.publishVersion(tx, locked, cfg);
    });
    if (!row) throw new AppError('REVIEW_STALE', `The ${locale} translation changed while you approved it; open it again`);
    await this.kb.changed();
    return withStatus(row);
  }

  /** Sends the version under review back with a note (shown in the editor until the next submission). */
  async requestChanges(actor: Actor, articleId: string, rawLocale: string, note: string) {
    const locale = parseLocale(rawLocale);
    const current = await this.row(articleId, locale);
    if (current.reviewVersion === null) throw new AppError('REVIEW_NOT_REQUESTED', `The ${locale} translation is not waiting for a review`);
    const [row] = await this.ctx.db
      .update(kbArticleTranslations)
      .set({ reviewVersion: null, reviewRequestedBy: null, reviewRequestedAt: null, changesRequested: note, changesRequestedBy: actor.userId })
      .where(and(eq(kbArticleTranslations.articleId, articleId), eq(kbArticleTranslations.locale, locale)))
      .returning();
    return withStatus(row as Row);
  }

  // ---- history
  async versions(articleId: string, rawLocale: string) {
    const locale = parseLocale(rawLocale);
    await this.row(articleId, locale);
    return this.ctx.db
      .select({ version: kbArticleTranslationVersions.version, title: kbArticleTranslationVersions.title, authorId: kbArticleTranslationVersions.authorId, createdAt: kbArticleTranslationVersions.createdAt })
      .from(kbArticleTranslationVersions)
      .where(and(eq(kbArticleTranslationVersions.articleId, articleId), eq(kbArticleTranslationVersions.locale, locale)))
      .orderBy(desc(kbArticleTranslationVersions.version));
  }

  /** One saved version of this translation (numbers are per article and locale: another's is not found here). */
  async version(articleId: string, rawLocale: string, version: number) {
    const locale = parseLocale(rawLocale);
    await this.row(articleId, locale);
    const [v] = await this.ctx.db
      .select()
      .from(kbArticleTranslationVersions)
      .where(and(eq(kbArticleTranslationVersions.articleId, articleId), eq(kbArticleTranslationVersions.locale, locale), eq(kbArticleTranslationVersions.version, version)));
    if (!v) throw new AppError('TRANSLATION_VERSION_NOT_FOUND', `The ${locale} translation of article ${articleId} has no version ${version}`);
    return v;
  }

  /** What changed from one version of the translation to another: the title and the body line by line. */
  async diff(articleId: string, rawLocale: string, from: number, to: number): Promise<{ from: number; to: number; title: { before: string; after: string }; lines: DiffLine[] }> {
    const a = await this.version(articleId, rawLocale, from);
    const b = await this.version(articleId, rawLocale, to);
    return { from, to, title: { before: a.title, after: b.title }, lines: diffLines(a.body, b.body) };
  }

  /** Makes an old version the latest draft again: a new version (history is never rewritten). */
  async restore(actor: Actor, articleId: string, rawLocale: string, version: number) {
    const v = await this.version(articleId, rawLocale, version);
    const current = await this.row(articleId, v.locale);
    return this.save(actor, articleId, v.locale, { title: v.title, body: v.body, version: current.version });
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

  // ---- category and section names
  /** A category's or section's names in the translation languages. */
  async names(kind: 'category' | 'section', id: string) {
    await this.folder(kind, id);
    if (kind === 'category') {
      return this.ctx.db
        .select({ locale: kbCategoryTranslations.locale, name: kbCategoryTranslations.name, description: kbCategoryTranslations.description, updatedAt: kbCategoryTranslations.updatedAt })
        .from(kbCategoryTranslations)
        .where(eq(kbCategoryTranslations.categoryId, id))
        .orderBy(asc(kbCategoryTranslations.locale));
    }
    return this.ctx.db
      .select({ locale: kbSectionTranslations.locale, name: kbSectionTranslations.name, description: kbSectionTranslations.description, updatedAt: kbSectionTranslations.updatedAt })
      .from(kbSectionTranslations)
      .where(eq(kbSectionTranslations.sectionId, id))
      .orderBy(asc(kbSectionTranslations.locale));
  }

  /** Sets a category's or section's name (and description) in an enabled translation language. */
  async saveName(kind: 'category' | 'section', id: string, rawLocale: string, input: z.infer<typeof NameTranslationBody>) {
    const locale = await this.target(rawLocale);
    await this.folder(kind, id);
    const updatedAt = this.ctx.clock.now();
    const values = { locale, name: input.name, description: input.description, updatedAt };
    const set = { name: input.name, description: input.description, updatedAt };
    if (kind === 'category') {
      await this.ctx.db
        .insert(kbCategoryTranslations)
        .values({ ...values, categoryId: id })
        .onConflictDoUpdate({ target: [kbCategoryTranslations.categoryId, kbCategoryTranslations.locale], set });
    } else {
      await this.ctx.db
        .insert(kbSectionTranslations)
        .values({ ...values, sectionId: id })
        .onConflictDoUpdate({ target: [kbSectionTranslations.sectionId, kbSectionTranslations.locale], set });
    }
    await this.kb.changed();
    return { locale, name: input.name, description: input.description, updatedAt };
  }

  /** Drops a category's or section's name in a language (its pages there show its own name again). */
  async deleteName(kind: 'category' | 'section', id: string, rawLocale: string): Promise<void> {
    const locale = parseLocale(rawLocale);
    await this.folder(kind, id);
    const deleted =
      kind === 'category'
        ? await this.ctx.db
            .delete(kbCategoryTranslations)
            .where(and(eq(kbCategoryTranslations.categoryId, id), eq(kbCategoryTranslations.locale, locale)))
            .returning({ locale: kbCategoryTranslations.locale })
        : await this.ctx.db
            .delete(kbSectionTranslations)
            .where(and(eq(kbSectionTranslations.sectionId, id), eq(kbSectionTranslations.locale, locale)))
            .returning({ locale: kbSectionTranslations.locale });
    if (!deleted.length) throw new AppError('TRANSLATION_NOT_FOUND', `The ${kind} ${id} has no ${locale} name`);
    await this.kb.changed();
  }

  private async folder(kind: 'category' | 'section', id: string): Promise<void> {
    const code = kind === 'category' ? 'CATEGORY_NOT_FOUND' : 'SECTION_NOT_FOUND';
    if (!isUuid(id)) throw new AppError(code, `No ${kind} ${id}`);
    const table = kind === 'category' ? kbCategories : kbSections;
    const [row] = await this.ctx.db.select({ id: table.id }).from(table).where(eq(table.id, id));
    if (!row) throw new AppError(code, `No ${kind} ${id}`);
  }

  /** The names of categories and sections in a locale, by id. */
  private async namesIn(locale: string) {
    const [cats, secs] = await Promise.all([
      this.ctx.db.select({ id: kbCategoryTranslations.categoryId, name: kbCategoryTranslations.name, description: kbCategoryTranslations.description }).from(kbCategoryTranslations).where(eq(kbCategoryTranslations.locale, locale)),
      this.ctx.db.select({ id: kbSectionTranslations.sectionId, name: kbSectionTranslations.name, description: kbSectionTranslations.description }).from(kbSectionTranslations).where(eq(kbSectionTranslations.locale, locale)),
    ]);
    return { categories: new Map(cats.map((c) => [c.id, c])), sections: new Map(secs.map((x) => [x.id, x])) };
  }

  // ---- reading (the help centre)
  /** The published translation of a published article the reader may read, by slug, or null. */
  async read(reader: Reader, locale: string, slug: string) {
    const { language } = await this.kb.settings();
    const [row] = await this.ctx.db
      .select({
        id: kbArticles.id,
        slug: kbArticles.slug,
        title: kbArticleTranslations.publishedTitle,
        html: kbArticleTranslations.publishedHtml,
        text: kbArticleTranslations.publishedText,
        publishedAt: kbArticleTranslations.publishedAt,
        visibility: kbArticles.visibility,
        // The breadcrumbs in the locale, else in the help centre's own language.
        section: { id: kbSections.id, name: sql<string>`coalesce(${kbSectionTranslations.name}, ${kbSections.name})`, slug: kbSections.slug },
        category: { id: kbCategories.id, name: sql<string>`coalesce(${kbCategoryTranslations.name}, ${kbCategories.name})`, slug: kbCategories.slug },
        ...pageExtras(reader, language, locale),
      })
      .from(kbArticles)
      .innerJoin(kbArticleTranslations, and(eq(kbArticleTranslations.articleId, kbArticles.id), eq(kbArticleTranslations.locale, locale)))
      .innerJoin(kbSections, eq(kbSections.id, kbArticles.sectionId))
      .innerJoin(kbCategories, eq(kbCategories.id, kbSections.categoryId))
      .leftJoin(kbSectionTranslations, and(eq(kbSectionTranslations.sectionId, kbSections.id), eq(kbSectionTranslations.locale, locale)))
      .leftJoin(kbCategoryTranslations, and(eq(kbCategoryTranslations.categoryId, kbCategories.id), eq(kbCategoryTranslations.locale, locale)))
      .where(and(eq(kbArticles.slug, slug.slice(0, 120)), readableBy(reader), isNotNull(kbArticleTranslations.publishedVersion)));
    if (!row) return null;
    return { ...row, title: row.title ?? '', html: row.html ?? '', text: row.text ?? '', publishedAt: row.publishedAt ?? new Date(0) };
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

  /**
   * The help centre's tree in a locale: only articles translated into it (published), under their translated titles,
   * in categories and sections under their names in the locale (their own where they have none).
   */
  async tree(reader: Reader, locale: string) {
    const [tree, titles, names] = await Promise.all([
      this.kb.tree(reader),
      this.ctx.db
        .select({ id: kbArticleTranslations.articleId, title: kbArticleTranslations.publishedTitle })
        .from(kbArticleTranslations)
        .where(and(eq(kbArticleTranslations.locale, locale), isNotNull(kbArticleTranslations.publishedVersion))),
      this.namesIn(locale),
    ]);
    const byId = new Map(titles.map((t) => [t.id, t.title ?? '']));
    const named = <T extends { id: string; name: string; description: string }>(x: T, n: Map<string, { name: string; description: string }>): T => {
      const t = n.get(x.id);
      return t ? { ...x, name: t.name, description: t.description || x.description } : x;
    };
    return tree.map((c) => ({
      ...named(c, names.categories),
      sections: c.sections.map((s) => ({ ...named(s, names.sections), articles: s.articles.filter((a) => a.publishedVersion !== null && byId.has(a.id)).map((a) => ({ ...a, title: byId.get(a.id) as string })) })),
    }));
  }

  /**
   * Search in a locale's published translations, stemmed with its configuration: full text (at most CANDIDATES
   * matches ranked), then trigram similarity of the translated titles when full text found too little (typos).
   * `asYouType` as in KbService.search: the last word matches as a prefix, and articles with some of the words
   * follow those with all of them.
   */
  async search(reader: Reader, locale: string, rawQuery: string, limit = 20, asYouType = false, highlight = true): Promise<{ query: string; items: SearchHit[] }> {
    const query = normaliseQuery(rawQuery);
    if (!query) return { query, items: [] };
    const cfg = await this.stemmer(locale);
    const words = query.split(' ');
    const tsquery = asYouType ? sql`to_tsquery(${cfg}::regconfig, ${`${words.join(' & ')}:*`})` : sql`plainto_tsquery(${cfg}::regconfig, ${query})`;
    const readable = readableBy(reader);
    const ranked = async (tsq: SQL) =>
      rowsOf<{ id: string; score: number }>(
        await this.ctx.db.execute(sql`
          select c.id, ts_rank(c.search, c.tsq) as score from (
            select t.article_id as id, t.search, q.tsq from ${kbArticleTranslations} t join ${kbArticles} on kb_articles.id = t.article_id, ${tsq} q(tsq)
            where t.locale = ${locale} and t.search @@ q.tsq and ${readable}
            limit ${CANDIDATES}
          ) c order by score desc limit ${limit}`),
      );
    let fts = await ranked(tsquery);
    if (asYouType && fts.length < limit && words.length > 1) {
      const some = await ranked(sql`to_tsquery(${cfg}::regconfig, ${`${words.slice(0, -1).join(' | ')} | ${words.at(-1)}:*`})`);
      const all = new Set(fts.map((r) => r.id));
      fts = [...fts.map((r) => ({ ...r, score: Number(r.score) + 1 })), ...some.filter((r) => !all.has(r.id))];
    }
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
        select a.id, a.slug, t.published_title as title, coalesce(st.name, s.name) as section_name,
          left(t.published_text, ${highlight ? SNIPPET_SOURCE : 200}) as snippet
        from ${kbArticleTranslations} t join ${kbArticles} a on a.id = t.article_id join ${kbSections} s on s.id = a.section_id
          left join ${kbSectionTranslations} st on st.section_id = s.id and st.locale = ${locale}
        where t.locale = ${locale} and t.article_id in (${sql.join(
          best.map(([id]) => sql`${id}::uuid`),
          sql`, `,
        )})`),
    );
    // Cut in the server with the locale's stemmer, as the help centre's own search does (snippet.ts), not by
    // ts_headline, which stemmed every word of every hit's text in the database on each search.
    if (highlight) {
      const marked = await this.kb.highlight(cfg, query, rows.map((r) => r.snippet));
      rows.forEach((r, i) => {
        r.snippet = marked[i] ?? '';
      });
    }
    return { query, items: hitsByScore(best, rows) };
  }

  /**
   * The top 3 articles in a locale for what a customer is writing, linking to the locale's pages; when the locale
   * has fewer, topped up with the help centre's own articles (each suggestion says its language, so a form labels
   * those). Anonymous answers are kept like the help centre's own (KbService.suggest), keyed by locale and query.
   */
  async suggest(reader: Reader, locale: string, q: string): Promise<Suggestion[]> {
    const cache = this.kb.pageCache();
    const key = reader ? null : `${locale}|${normaliseQuery(q)}`;
    if (key !== null) {
      const hit = cache.suggestions.get(key);
      if (hit) return hit;
    }
    const generation = cache.generation;
    const { items } = await this.search(reader, locale, q, SUGGESTED, true, false);
    let out: Suggestion[] = items.map(({ id, slug, title, snippet }) => ({ id, slug, title, snippet, url: `${this.ctx.config.publicUrl}/help/${locale}/articles/${slug}`, locale }));
    if (out.length < SUGGESTED && normaliseQuery(q)) {
      const shown = new Set(out.map((s) => s.id));
      out = [...out, ...(await this.kb.suggest(reader, q)).filter((s) => !shown.has(s.id))].slice(0, SUGGESTED);
    }
    if (key !== null) cache.store(cache.suggestions, key, out, generation);
    return out;
  }

  /**
   * Public articles for an email's auto-reply in the requester's language (`rawLocale`, from the message's headers;
   * null, malformed or not enabled: the help centre's own), topped up with the help centre's own articles when the
   * locale has fewer than `limit` that match well (KbService.forMail's rule).
   */
  async forMail(subject: string, body: string, rawLocale?: string | null, limit = SUGGESTED): Promise<(Suggestion & { language?: string })[]> {
    let locale: string | null = null;
    try {
      locale = await this.resolve(rawLocale ?? undefined);
    } catch {
      // A header is not a form: a malformed language there only means the help centre's own articles.
    }
    if (!locale) return this.kb.forMail(subject, body, limit);
    const translated = await this.kb.forMail(subject, body, limit, { locale, config: await this.stemmer(locale) });
    if (translated.length >= limit) return translated;
    const language = languageName(await this.defaultLocale());
    const own = await this.kb.forMail(subject, body, limit - translated.length, null, translated.map((a) => a.id));
    return [...translated, ...own.map((a) => ({ ...a, language }))];
  }

  /** An anonymous reader's suggestions in a locale when already answered (one map lookup). */
  cachedSuggestions(locale: string, q: string): Suggestion[] | undefined {
    return this.kb.pageCache().suggestions.get(`${locale}|${normaliseQuery(q)}`);
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
