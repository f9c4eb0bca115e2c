import { sql } from 'drizzle-orm';
import { bigserial, boolean, check, customType, foreignKey, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { users } from '../people/people.schema.js';
import { tickets } from '../tickets/tickets.schema.js';

/** Who may read an article: anyone, any signed-in person, people of the listed organisations (and staff), staff only. */
export const VISIBILITIES = ['public', 'signed_in', 'organization', 'internal'] as const;
export type Visibility = (typeof VISIBILITIES)[number];

/** What a customer said of a suggested article. */
export const SUGGESTION_OUTCOMES = ['solved', 'not_related', 'not_answered'] as const;
export type SuggestionOutcome = (typeof SUGGESTION_OUTCOMES)[number];

const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' });

/**
 * The help centre's settings (one row, id 1): the name and colours it carries and the text-search configuration
 * (the language whose stemming search uses; changing it re-indexes every article), when a recurring topic is
 * flagged: seen more than `topicMinTickets` times in `topicDays` days with no article (3 and 30 when absent), and
 * whether publishing needs another agent's approval (`requireReview`, off when absent), and the translation
 * languages enabled (`locales`): the only ones articles, categories and sections are translated into, and the ones a
 * customer's page may ask suggestions in.
 */
export type KbSettingsData = {
  name: string;
  intro: string;
  primaryColor: string;
  accentColor: string;
  language: string;
  topicDays?: number;
  topicMinTickets?: number;
  requireReview?: boolean;
  // The languages the help centre is translated into besides its own (BCP 47 codes, canonical case; none when absent).
  locales?: string[];
};
export const kbSettings = pgTable('kb_settings', {
  id: integer('id').primaryKey().default(1),
  data: jsonb('data').$type<KbSettingsData>().notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

export const kbCategories = pgTable(
  'kb_categories',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    slug: text('slug').notNull(),
    description: text('description').notNull().default(''),
    position: integer('position').notNull().default(0),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [uniqueIndex('kb_categories_slug_uq').on(t.slug)],
);

export const kbSections = pgTable(
  'kb_sections',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    categoryId: uuid('category_id')
      .notNull()
      .references(() => kbCategories.id, { onDelete: 'restrict' }),
    name: text('name').notNull(),
    slug: text('slug').notNull(),
    description: text('description').notNull().default(''),
    position: integer('position').notNull().default(0),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [uniqueIndex('kb_sections_slug_uq').on(t.slug), index('kb_sections_category_idx').on(t.categoryId, t.position)],
);

/**
 * An article. `title`/`body` are the latest draft (always its latest version); the `published*` columns are what
 * readers see, copied from a version when it is published, with the rendered, sanitised HTML and the search
 * vector built then, so reading never renders Markdown.
 */
export const kbArticles = pgTable(
  'kb_articles',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    sectionId: uuid('section_id')
      .notNull()
      .references(() => kbSections.id, { onDelete: 'restrict' }),
    slug: text('slug').notNull(),
    title: text('title').notNull(),
    body: text('body').notNull(),
    visibility: text('visibility').$type<Visibility>().notNull().default('public'),
    organizationIds: uuid('organization_ids').array().notNull().default(sql`'{}'::uuid[]`),
    position: integer('position').notNull().default(0),
    version: integer('version').notNull().default(1),
    publishedVersion: integer('published_version'),
    publishedTitle: text('published_title'),
    publishedHtml: text('published_html'),
    publishedText: text('published_text'),
    publishedAt: timestamp('published_at', { withTimezone: true }),
    // Publish the latest version then (the `kb.publish-due` schedule).
    publishAt: timestamp('publish_at', { withTimezone: true }),
    // Review: the version submitted, by whom and when (cleared by approval, by a request for changes, or by a new
    // version); the last request for changes, with who asked, until the next submission.
    reviewVersion: integer('review_version'),
    reviewRequestedBy: uuid('review_requested_by').references(() => users.id, { onDelete: 'set null' }),
    reviewRequestedAt: timestamp('review_requested_at', { withTimezone: true }),
    changesRequested: text('changes_requested'),
    changesRequestedBy: uuid('changes_requested_by').references(() => users.id, { onDelete: 'set null' }),
    search: tsvector('search'),
    views: integer('views').notNull().default(0),
    helpful: integer('helpful').notNull().default(0),
    notHelpful: integer('not_helpful').notNull().default(0),
    sourceTicketId: uuid('source_ticket_id').references(() => tickets.id, { onDelete: 'set null' }),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    uniqueIndex('kb_articles_slug_uq').on(t.slug),
    index('kb_articles_section_idx').on(t.sectionId, t.position),
    index('kb_articles_search_idx').using('gin', t.search),
    index('kb_articles_title_trgm_idx').using('gin', sql`${t.publishedTitle} gin_trgm_ops`),
    index('kb_articles_publish_at_idx').on(t.publishAt).where(sql`${t.publishAt} is not null`),
  ],
);

/** Every saved draft, numbered per article: the history, its diffs and what a restore copies. */
export const kbArticleVersions = pgTable(
  'kb_article_versions',
  {
    articleId: uuid('article_id')
      .notNull()
      .references(() => kbArticles.id, { onDelete: 'cascade' }),
    version: integer('version').notNull(),
    title: text('title').notNull(),
    body: text('body').notNull(),
    note: text('note').notNull().default(''),
    authorId: uuid('author_id').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.articleId, t.version] })],
);

/** Files (images, attachments) an article's Markdown links to as /help/files/<id>; readable by whoever may read the article. */
export const kbFiles = pgTable(
  'kb_files',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    articleId: uuid('article_id')
      .notNull()
      .references(() => kbArticles.id, { onDelete: 'cascade' }),
    filename: text('filename').notNull(),
    contentType: text('content_type').notNull(),
    size: integer('size').notNull(),
    sha256: text('sha256').notNull(),
    uploadedBy: uuid('uploaded_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('kb_files_article_idx').on(t.articleId)],
);

/** "Was this helpful": one row per vote, with the optional comment; the article keeps the counts. */
export const kbVotes = pgTable(
  'kb_votes',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    articleId: uuid('article_id')
      .notNull()
      .references(() => kbArticles.id, { onDelete: 'cascade' }),
    helpful: boolean('helpful').notNull(),
    comment: text('comment').notNull().default(''),
    userId: uuid('user_id').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('kb_votes_article_idx').on(t.articleId, t.createdAt)],
);

/** What a customer said of an article suggested while writing a request. */
export const kbSuggestionFeedback = pgTable(
  'kb_suggestion_feedback',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    articleId: uuid('article_id')
      .notNull()
      .references(() => kbArticles.id, { onDelete: 'cascade' }),
    outcome: text('outcome').$type<SuggestionOutcome>().notNull(),
    query: text('query').notNull().default(''),
    userId: uuid('user_id').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('kb_suggestion_feedback_article_idx').on(t.articleId, t.outcome)],
);

/** An article an agent linked in a ticket (inserted into a reply): once per ticket. */
export const kbArticleUses = pgTable(
  'kb_article_uses',
  {
    articleId: uuid('article_id')
      .notNull()
      .references(() => kbArticles.id, { onDelete: 'cascade' }),
    ticketId: uuid('ticket_id')
      .notNull()
      .references(() => tickets.id, { onDelete: 'cascade' }),
    userId: uuid('user_id').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.articleId, t.ticketId] }), index('kb_article_uses_ticket_idx').on(t.ticketId)],
);

/**
 * Public requests per client address and window (suggestions, votes, feedback), counted in the database so every
 * process shares the limit.
 */
export const kbRateLimits = pgTable('kb_rate_limits', {
  key: text('key').primaryKey(),
  hits: integer('hits').notNull(),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
});

/**
 * Recurring topics: the latest grouping of recent tickets by similarity (the `kb.topics` job replaces every row
 * each run). `tickets` lists up to 50 of a group's tickets, newest first; `flagged` is a topic seen more often than
 * the settings allow with no article covering it.
 */
export type TopicTicketRef = { id: string; number: number; subject: string; createdAt: string };
export type TopicExplanationData = {
  sharedWords: string[];
  typos: { from: string; to: string }[];
  bodyWords: string[];
  type: { key: string; count: number } | null;
  tags: { tag: string; count: number }[];
};
export const kbTopics = pgTable(
  'kb_topics',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    key: text('key').notNull(),
    label: text('label').notNull(),
    words: text('words').array().notNull(),
    ticketCount: integer('ticket_count').notNull(),
    tickets: jsonb('tickets').$type<TopicTicketRef[]>().notNull(),
    explanation: jsonb('explanation').$type<TopicExplanationData>().notNull(),
    articleId: uuid('article_id').references(() => kbArticles.id, { onDelete: 'set null' }),
    flagged: boolean('flagged').notNull(),
    firstAt: timestamp('first_at', { withTimezone: true }).notNull(),
    lastAt: timestamp('last_at', { withTimezone: true }).notNull(),
    computedAt: timestamp('computed_at', { withTimezone: true }).notNull(),
  },
  (t) => [uniqueIndex('kb_topics_key_uq').on(t.key), index('kb_topics_count_idx').on(t.flagged, t.ticketCount)],
);

/**
 * Related articles an agent picked for an article, in order (`position`). Readers see only those they may read;
 * fewer than three are topped up with suggestions (same section, shared title words) when the page is rendered.
 */
export const kbRelatedArticles = pgTable(
  'kb_related_articles',
  {
    articleId: uuid('article_id')
      .notNull()
      .references(() => kbArticles.id, { onDelete: 'cascade' }),
    relatedId: uuid('related_id')
      .notNull()
      .references(() => kbArticles.id, { onDelete: 'cascade' }),
    position: integer('position').notNull(),
  },
  (t) => [primaryKey({ columns: [t.articleId, t.relatedId] }), index('kb_related_articles_related_idx').on(t.relatedId), check('kb_related_articles_not_self', sql`${t.articleId} <> ${t.relatedId}`)],
);

/**
 * Flagged topics the team has been told about (by mail to the admins), by topic key: a topic is told once, and
 * again only after an article covered it (the row is dropped then) and it was flagged anew.
 */
export const kbTopicNotices = pgTable('kb_topic_notices', {
  key: text('key').primaryKey(),
  label: text('label').notNull(),
  notifiedAt: timestamp('notified_at', { withTimezone: true }).notNull(),
});

/**
 * Suggestions shown to a customer writing a request, per impression (an id the form makes when it opens) and
 * article. The request sent from that form sets `requestedAt`; "this solved it" sets `solvedAt`. Deflected: solved,
 * or shown and no request from that form within DEFLECTION_MINUTES (counted on read).
 */
export const kbImpressions = pgTable(
  'kb_impressions',
  {
    id: uuid('id').notNull(),
    articleId: uuid('article_id')
      .notNull()
      .references(() => kbArticles.id, { onDelete: 'cascade' }),
    userId: uuid('user_id').references(() => users.id, { onDelete: 'set null' }),
    shownAt: timestamp('shown_at', { withTimezone: true }).notNull(),
    requestedAt: timestamp('requested_at', { withTimezone: true }),
    solvedAt: timestamp('solved_at', { withTimezone: true }),
  },
  (t) => [primaryKey({ columns: [t.id, t.articleId] }), index('kb_impressions_article_idx').on(t.articleId, t.shownAt)],
);

/**
 * An article's translation into one locale (a BCP 47 code such as `fr` or `pt-BR`): its own draft (`title`/`body`,
 * numbered `version`s kept in kb_article_translation_versions) and its own published copy, rendered and indexed with
 * the locale's text-search configuration when published. Readers see it at /help/<locale>/articles/<slug> when the
 * article itself is published and readable by them (the translation takes the article's visibility).
 */
export const kbArticleTranslations = pgTable(
  'kb_article_translations',
  {
    articleId: uuid('article_id')
      .notNull()
      .references(() => kbArticles.id, { onDelete: 'cascade' }),
    locale: text('locale').notNull(),
    title: text('title').notNull(),
    body: text('body').notNull(),
    version: integer('version').notNull().default(1),
    publishedVersion: integer('published_version'),
    publishedTitle: text('published_title'),
    publishedHtml: text('published_html'),
    publishedText: text('published_text'),
    publishedAt: timestamp('published_at', { withTimezone: true }),
    search: tsvector('search'),
    // Review, as for articles (kbArticles): the version submitted, by whom and when; the last request for changes.
    reviewVersion: integer('review_version'),
    reviewRequestedBy: uuid('review_requested_by').references(() => users.id, { onDelete: 'set null' }),
    reviewRequestedAt: timestamp('review_requested_at', { withTimezone: true }),
    changesRequested: text('changes_requested'),
    changesRequestedBy: uuid('changes_requested_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.articleId, t.locale] }),
    index('kb_article_translations_locale_idx').on(t.locale),
    index('kb_article_translations_search_idx').using('gin', t.search),
    index('kb_article_translations_title_trgm_idx').using('gin', sql`${t.publishedTitle} gin_trgm_ops`),
  ],
);

/** Every saved draft of a translation, numbered per article and locale. */
export const kbArticleTranslationVersions = pgTable(
  'kb_article_translation_versions',
  {
    articleId: uuid('article_id').notNull(),
    locale: text('locale').notNull(),
    version: integer('version').notNull(),
    title: text('title').notNull(),
    body: text('body').notNull(),
    authorId: uuid('author_id').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.articleId, t.locale, t.version] }),
    foreignKey({ name: 'kb_translation_versions_translation_fk', columns: [t.articleId, t.locale], foreignColumns: [kbArticleTranslations.articleId, kbArticleTranslations.locale] }).onDelete('cascade'),
  ],
);

/**
 * A category's name and description in a translation locale. Pages in that locale (/help/<locale>/…) show them in
 * the navigation, headings and breadcrumbs; a category without one shows its own name.
 */
export const kbCategoryTranslations = pgTable(
  'kb_category_translations',
  {
    categoryId: uuid('category_id')
      .notNull()
      .references(() => kbCategories.id, { onDelete: 'cascade' }),
    locale: text('locale').notNull(),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.categoryId, t.locale] })],
);

/** A section's name and description in a translation locale (as kbCategoryTranslations). */
export const kbSectionTranslations = pgTable(
  'kb_section_translations',
  {
    sectionId: uuid('section_id')
      .notNull()
      .references(() => kbSections.id, { onDelete: 'cascade' }),
    locale: text('locale').notNull(),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.sectionId, t.locale] })],
);
