import { randomBytes } from 'node:crypto';
import type { KbSettingsData } from './kb.schema.js';
import { type KbService, RELATED_SHOWN, type Reader, type SearchHit } from './kb.service.js';
import { esc } from './markdown.js';
import type { KbTranslations } from './translations.service.js';

/** What the help centre's pages may load: their own inline styles and images from here or https; no scripts. */
export const HELP_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' https:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/** `query`: what the search box shows (a search results page's query; else empty). */
type Page = { title: string; description: string; path: string; body: string; noindex?: boolean; alternates?: Alternate[]; query?: string };
/** The same page in another language: `<link rel="alternate" hreflang>` and the sitemap's xhtml:link. */
type Alternate = { hreflang: string; path: string };
/**
 * The language a page is in: null for the help centre's own (untranslated articles, at /help/…), else a
 * translation locale (at /help/<locale>/…: a path, not ?lang=, so every language has its own cacheable,
 * indexable URLs).
 */
export type Locale = string | null;

/**
 * The public help centre, rendered on the server as plain HTML (no JavaScript): home with the categories, a
 * category, a section, an article with "was this helpful", search results at a shareable URL, and the sitemap.
 * Pages for readers who are not signed in are cached (see kb.routes.ts); every KB change clears them.
 */
export class HelpCentre {
  constructor(
    private readonly kb: KbService,
    private readonly publicUrl: string,
    private readonly tr: KbTranslations,
  ) {}

  /** Where a locale's pages live: /help for the help centre's own language, /help/<locale> for a translation. */
  static base(locale: Locale): string {
    return locale ? `/help/${locale}` : '/help';
  }

  private async layout(s: KbSettingsData, page: Page, reader: Reader, locale: Locale): Promise<string> {
    const url = `${this.publicUrl}${page.path}`;
    const who = reader ? `<span class="who">Signed in as ${esc(reader.name)}</span>` : '';
    const base = HelpCentre.base(locale);
    const own = await this.tr.defaultLocale();
    const alternates = page.alternates?.length
      ? [...page.alternates.map((a) => `<link rel="alternate" hreflang="${esc(a.hreflang)}" href="${esc(`${this.publicUrl}${a.path}`)}">`), `<link rel="alternate" hreflang="x-default" href="${esc(`${this.publicUrl}${page.alternates[0]?.path}`)}">`].join('\n')
      : '';
    return `<!doctype html>
<html lang="${esc(locale ?? own)}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(page.title)}</title>
<meta name="description" content="${esc(page.description.slice(0, 160))}">
<link rel="canonical" href="${esc(url)}">
${alternates}
${page.noindex ? '<meta name="robots" content="noindex">' : ''}
<meta property="og:site_name" content="${esc(s.name)}"><meta property="og:title" content="${esc(page.title)}"><meta property="og:description" content="${esc(page.description.slice(0, 200))}"><meta property="og:url" content="${esc(url)}"><meta property="og:type" content="website">
<style>
:root{--p:${s.primaryColor};--a:${s.accentColor}}
*{box-sizing:border-box}body{margin:0;font:16px/1.55 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:#1d2330;background:#f7f8fa}
header{background:var(--p);color:#fff;padding:1.25rem 1rem}header .in,main{max-width:860px;margin:0 auto}
header a{color:#fff;text-decoration:none;font-weight:600;font-size:1.2rem}.who{float:right;font-size:.85rem;opacity:.9}
form.search{display:flex;gap:.5rem;margin-top:.9rem}form.search input{flex:1;min-width:0;padding:.6rem .75rem;border:0;border-radius:6px;font-size:1rem}
form.search button,button{padding:.55rem 1rem;border:0;border-radius:6px;background:var(--a);color:#fff;font-size:1rem;cursor:pointer}
main{padding:1rem;background:#fff;min-height:60vh}a{color:var(--a)}h1{font-size:1.7rem;line-height:1.25;margin:.5rem 0 1rem}
.crumbs{font-size:.9rem;color:#5c6370}.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(240px,1fr));gap:1rem;padding:0;list-style:none}
.grid li{border:1px solid #e3e6eb;border-radius:8px;padding:1rem}.muted{color:#5c6370;font-size:.9rem}
article pre{background:#f1f3f5;padding:.75rem;overflow:auto;border-radius:6px}article code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.9em}
article table{border-collapse:collapse;display:block;overflow:auto}article th,article td{border:1px solid #dee2e6;padding:.35rem .6rem}article img{max-width:100%}
.hits li{margin:0 0 1rem}.hits mark{background:#fff3bf}.vote{margin-top:2rem;border-top:1px solid #e3e6eb;padding-top:1rem}.vote textarea{width:100%;min-height:4rem}
footer{text-align:center;padding:1rem;font-size:.85rem;color:#5c6370}
</style></head>
<body><header><div class="in">${who}<a href="${base}">${esc(s.name)}</a>
<form class="search" action="${base}/search" method="get" role="search"><label for="q" style="position:absolute;left:-9999px">Search</label><input id="q" name="q" type="search" maxlength="200" placeholder="Search the help centre" value="${esc(page.query ?? '')}"><button type="submit">Search</button></form>
</div></header>
<main>${page.body}</main><footer>${esc(s.name)}</footer></body></html>`;
  }

  /** The tree a locale's pages list: the help centre's own, or only the articles translated into `locale`. */
  private tree(reader: Reader, locale: Locale) {
    return locale ? this.tr.tree(reader, locale) : this.kb.tree(reader);
  }

  /** A listing page's alternates: the help centre's own language and every locale with a translation the reader may read. */
  private async listingAlternates(reader: Reader, path: string): Promise<Alternate[]> {
    const locales = await this.tr.locales(reader);
    if (!locales.length) return [];
    return [{ hreflang: await this.tr.defaultLocale(), path: `/help${path}` }, ...locales.map((l) => ({ hreflang: l, path: `/help/${l}${path}` }))];
  }

  async home(reader: Reader, locale: Locale = null): Promise<string | null> {
    const s = await this.kb.settings();
    const base = HelpCentre.base(locale);
    const tree = (await this.tree(reader, locale)).map((c) => ({ ...c, sections: c.sections.filter((x) => x.articles.length) })).filter((c) => c.sections.length);
    // A locale nothing readable is translated into has no help centre.
    if (locale && !tree.length) return null;
    const cards = tree
      .map(
        (c) =>
          `<li><h2><a href="${base}/categories/${esc(c.slug)}">${esc(c.name)}</a></h2><p class="muted">${esc(c.description)}</p><ul>${c.sections
            .map((x) => `<li><a href="${base}/sections/${esc(x.slug)}">${esc(x.name)}</a> <span class="muted">(${x.articles.length})</span></li>`)
            .join('')}</ul></li>`,
      )
      .join('');
    const body = `<h1>${esc(s.name)}</h1><p>${esc(s.intro)}</p>${cards ? `<ul class="grid">${cards}</ul>` : '<p>No articles yet.</p>'}`;
    return this.layout(s, { title: s.name, description: s.intro || s.name, path: base, body, alternates: await this.listingAlternates(reader, '') }, reader, locale);
  }

  async category(reader: Reader, slug: string, locale: Locale = null): Promise<string | null> {
    const s = await this.kb.settings();
    const base = HelpCentre.base(locale);
    const c = (await this.tree(reader, locale)).find((x) => x.slug === slug);
    if (!c || (locale && !c.sections.some((x) => x.articles.length))) return null;
    const sections = c.sections
      .filter((x) => x.articles.length)
      .map((x) => `<section><h2><a href="${base}/sections/${esc(x.slug)}">${esc(x.name)}</a></h2><ul>${x.articles.map((a) => `<li><a href="${base}/articles/${esc(a.slug)}">${esc(a.title)}</a></li>`).join('')}</ul></section>`)
      .join('');
    const body = `<p class="crumbs"><a href="${base}">${esc(s.name)}</a></p><h1>${esc(c.name)}</h1><p class="muted">${esc(c.description)}</p>${sections || '<p>No articles here yet.</p>'}`;
    return this.layout(s, { title: `${c.name} · ${s.name}`, description: c.description || c.name, path: `${base}/categories/${c.slug}`, body }, reader, locale);
  }

  async section(reader: Reader, slug: string, locale: Locale = null): Promise<string | null> {
    const s = await this.kb.settings();
    const base = HelpCentre.base(locale);
    for (const c of await this.tree(reader, locale)) {
      const x = c.sections.find((y) => y.slug === slug);
      if (!x) continue;
      if (locale && !x.articles.length) return null;
      const list = x.articles.map((a) => `<li><a href="${base}/articles/${esc(a.slug)}">${esc(a.title)}</a></li>`).join('');
      const body = `<p class="crumbs"><a href="${base}">${esc(s.name)}</a> › <a href="${base}/categories/${esc(c.slug)}">${esc(c.name)}</a></p><h1>${esc(x.name)}</h1><p class="muted">${esc(x.description)}</p>${list ? `<ul>${list}</ul>` : '<p>No articles here yet.</p>'}`;
      return this.layout(s, { title: `${x.name} · ${s.name}`, description: x.description || x.name, path: `${base}/sections/${x.slug}`, body }, reader, locale);
    }
    return null;
  }

  /** The article page (in `locale`'s translation), or null when the reader may not read it (or it does not exist). */
  async article(reader: Reader, slug: string, notice?: 'voted', locale: Locale = null): Promise<{ id: string; html: string } | null> {
    const s = await this.kb.settings();
    const base = HelpCentre.base(locale);
    // The article, its picked related articles, its title's words and its languages in one statement.
    const a = locale ? await this.tr.read(reader, locale, slug) : await this.kb.page(reader, slug);
    if (!a) return null;
    const vote =
      notice === 'voted'
        ? '<p class="vote" role="status">Thank you for your feedback.</p>'
        : `<form class="vote" method="post" action="/help/articles/${esc(a.slug)}/vote">${locale ? `<input type="hidden" name="locale" value="${esc(locale)}">` : ''}<p><strong>Was this article helpful?</strong></p>
<p><label for="comment">Anything to add? (optional)</label><br><textarea id="comment" name="comment" maxlength="2000"></textarea></p>
<button type="submit" name="helpful" value="yes">Yes</button> <button type="submit" name="helpful" value="no">No</button></form>`;
    const updated = (a.publishedAt ?? new Date(0)).toISOString().slice(0, 10);
    // Only articles this reader may read: an internal one picked as related is left out of a public page. In a
    // locale, only those published in it, under their translated titles. Suggestions fill up to three (one statement).
    const suggested = await this.kb.relatedFill(reader, { id: a.id, sectionId: a.sectionId, q: a.titleWords }, a.manual.map((m) => m.id), RELATED_SHOWN - a.manual.length, locale);
    const relList = [...a.manual, ...suggested].map((r) => `<li><a href="${base}/articles/${esc(r.slug)}">${esc(r.title)}</a></li>`).join('');
    const related = relList ? `<nav class="related" aria-labelledby="related-h"><h2 id="related-h">Related articles</h2><ul>${relList}</ul></nav>` : '';
    const own = await this.tr.defaultLocale();
    const alternates = a.locales.length ? [{ hreflang: own, path: `/help/articles/${a.slug}` }, ...a.locales.map((l) => ({ hreflang: l, path: `/help/${l}/articles/${a.slug}` }))] : [];
    const body = `<p class="crumbs"><a href="${base}">${esc(s.name)}</a> › <a href="${base}/categories/${esc(a.category.slug)}">${esc(a.category.name)}</a> › <a href="${base}/sections/${esc(a.section.slug)}">${esc(a.section.name)}</a></p>
<article><h1>${esc(a.title)}</h1><p class="muted">Updated <time datetime="${updated}">${updated}</time></p>${a.html}</article>${related}${vote}`;
    return {
      id: a.id,
      html: await this.layout(s, { title: `${a.title} · ${s.name}`, description: a.text.replace(/\s+/g, ' ').trim(), path: `${base}/articles/${a.slug}`, body, noindex: a.visibility !== 'public', alternates }, reader, locale),
    };
  }

  async search(reader: Reader, q: string, locale: Locale = null): Promise<string> {
    return fillSearch(await this.searchTemplate(reader, q, locale), q);
  }

  /**
   * The search results page for `q` with the query's text left as slots (`fillSearch` puts a reader's own in): the
   * results depend only on the normalised query, so anonymous readers share one rendering per normalised query
   * (page-cache.ts), while each sees the words they typed, in their case and spacing. The slots are marked in the
   * rendering by a random token (no article text can contain it), then the page is cut there.
   */
  async searchTemplate(reader: Reader, q: string, locale: Locale = null): Promise<SearchTemplate> {
    const s = await this.kb.settings();
    const base = HelpCentre.base(locale);
    const { items } = locale ? await this.tr.search(reader, locale, q) : await this.kb.search(reader, q);
    const nonce = randomBytes(9).toString('hex');
    const slot = (name: QuerySlot) => `\u0000${nonce}${name}\u0000`;
    const list = items.map((h) => `<li><a href="${base}/articles/${esc(h.slug)}">${esc(h.title)}</a> <span class="muted">· ${esc(h.sectionName)}</span><br>${snippet(h)}</li>`).join('');
    const asked = q.trim() !== '';
    const heading = asked ? `${items.length === 0 ? 'No' : items.length} result${items.length === 1 ? '' : 's'} for “${slot('text')}”` : 'Search';
    const body = `<p class="crumbs"><a href="${base}">${esc(s.name)}</a></p><h1>${heading}</h1>${list ? `<ol class="hits">${list}</ol>` : asked ? '<p>Try other words, or fewer of them.</p>' : ''}`;
    const html = await this.layout(
      s,
      { title: `${asked ? `${slot('text')} – ` : ''}Search · ${s.name}`, description: `Search results in ${s.name}`, path: `${base}/search?q=${slot('url')}`, body, noindex: true, query: slot('value') },
      reader,
      locale,
    );
    const pieces = html.split(new RegExp(`\u0000${nonce}(text|value|url)\u0000`));
    return { parts: pieces.filter((_, i) => i % 2 === 0), slots: pieces.filter((_, i) => i % 2 === 1) as QuerySlot[] };
  }

  /**
   * One sitemap for every language: each article's URL and each of its translations' URLs, every one listing all
   * of them as xhtml:link alternates (what search engines expect of hreflang in a sitemap); each locale's home too.
   */
  async sitemap(): Promise<string> {
    const rows = await this.kb.sitemap();
    const tree = await this.kb.tree(null);
    const translations = await this.tr.sitemap();
    const own = await this.tr.defaultLocale();
    const bySlug = new Map<string, { locale: string; at: Date }[]>();
    for (const t of translations) bySlug.set(t.slug, [...(bySlug.get(t.slug) ?? []), { locale: t.locale, at: t.at }]);
    const link = (hreflang: string, path: string) => `<xhtml:link rel="alternate" hreflang="${esc(hreflang)}" href="${esc(`${this.publicUrl}${path}`)}"/>`;
    const localeHomes = [...new Set(translations.map((t) => t.locale))].sort();
    const homeLinks = localeHomes.length ? [link(own, '/help'), ...localeHomes.map((l) => link(l, `/help/${l}`))].join('') : '';
    // Each locale's category and section pages (those with a public article translated into it), and each listing
    // page's alternates: the help centre's own and every locale that has it.
    const listed = new Map<string, string[]>();
    for (const l of localeHomes) {
      for (const c of await this.tr.tree(null, l)) {
        const sections = c.sections.filter((x) => x.articles.length);
        if (!sections.length) continue;
        listed.set(`/categories/${c.slug}`, [...(listed.get(`/categories/${c.slug}`) ?? []), l]);
        for (const x of sections) listed.set(`/sections/${x.slug}`, [...(listed.get(`/sections/${x.slug}`) ?? []), l]);
      }
    }
    const listing = (path: string) => {
      const ls = listed.get(path) ?? [];
      const links = ls.length ? [link(own, `/help${path}`), ...ls.map((l) => link(l, `/help/${l}${path}`))].join('') : '';
      return [`<url><loc>${esc(`${this.publicUrl}/help${path}`)}</loc>${links}</url>`, ...ls.map((l) => `<url><loc>${esc(`${this.publicUrl}/help/${l}${path}`)}</loc>${links}</url>`)];
    };
    const urls = [
      `<url><loc>${esc(this.publicUrl)}/help</loc>${homeLinks}</url>`,
      ...localeHomes.map((l) => `<url><loc>${esc(`${this.publicUrl}/help/${l}`)}</loc>${homeLinks}</url>`),
      ...tree.filter((c) => c.sections.some((x) => x.articles.length)).flatMap((c) => listing(`/categories/${c.slug}`)),
      ...tree.flatMap((c) => c.sections.filter((x) => x.articles.length).flatMap((x) => listing(`/sections/${x.slug}`))),
      ...rows.flatMap((r) => {
        const tr = bySlug.get(r.slug) ?? [];
        const links = tr.length ? [link(own, `/help/articles/${r.slug}`), ...tr.map((t) => link(t.locale, `/help/${t.locale}/articles/${r.slug}`))].join('') : '';
        return [
          `<url><loc>${esc(`${this.publicUrl}/help/articles/${r.slug}`)}</loc><lastmod>${r.at.toISOString()}</lastmod>${links}</url>`,
          ...tr.map((t) => `<url><loc>${esc(`${this.publicUrl}/help/${t.locale}/articles/${r.slug}`)}</loc><lastmod>${t.at.toISOString()}</lastmod>${links}</url>`),
        ];
      }),
    ];
    return `<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml">\n${urls.join('\n')}\n</urlset>\n`;
  }

  async notFound(reader: Reader, locale: Locale = null): Promise<string> {
    const s = await this.kb.settings();
    const base = HelpCentre.base(locale);
    return this.layout(s, { title: `Not found · ${s.name}`, description: 'Not found', path: base, body: `<h1>Not found</h1><p>This page does not exist${locale ? ' in this language' : ''}, or you may need to sign in to read it. <a href="/help">Back to the help centre</a></p>`, noindex: true }, reader, locale);
  }

  async problem(reader: Reader, message: string): Promise<string> {
    const s = await this.kb.settings();
    return this.layout(s, { title: `${s.name}`, description: message, path: '/help', body: `<h1>Sorry</h1><p>${esc(message)}</p><p><a href="/help">Back to the help centre</a></p>`, noindex: true }, reader, null);
  }
}

/** A search snippet: the text escaped, then the match markers (control characters) turned into <mark>. */
function snippet(h: SearchHit): string {
  return esc(h.snippet).replace(/\u0001/g, '<mark>').replace(/\u0002/g, '</mark>');
}

/** Where a search results page shows its query: as text (trimmed), in the search box, in its URL. */
type QuerySlot = 'text' | 'value' | 'url';
/** A search results page without its query's text: `parts` around `slots` (one fewer slot than parts). */
export type SearchTemplate = { parts: string[]; slots: QuerySlot[] };

/** A search results page for a reader: their own query text, escaped, in each slot. */
export function fillSearch(t: SearchTemplate, q: string): string {
  const values: Record<QuerySlot, string> = { text: esc(q.trim()), value: esc(q), url: esc(encodeURIComponent(q)) };
  let out = t.parts[0] ?? '';
  for (let i = 0; i < t.slots.length; i++) out += values[t.slots[i] as QuerySlot] + (t.parts[i + 1] ?? '');
  return out;
}
