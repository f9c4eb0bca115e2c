import { clientKey } from '../../platform/client-key.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { isStaff, requireActor } from '../../platform/auth.js';
import { AppError } from '../../platform/errors.js';
import type { Ctx } from '../../platform/context.js';
import { HELP_CSP, HelpCentre, type Locale } from './help-centre.js';
import { type CachedPage, type CachedSearch, cachedPage, cachedSearch, type Lru, searchPageFor } from './page-cache.js';
import { ArticleBody, CategoryBody, ChangesBody, FeedbackBody, type KbService, MAX_QUERY, PublishBody, RelatedBody, SectionBody, SettingsBody, UpdateArticleBody, UpdateCategoryBody, UpdateSectionBody, VoteBody } from './kb.service.js';
import { isLocale, parseLocale } from './locales.js';
import { renderArticle } from './markdown.js';
import { type KbTranslations, NameTranslationBody, TranslationBody } from './translations.service.js';
import type { TopicsService } from './topics.service.js';

const IdParams = z.object({ id: z.uuid() });
const read = { level: 'staff', scope: 'tickets:read' } as const;
const write = { level: 'agent', scope: 'tickets:write' } as const;
const admin = { level: 'admin', scope: 'admin' } as const;
const pub = { level: 'public' } as const;
const tags = ['knowledge base'];

// `locale`: the language of the article's title and page; one other than the answer's `locale` is a top-up in the help centre's own.
const Suggestion = z.object({ id: z.uuid(), slug: z.string(), title: z.string(), snippet: z.string(), url: z.string(), locale: z.string() });
// Only what may be shown inline; anything else downloads.
const INLINE = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'application/pdf', 'text/plain']);

/** A search's cache key: the same words in any case and spacing are one query. */
function searchKey(q: string): string {
  return `q:${q.trim().toLowerCase().replace(/\s+/g, ' ')}`;
}

/** Public requests from customers and visitors count against the per-address limit; staff's do not. */
async function limited(kb: KbService, req: FastifyRequest, what: string): Promise<void> {
  if (req.actor && isStaff(req.actor)) return;
  // An IPv6 /64 is one client (platform/client-key.ts): rotating addresses inside it does not reset the count.
  await kb.limit(what, clientKey(req.ip));
}

export function kbRoutes(app: FastifyInstance, ctx: Ctx, kb: KbService, topics: TopicsService, tr: KbTranslations): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get('/api/v1/kb/settings', { config: { access: read }, schema: { tags } }, async () => kb.settings());
  r.put('/api/v1/kb/settings', { config: { access: admin }, schema: { tags, body: SettingsBody } }, async (req) => kb.updateSettings(req.body));

  r.get('/api/v1/kb/tree', { config: { access: read }, schema: { tags, description: 'Categories → sections → articles (every state, for staff).' } }, async (req) => ({ items: await kb.tree(requireActor(req)) }));
  r.post('/api/v1/kb/categories', { config: { access: write }, schema: { tags, body: CategoryBody } }, async (req, reply) => reply.status(201).send(await kb.createCategory(req.body)));
  r.patch('/api/v1/kb/categories/:id', { config: { access: write }, schema: { tags, params: IdParams, body: UpdateCategoryBody } }, async (req) => kb.updateCategory(req.params.id, req.body));
  r.delete('/api/v1/kb/categories/:id', { config: { access: write }, schema: { tags, params: IdParams } }, async (req, reply) => {
    await kb.deleteCategory(req.params.id);
    return reply.status(204).send();
  });
  r.post('/api/v1/kb/sections', { config: { access: write }, schema: { tags, body: SectionBody } }, async (req, reply) => reply.status(201).send(await kb.createSection(req.body)));
  r.patch('/api/v1/kb/sections/:id', { config: { access: write }, schema: { tags, params: IdParams, body: UpdateSectionBody } }, async (req) => kb.updateSection(req.params.id, req.body));
  r.delete('/api/v1/kb/sections/:id', { config: { access: write }, schema: { tags, params: IdParams } }, async (req, reply) => {
    await kb.deleteSection(req.params.id);
    return reply.status(204).send();
  });

  r.post('/api/v1/kb/articles', { config: { access: write }, schema: { tags, body: ArticleBody, description: 'A new draft (version 1); sourceTicketId when written from a ticket.' } }, async (req, reply) =>
    reply.status(201).send(await kb.get((await kb.create(requireActor(req), req.body)).id)),
  );
  r.get('/api/v1/kb/articles/:id', { config: { access: read }, schema: { tags, params: IdParams } }, async (req) => kb.get(req.params.id));
  r.patch('/api/v1/kb/articles/:id', { config: { access: write }, schema: { tags, params: IdParams, body: UpdateArticleBody, description: 'Saves a new draft version; send the version you edited (409 if someone saved since).' } }, async (req) =>
    kb.update(requireActor(req), req.params.id, req.body),
  );
  r.delete('/api/v1/kb/articles/:id', { config: { access: write }, schema: { tags, params: IdParams } }, async (req, reply) => {
    await kb.delete(req.params.id);
    return reply.status(204).send();
  });
  r.post('/api/v1/kb/articles/:id/publish', { config: { access: write }, schema: { tags, params: IdParams, body: PublishBody, description: 'Publishes the latest version now, at a later time (at), or clears a schedule (at: null).' } }, async (req) =>
    kb.publish(req.params.id, req.body.at),
  );
  // Review: submit the latest version; another agent approves (publishes it) or sends it back with a note.
  r.post('/api/v1/kb/articles/:id/review', { config: { access: write }, schema: { tags, params: IdParams, description: 'Submits the latest version for review.' } }, async (req) => kb.requestReview(requireActor(req), req.params.id));
  r.post('/api/v1/kb/articles/:id/review/approve', { config: { access: write }, schema: { tags, params: IdParams, description: 'Approves and publishes the version under review (not by who submitted it).' } }, async (req) =>
    kb.approve(requireActor(req), req.params.id),
  );
  r.post('/api/v1/kb/articles/:id/review/changes', { config: { access: write }, schema: { tags, params: IdParams, body: ChangesBody, description: 'Sends the version under review back with a note.' } }, async (req) =>
    kb.requestChanges(requireActor(req), req.params.id, req.body.note),
  );
  r.post('/api/v1/kb/articles/:id/unpublish', { config: { access: write }, schema: { tags, params: IdParams } }, async (req) => kb.unpublish(req.params.id));
  r.get('/api/v1/kb/articles/:id/versions', { config: { access: read }, schema: { tags, params: IdParams } }, async (req) => ({ items: await kb.versions(req.params.id) }));
  const VersionParams = z.object({ id: z.uuid(), version: z.coerce.number().int().positive().max(1_000_000) });
  r.get('/api/v1/kb/articles/:id/versions/:version', { config: { access: read }, schema: { tags, params: VersionParams } }, async (req) => kb.version(req.params.id, req.params.version));
  r.post('/api/v1/kb/articles/:id/versions/:version/restore', { config: { access: write }, schema: { tags, params: VersionParams, description: 'Makes that version the latest draft again (a new version).' } }, async (req) =>
    kb.restore(requireActor(req), req.params.id, req.params.version),
  );
  r.get(
    '/api/v1/kb/articles/:id/diff',
    { config: { access: read }, schema: { tags, params: IdParams, querystring: z.object({ from: z.coerce.number().int().positive().max(1_000_000), to: z.coerce.number().int().positive().max(1_000_000) }) } },
    async (req) => kb.diff(req.params.id, req.query.from, req.query.to),
  );
  r.get('/api/v1/kb/articles/:id/related', { config: { access: read }, schema: { tags, params: IdParams, description: 'The related articles agents picked (any state), and suggestions topping them up to 3.' } }, async (req) => {
    await kb.get(req.params.id);
    return kb.related(requireActor(req), req.params.id, true);
  });
  r.put('/api/v1/kb/articles/:id/related', { config: { access: write }, schema: { tags, params: IdParams, body: RelatedBody, description: 'Replaces the related articles, in order (at most 10; not the article itself).' } }, async (req) =>
    kb.setRelated(req.params.id, req.body.ids),
  );
  // Translations per locale: each with its own drafts, versions and published copy (docs/knowledge-base.md).
  const LocaleParams = z.object({ id: z.uuid(), locale: z.string().max(40) });
  r.get('/api/v1/kb/articles/:id/translations', { config: { access: read }, schema: { tags, params: IdParams, description: "The article's translations, each with its draft and publishing state." } }, async (req) => ({
    items: await tr.list(req.params.id),
  }));
  r.get('/api/v1/kb/articles/:id/translations/:locale', { config: { access: read }, schema: { tags, params: LocaleParams } }, async (req) => tr.get(req.params.id, req.params.locale));
  r.put(
    '/api/v1/kb/articles/:id/translations/:locale',
    { config: { access: write }, schema: { tags, params: LocaleParams, body: TranslationBody, description: 'Saves a draft of the translation into the locale (a language code such as fr or pt-BR), creating it; send the version you edited (409 if someone saved since).' } },
    async (req) => tr.save(requireActor(req), req.params.id, req.params.locale, req.body),
  );
  r.post('/api/v1/kb/articles/:id/translations/:locale/publish', { config: { access: write }, schema: { tags, params: LocaleParams, description: "Publishes the translation's latest draft at /help/<locale>/articles/<slug>." } }, async (req) =>
    tr.publish(req.params.id, req.params.locale),
  );
  r.post('/api/v1/kb/articles/:id/translations/:locale/unpublish', { config: { access: write }, schema: { tags, params: LocaleParams } }, async (req) => tr.unpublish(req.params.id, req.params.locale));
  r.delete('/api/v1/kb/articles/:id/translations/:locale', { config: { access: write }, schema: { tags, params: LocaleParams } }, async (req, reply) => {
    await tr.delete(req.params.id, req.params.locale);
    return reply.status(204).send();
  });
  // A translation's review (when the settings require one), as for articles: submit, approve (not by the submitter), send back.
  r.post('/api/v1/kb/articles/:id/translations/:locale/review', { config: { access: write }, schema: { tags, params: LocaleParams, description: "Submits the translation's latest version for review." } }, async (req) =>
    tr.requestReview(requireActor(req), req.params.id, req.params.locale),
  );
  r.post('/api/v1/kb/articles/:id/translations/:locale/review/approve', { config: { access: write }, schema: { tags, params: LocaleParams, description: 'Approves and publishes the version under review (not by who submitted it).' } }, async (req) =>
    tr.approve(requireActor(req), req.params.id, req.params.locale),
  );
  r.post('/api/v1/kb/articles/:id/translations/:locale/review/changes', { config: { access: write }, schema: { tags, params: LocaleParams, body: ChangesBody, description: 'Sends the version under review back with a note.' } }, async (req) =>
    tr.requestChanges(requireActor(req), req.params.id, req.params.locale, req.body.note),
  );
  // A translation's history: its versions, the diff of two, and restoring one as a new draft version.
  const LocaleVersionParams = LocaleParams.extend({ version: z.coerce.number().int().positive().max(1_000_000) });
  r.get('/api/v1/kb/articles/:id/translations/:locale/versions', { config: { access: read }, schema: { tags, params: LocaleParams } }, async (req) => ({ items: await tr.versions(req.params.id, req.params.locale) }));
  r.get(
    '/api/v1/kb/articles/:id/translations/:locale/diff',
    { config: { access: read }, schema: { tags, params: LocaleParams, querystring: z.object({ from: z.coerce.number().int().positive().max(1_000_000), to: z.coerce.number().int().positive().max(1_000_000) }) } },
    async (req) => tr.diff(req.params.id, req.params.locale, req.query.from, req.query.to),
  );
  r.post('/api/v1/kb/articles/:id/translations/:locale/versions/:version/restore', { config: { access: write }, schema: { tags, params: LocaleVersionParams, description: 'Makes that version of the translation its latest draft again (a new version).' } }, async (req) =>
    tr.restore(requireActor(req), req.params.id, req.params.locale, req.params.version),
  );
  // Category and section names per translation language (the help centre's pages in that language show them).
  for (const kind of ['category', 'section'] as const) {
    const path = `/api/v1/kb/${kind === 'category' ? 'categories' : 'sections'}/:id/translations`;
    r.get(path, { config: { access: read }, schema: { tags, params: IdParams, description: `The ${kind}'s names in the translation languages.` } }, async (req) => ({ items: await tr.names(kind, req.params.id) }));
    r.put(`${path}/:locale`, { config: { access: write }, schema: { tags, params: LocaleParams, body: NameTranslationBody, description: `Sets the ${kind}'s name and description in an enabled translation language.` } }, async (req) =>
      tr.saveName(kind, req.params.id, req.params.locale, req.body),
    );
    r.delete(`${path}/:locale`, { config: { access: write }, schema: { tags, params: LocaleParams } }, async (req, reply) => {
      await tr.deleteName(kind, req.params.id, req.params.locale);
      return reply.status(204).send();
    });
  }
  r.get('/api/v1/kb/articles/:id/stats', { config: { access: read }, schema: { tags, params: IdParams } }, async (req) => kb.stats(req.params.id));
  r.get('/api/v1/kb/articles/:id/votes', { config: { access: read }, schema: { tags, params: IdParams } }, async (req) => ({ items: await kb.votes(req.params.id) }));
  r.post('/api/v1/kb/preview', { config: { access: read }, schema: { tags, body: z.object({ body: z.string().max(200_000) }), response: { 200: z.object({ html: z.string() }) }, description: 'Markdown as readers will see it (the same sanitiser as publishing).' } }, async (req) => ({
    html: renderArticle(req.body.body).html,
  }));

  // Files: raw bytes in (like ticket attachments), served at /help/files/:id to whoever may read the article.
  // biome-ignore lint/nursery/noMisusedPromises: Fastify's register() takes an async plugin and awaits it (Biome sees only the callback overload)
  app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: ctx.config.maxAttachmentBytes }, (_req, body, done) => done(null, body));
    scope.withTypeProvider<ZodTypeProvider>().post(
      '/api/v1/kb/articles/:id/files',
      { config: { access: write }, bodyLimit: ctx.config.maxAttachmentBytes, schema: { tags, params: IdParams, querystring: z.object({ filename: z.string().trim().min(1).max(255) }) } },
      async (req, reply) => {
        const data = req.body as Buffer | undefined;
        if (!Buffer.isBuffer(data) || data.length === 0) throw new AppError('VALIDATION_FAILED', 'The file is empty; send its bytes as the request body');
        return reply.status(201).send(await kb.addFile(requireActor(req), req.params.id, { filename: req.query.filename, contentType: req.headers['content-type'] ?? 'application/octet-stream', data }));
      },
    );
  });

  // Deflection: suggestions while a customer writes, and what they said of them.
  r.get(
    '/api/v1/kb/suggest',
    {
      config: { access: pub },
      schema: {
        tags,
        querystring: z.object({ q: z.string().max(MAX_QUERY), impression: z.uuid().optional(), locale: z.string().max(40).optional() }),
        response: { 200: z.object({ items: z.array(Suggestion), locale: z.string() }) },
        description:
          "The top 3 articles the caller may read for a text (rate-limited per address). A request form passes its impression id: what it was shown counts toward deflections. `locale` (the page's language): an enabled translation language's articles and URLs, topped up with the help centre's own when it has fewer than 3 (each item says its `locale`; the answer's `locale` is the language asked for, so a form labels the others); the help centre's own otherwise.",
      },
    },
    async (req) => {
      const locale = await tr.resolve(req.query.locale);
      // An anonymous question already answered costs one map lookup: no query, so no rate-limit row to update either
      // (that upsert was most of a cached suggestion's cost). Recording an impression writes, so it always counts.
      const hit = !req.actor && !req.query.impression ? (locale ? tr.cachedSuggestions(locale, req.query.q) : kb.cachedSuggestions(req.query.q)) : undefined;
      const answered = locale ?? (await tr.defaultLocale());
      if (hit) return { items: hit, locale: answered };
      await limited(kb, req, 'suggest');
      const items = locale ? await tr.suggest(req.actor, locale, req.query.q) : await kb.suggest(req.actor, req.query.q);
      if (req.query.impression) await kb.recordImpression(req.actor, req.query.impression, items.map((i) => i.id));
      return { items, locale: answered };
    },
  );
  r.post('/api/v1/kb/suggest/feedback', { config: { access: pub }, schema: { tags, body: FeedbackBody, description: 'solved / not_related / not_answered for a suggested article.' } }, async (req, reply) => {
    await limited(kb, req, 'feedback');
    await kb.feedback(req.actor, req.body);
    return reply.status(204).send();
  });
  r.post('/api/v1/kb/articles/:id/votes', { config: { access: pub }, schema: { tags, params: IdParams, body: VoteBody, description: '"Was this helpful", with an optional comment.' } }, async (req, reply) => {
    await limited(kb, req, 'vote');
    await kb.vote(req.actor, req.params.id, req.body);
    return reply.status(204).send();
  });

  // Recurring topics: the last background run's groups; agents may ask for a new run.
  r.get('/api/v1/kb/topics', { config: { access: read }, schema: { tags, description: 'Recurring topics of recent tickets (the last run), flagged ones first.' } }, async (req) => topics.list(requireActor(req)));
  r.post('/api/v1/kb/topics/refresh', { config: { access: write }, schema: { tags, description: 'Queues a new grouping of recent tickets (a background job).' } }, async (_req, reply) => {
    await topics.requestRefresh();
    return reply.status(202).send({ queued: true });
  });

  // Agents: articles in tickets.
  r.post('/api/v1/kb/articles/:id/uses', { config: { access: write }, schema: { tags, params: IdParams, body: z.object({ ticketId: z.uuid() }), description: 'Records that the article was linked in a reply on the ticket (once per ticket).' } }, async (req) =>
    kb.recordUse(requireActor(req), req.params.id, req.body.ticketId),
  );
  r.get('/api/v1/tickets/:id/kb-articles', { config: { access: read }, schema: { tags, params: IdParams } }, async (req) => ({ items: await kb.usesOf(requireActor(req), req.params.id) }));
  r.get('/api/v1/tickets/:id/kb-draft', { config: { access: write }, schema: { tags, params: IdParams, description: "A draft article from the ticket: its subject, the customer's question and the last public answer." } }, async (req) =>
    kb.draftFromTicket(requireActor(req), req.params.id),
  );
}

/** The public help centre: HTML for people (no JavaScript), the sitemap for search engines, articles' files. */
export function helpRoutes(app: FastifyInstance, ctx: Ctx, kb: KbService, help: HelpCentre, tr: KbTranslations): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const config = { access: pub };
  const hide = { hide: true };
  const cache = kb.pageCache();
  const html = (reply: FastifyReply, body: string, status = 200, cache = true) =>
    reply
      .status(status)
      .type('text/html; charset=utf-8')
      .header('content-security-policy', HELP_CSP)
      .header('x-content-type-options', 'nosniff')
      .header('cache-control', cache ? 'public, max-age=60' : 'private, no-store')
      .send(body);
  const rendering = new Map<string, Promise<unknown>>();
  const text = (p: Promise<string | null>) => p.then((h) => (h === null ? null : { html: h }));
  /**
   * From the cache, else rendered and stored unless the KB changed meanwhile. Readers arriving together for
   * something not yet rendered (a popular article just after a publish) share one rendering instead of each running
   * the page's queries.
   */
  const shared = async <V>(lru: Lru<V>, kind: string, key: string, render: () => Promise<V | null>): Promise<V | null> => {
    const hit = lru.get(key);
    if (hit !== undefined) return hit;
    const generation = cache.generation;
    const flight = `${kind}${generation}|${key}`;
    let pending = rendering.get(flight) as Promise<V | null> | undefined;
    if (!pending) {
      pending = (async () => {
        const value = await render();
        if (value !== null) cache.store(lru, key, value, generation);
        return value;
      })().finally(() => rendering.delete(flight));
      rendering.set(flight, pending);
    }
    return pending;
  };
  // Pages for readers who are not signed in are the same for everyone: rendered once, kept in memory (page-cache.ts)
  // until the KB changes in any process. Signed-in readers' pages are rendered for them and never kept.
  const cached = async (req: FastifyRequest, key: string, render: () => Promise<{ html: string; articleId?: string } | null>): Promise<CachedPage | null> => {
    if (req.actor) {
      const p = await render();
      return p && { html: p.html, etag: '', articleId: p.articleId };
    }
    return shared(cache.pages, 'p', key, async () => {
      const rendered = await render();
      return rendered && cachedPage(rendered.html, rendered.articleId);
    });
  };
  // A search results page: one rendering per normalised query (`key`) for anonymous readers, each shown their own
  // query text (the first searcher's casing and spacing were everyone's).
  const searchPage = async (req: FastifyRequest, key: string, q: string, locale: Locale): Promise<CachedPage> => {
    if (req.actor) return { html: await help.search(req.actor, q, locale), etag: '' };
    const s = (await shared(cache.searches, 'q', key, async () => cachedSearch(await help.searchTemplate(null, q, locale)))) as CachedSearch;
    return searchPageFor(s, q);
  };
  // An anonymous page carries its ETag: a reader (or a proxy) coming back with it gets a 304 and no body.
  const serve = (req: FastifyRequest, reply: FastifyReply, page: CachedPage) => {
    if (req.actor || !page.etag) return html(reply, page.html, 200, false);
    reply.header('etag', page.etag);
    if (req.headers['if-none-match'] === page.etag) return reply.status(304).header('cache-control', 'public, max-age=60').send();
    return html(reply, page.html);
  };
  const missing = async (req: FastifyRequest, reply: FastifyReply) => html(reply, await help.notFound(req.actor), 404, false);
  const Slug = z.object({ slug: z.string().max(120) });

  r.get('/help', { config, schema: hide }, async (req, reply) => serve(req, reply, (await cached(req, 'home', () => text(help.home(req.actor)))) as CachedPage));

  // A translation's pages: /help/<locale>/…. A malformed locale is a 400 page saying so; the help centre's own
  // language and a locale in another case redirect to the one URL each page has.
  const LocalePath = z.object({ locale: z.string().max(40) });
  const withLocale = async (req: FastifyRequest, reply: FastifyReply, raw: string, rest: string): Promise<string | null> => {
    if (!isLocale(raw)) {
      await html(reply, await help.problem(req.actor, `“${raw}” is not a language code such as fr, de or pt-BR.`), 400, false);
      return null;
    }
    const locale = parseLocale(raw);
    const query = req.url.includes('?') ? req.url.slice(req.url.indexOf('?')) : '';
    if (locale === (await tr.defaultLocale())) {
      await reply.redirect(`/help${rest}${query}`, 301);
      return null;
    }
    if (locale !== raw) {
      await reply.redirect(`/help/${locale}${rest}${query}`, 301);
      return null;
    }
    return locale;
  };
  const missingIn = async (req: FastifyRequest, reply: FastifyReply, locale: string) => html(reply, await help.notFound(req.actor, locale), 404, false);
  r.get('/help/:locale', { config, schema: { ...hide, params: LocalePath } }, async (req, reply) => {
    const locale = await withLocale(req, reply, req.params.locale, '');
    if (!locale) return reply;
    const page = await cached(req, `${locale}|home`, () => text(help.home(req.actor, locale)));
    return page === null ? missingIn(req, reply, locale) : serve(req, reply, page);
  });
  r.get('/help/:locale/categories/:slug', { config, schema: { ...hide, params: LocalePath.extend({ slug: z.string().max(120) }) } }, async (req, reply) => {
    const locale = await withLocale(req, reply, req.params.locale, `/categories/${encodeURIComponent(req.params.slug)}`);
    if (!locale) return reply;
    const page = await cached(req, `${locale}|c:${req.params.slug}`, () => text(help.category(req.actor, req.params.slug, locale)));
    return page === null ? missingIn(req, reply, locale) : serve(req, reply, page);
  });
  r.get('/help/:locale/sections/:slug', { config, schema: { ...hide, params: LocalePath.extend({ slug: z.string().max(120) }) } }, async (req, reply) => {
    const locale = await withLocale(req, reply, req.params.locale, `/sections/${encodeURIComponent(req.params.slug)}`);
    if (!locale) return reply;
    const page = await cached(req, `${locale}|s:${req.params.slug}`, () => text(help.section(req.actor, req.params.slug, locale)));
    return page === null ? missingIn(req, reply, locale) : serve(req, reply, page);
  });
  r.get('/help/:locale/articles/:slug', { config, schema: { ...hide, params: LocalePath.extend({ slug: z.string().max(120) }), querystring: z.object({ voted: z.literal('1').optional() }) } }, async (req, reply) => {
    const locale = await withLocale(req, reply, req.params.locale, `/articles/${encodeURIComponent(req.params.slug)}`);
    if (!locale) return reply;
    if (req.query.voted) {
      const page = await help.article(req.actor, req.params.slug, 'voted', locale);
      return page === null ? missingIn(req, reply, locale) : html(reply, page.html, 200, false);
    }
    const page = await cached(req, `${locale}|a:${req.params.slug}`, async () => {
      const p = await help.article(req.actor, req.params.slug, undefined, locale);
      return p && { html: p.html, articleId: p.id };
    });
    if (page === null) return missingIn(req, reply, locale);
    if (page.articleId) kb.countView(page.articleId);
    return serve(req, reply, page);
  });
  /**
   * A search not answered from the page cache costs a full-text and trigram query: it counts against the per-client
   * limit. Over it, the 429 page is sent and true returned.
   */
  const searchRefused = async (req: FastifyRequest, reply: FastifyReply, key: string): Promise<boolean> => {
    if (!req.actor && cache.searches.get(key) !== undefined) return false;
    try {
      await limited(kb, req, 'search');
      return false;
    } catch (err) {
      if (!(err instanceof AppError && err.code === 'RATE_LIMITED')) throw err;
      await html(reply, await help.problem(req.actor, 'Too many searches from your address; try again in a minute.'), 429, false);
      return true;
    }
  };
  r.get('/help/:locale/search', { config, schema: { ...hide, params: LocalePath, querystring: z.object({ q: z.string().max(10_000).default('') }) } }, async (req, reply) => {
    const locale = await withLocale(req, reply, req.params.locale, '/search');
    if (!locale) return reply;
    if (req.query.q.length > MAX_QUERY) return html(reply, await help.problem(req.actor, `A search is at most ${MAX_QUERY} characters. Try fewer words.`), 400, false);
    const key = `${locale}|${searchKey(req.query.q)}`;
    if (await searchRefused(req, reply, key)) return reply;
    return serve(req, reply, await searchPage(req, key, req.query.q, locale));
  });
  r.get('/help/categories/:slug', { config, schema: { ...hide, params: Slug } }, async (req, reply) => {
    const page = await cached(req, `c:${req.params.slug}`, () => text(help.category(req.actor, req.params.slug)));
    return page === null ? missing(req, reply) : serve(req, reply, page);
  });
  r.get('/help/sections/:slug', { config, schema: { ...hide, params: Slug } }, async (req, reply) => {
    const page = await cached(req, `s:${req.params.slug}`, () => text(help.section(req.actor, req.params.slug)));
    return page === null ? missing(req, reply) : serve(req, reply, page);
  });
  r.get('/help/articles/:slug', { config, schema: { ...hide, params: Slug, querystring: z.object({ voted: z.literal('1').optional() }) } }, async (req, reply) => {
    if (req.query.voted) {
      const page = await help.article(req.actor, req.params.slug, 'voted');
      return page === null ? missing(req, reply) : html(reply, page.html, 200, false);
    }
    const page = await cached(req, `a:${req.params.slug}`, async () => {
      const p = await help.article(req.actor, req.params.slug);
      return p && { html: p.html, articleId: p.id };
    });
    if (page === null) return missing(req, reply);
    if (page.articleId) kb.countView(page.articleId);
    return serve(req, reply, page);
  });
  // The vote form (no JavaScript): a urlencoded POST, then back to the article with a thank-you.
  // biome-ignore lint/nursery/noMisusedPromises: Fastify's register() takes an async plugin and awaits it (Biome sees only the callback overload)
  app.register(async (scope) => {
    scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 8192 }, (_req, body, done) => {
      const form = new URLSearchParams(body as string);
      done(null, { helpful: form.get('helpful') ?? '', comment: form.get('comment') ?? '', locale: form.get('locale') ?? '' });
    });
    scope.withTypeProvider<ZodTypeProvider>().post(
      '/help/articles/:slug/vote',
      { config, schema: { ...hide, params: Slug, body: z.object({ helpful: z.string().max(10), comment: z.string().max(10_000), locale: z.string().max(40).default('') }) } },
      async (req, reply) => {
        if (req.body.helpful !== 'yes' && req.body.helpful !== 'no') return html(reply, await help.problem(req.actor, 'Choose “Yes” or “No”.'), 400, false);
        if (req.body.comment.length > 2000) return html(reply, await help.problem(req.actor, 'The comment is at most 2,000 characters.'), 400, false);
        try {
          await limited(kb, req, 'vote');
          await kb.vote(req.actor, req.params.slug, { helpful: req.body.helpful === 'yes', comment: req.body.comment.trim() });
        } catch (err) {
          if (err instanceof AppError && err.code === 'ARTICLE_NOT_FOUND') return missing(req, reply);
          if (err instanceof AppError && err.code === 'RATE_LIMITED') return html(reply, await help.problem(req.actor, 'Too many votes from your address; try again in a minute.'), 429, false);
          throw err;
        }
        // Back to the page voted on: a translation's form carries its locale.
        const back = req.body.locale && isLocale(req.body.locale) ? HelpCentre.base(parseLocale(req.body.locale)) : '/help';
        return reply.redirect(`${back}/articles/${encodeURIComponent(req.params.slug)}?voted=1`, 303);
      },
    );
  });
  r.get('/help/search', { config, schema: { ...hide, querystring: z.object({ q: z.string().max(10_000).default('') }) } }, async (req, reply) => {
    if (req.query.q.length > MAX_QUERY) return html(reply, await help.problem(req.actor, `A search is at most ${MAX_QUERY} characters. Try fewer words.`), 400, false);
    const q = req.query.q;
    const key = searchKey(q);
    if (await searchRefused(req, reply, key)) return reply;
    return serve(req, reply, await searchPage(req, key, q, null));
  });
  r.get('/help/sitemap.xml', { config, schema: hide }, async (_req, reply) => {
    const body = ((await cached({ actor: null } as FastifyRequest, 'sitemap', () => text(help.sitemap()))) as CachedPage).html;
    return reply.type('application/xml; charset=utf-8').header('cache-control', 'public, max-age=300').send(body);
  });
  r.get('/help/files/:id', { config, schema: { ...hide, params: z.object({ id: z.string().max(64) }) } }, async (req, reply) => {
    let f: Awaited<ReturnType<KbService['file']>>;
    try {
      f = await kb.file(req.actor, req.params.id);
    } catch {
      return missing(req, reply);
    }
    const inline = INLINE.has(f.contentType);
    return reply
      .header('content-type', inline ? f.contentType : 'application/octet-stream')
      .header('content-length', f.size)
      .header('content-disposition', `${inline ? 'inline' : 'attachment'}; filename="${f.filename.replace(/[^\x20-\x7e]|"/g, '_')}"; filename*=UTF-8''${encodeURIComponent(f.filename)}`)
      .header('x-content-type-options', 'nosniff')
      .header('content-security-policy', "default-src 'none'; sandbox")
      .header('cache-control', req.actor ? 'private, max-age=3600' : 'public, max-age=3600')
      .send(ctx.files.read(f.sha256));
  });
}
