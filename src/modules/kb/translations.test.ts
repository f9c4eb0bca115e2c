import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Session, startTestApp, type TestApp } from '../../testing/harness.js';
import { localeCandidates, localeOfConfig, parseLocale, stemmerFor } from './locales.js';

describe('knowledge base translations per locale', () => {
  let t: TestApp;
  let agent: Session;
  let admin: Session;
  let section: { id: string; slug: string };
  const SETTINGS = { name: 'Help centre', intro: '', primaryColor: '#112233', accentColor: '#445566', language: 'english' };

  before(async () => {
    t = await startTestApp();
    agent = await t.signIn('agent');
    admin = await t.signIn('admin');
    const enabled = await t.as(admin).put('/api/v1/kb/settings', { ...SETTINGS, locales: ['FR', 'ja', 'pt-br', 'fr'] });
    assert.equal(enabled.status, 200, enabled.raw);
    assert.deepEqual(enabled.body.locales, ['fr', 'ja', 'pt-BR'], 'canonical, once each, sorted');
    const cat = await t.as(agent).post('/api/v1/kb/categories', { name: 'Accounts' });
    assert.equal(cat.status, 201, cat.raw);
    const sec = await t.as(agent).post('/api/v1/kb/sections', { categoryId: cat.body.id, name: 'Signing in' });
    assert.equal(sec.status, 201, sec.raw);
    section = sec.body;
  });
  after(() => t.close());

  const article = async (title: string, body: string, extra: Record<string, unknown> = {}) => {
    const res = await t.as(agent).post('/api/v1/kb/articles', { sectionId: section.id, title, body, ...extra });
    assert.equal(res.status, 201, res.raw);
    assert.equal((await t.as(agent).post(`/api/v1/kb/articles/${res.body.id}/publish`, {})).status, 200);
    return res.body as { id: string; slug: string };
  };
  const tr = (id: string, locale: string) => `/api/v1/kb/articles/${id}/translations/${locale}`;

  test('locale codes: canonical case, stemmers where PostgreSQL has them, simple otherwise', () => {
    assert.equal(parseLocale('fr'), 'fr');
    assert.equal(parseLocale('PT-br'), 'pt-BR');
    assert.equal(parseLocale('zh-hant'), 'zh-Hant');
    for (const bad of ['', 'f', 'fr_FR', 'french', 'fr-', 'en-US-x-private', '../etc', 'fr;drop']) assert.throws(() => parseLocale(bad), { code: 'INVALID_LOCALE' }, bad);
    const have = new Set(['french', 'german', 'simple']);
    assert.equal(stemmerFor('fr-CA', have), 'french');
    assert.equal(stemmerFor('ja', have), 'simple');
    assert.equal(stemmerFor('es', have), 'simple', 'spanish is not on this server');
    // A page's or browser's tag, most specific first; a malformed language is refused.
    assert.deepEqual(localeCandidates('fr-CA'), ['fr-CA', 'fr']);
    assert.deepEqual(localeCandidates('en_us'), ['en-US', 'en']);
    assert.deepEqual(localeCandidates('zh-Hant-TW'), ['zh-TW', 'zh-Hant', 'zh']);
    assert.deepEqual(localeCandidates('de-DE-u-co-phonebk'), ['de-DE', 'de']);
    for (const bad of ['', 'x', 'fr;drop', '<script>', '../fr']) assert.throws(() => localeCandidates(bad), { code: 'INVALID_LOCALE' }, bad);
    assert.equal(localeOfConfig('english'), 'en');
    assert.equal(localeOfConfig('french'), 'fr');
  });

  test('a translation has its own drafts, versions and published text; the help centre serves it at /help/<locale>/… with hreflang, <html lang> and the sitemap', async () => {
    const a = await article('Reset your password', 'Open **Settings** and choose *Reset password*.');
    // Bad locales and the help centre's own language: specific errors, nothing stored.
    for (const bad of ['fr_FR', 'français', 'x']) {
      const res = await t.as(agent).put(tr(a.id, encodeURIComponent(bad)), { title: 'T', body: 'B' });
      assert.equal(res.status, 422, `${bad}: ${res.raw}`);
      assert.equal(res.body.code, 'INVALID_LOCALE');
    }
    const own = await t.as(agent).put(tr(a.id, 'en'), { title: 'T', body: 'B' });
    assert.equal(own.status, 422);
    assert.equal(own.body.code, 'INVALID_LOCALE');
    const off = await t.as(agent).put(tr(a.id, 'de'), { title: 'T', body: 'B' });
    assert.equal(off.status, 422, off.raw);
    assert.equal(off.body.code, 'LOCALE_NOT_ENABLED');
    assert.equal(await t.count('kb_article_translations'), 0);
    assert.equal((await t.as(agent).put(tr('7a1f9a9e-7a4c-4a57-9d4e-0d1f2a3b4c5d', 'fr'), { title: 'T', body: 'B' })).body.code, 'ARTICLE_NOT_FOUND');
    assert.equal((await t.as(agent).put(tr(a.id, 'fr'), { title: '', body: 'B' })).status, 400);

    // A draft, then a second version; a save from an old version is a conflict.
    const v1 = await t.as(agent).put(tr(a.id, 'FR'), { title: 'Réinitialiser le mot de passe', body: 'Ouvrez les **Paramètres**.' });
    assert.equal(v1.status, 200, v1.raw);
    assert.equal(v1.body.locale, 'fr');
    assert.equal(v1.body.status, 'draft');
    assert.equal((await t.as(null).get(`/help/fr/articles/${a.slug}`)).status, 404, 'a draft translation is not public');
    const v2 = await t.as(agent).put(tr(a.id, 'fr'), { title: 'Réinitialiser votre mot de passe', body: 'Ouvrez les **Paramètres** et choisissez *Réinitialiser*.', version: 1 });
    assert.equal(v2.body.version, 2);
    const stale = await t.as(agent).put(tr(a.id, 'fr'), { title: 'Autre', body: 'x', version: 1 });
    assert.equal(stale.status, 409);
    assert.equal(stale.body.code, 'VERSION_CONFLICT');
    assert.equal(await t.count('kb_article_translation_versions'), 2);

    const pub = await t.as(agent).post(`${tr(a.id, 'fr')}/publish`, {});
    assert.equal(pub.status, 200, pub.raw);
    assert.equal(pub.body.status, 'published');
    const fr = await t.as(null).get(`/help/fr/articles/${a.slug}`);
    assert.equal(fr.status, 200);
    assert.match(fr.raw, /<html lang="fr">/);
    assert.match(fr.raw, /<h1>Réinitialiser votre mot de passe<\/h1>/);
    assert.match(fr.raw, /<strong>Paramètres<\/strong>/);
    assert.match(fr.raw, new RegExp(`<link rel="alternate" hreflang="en" href="http://localhost:3000/help/articles/${a.slug}">`));
    assert.match(fr.raw, new RegExp(`<link rel="alternate" hreflang="fr" href="http://localhost:3000/help/fr/articles/${a.slug}">`));
    assert.match(fr.raw, /hreflang="x-default"/);
    assert.match(fr.raw, /<form class="search" action="\/help\/fr\/search"/);
    const en = await t.as(null).get(`/help/articles/${a.slug}`);
    assert.match(en.raw, /<html lang="en">/);
    assert.match(en.raw, new RegExp(`hreflang="fr" href="http://localhost:3000/help/fr/articles/${a.slug}"`));
    // The draft goes on separately from what readers see.
    await t.as(agent).put(tr(a.id, 'fr'), { title: 'Brouillon', body: 'pas encore', version: 2 });
    assert.equal((await t.as(agent).get(tr(a.id, 'fr'))).body.status, 'published_with_changes');
    assert.match((await t.as(null).get(`/help/fr/articles/${a.slug}`)).raw, /Réinitialiser votre mot de passe/);

    // One URL per page: another case or the help centre's own language redirects; a malformed locale is a 400 page.
    const upper = await t.as(null).get(`/help/FR/articles/${a.slug}`);
    assert.equal(upper.status, 301);
    assert.equal(upper.headers.location, `/help/fr/articles/${a.slug}`);
    assert.equal((await t.as(null).get(`/help/en/articles/${a.slug}`)).headers.location, `/help/articles/${a.slug}`);
    const bad = await t.as(null).get(`/help/fr_FR/articles/${a.slug}`);
    assert.equal(bad.status, 400);
    assert.match(bad.raw, /is not a language code/);
    assert.equal((await t.as(null).get('/help/de')).status, 404, 'nothing is translated into German');

    // Home, section and the sitemap in the locale.
    const home = await t.as(null).get('/help/fr');
    assert.equal(home.status, 200);
    assert.match(home.raw, /<html lang="fr">/);
    assert.match(home.raw, /href="\/help\/fr\/sections\/signing-in"/);
    assert.match((await t.as(null).get('/help/fr/sections/signing-in')).raw, new RegExp(`href="/help/fr/articles/${a.slug}">Réinitialiser votre mot de passe<`));
    assert.match((await t.as(null).get('/help')).raw, /<link rel="alternate" hreflang="fr" href="http:\/\/localhost:3000\/help\/fr">/);
    const sitemap = (await t.as(null).get('/help/sitemap.xml')).raw;
    assert.match(sitemap, /xmlns:xhtml="http:\/\/www.w3.org\/1999\/xhtml"/);
    assert.match(sitemap, new RegExp(`<loc>http://localhost:3000/help/fr/articles/${a.slug}</loc>`));
    assert.match(sitemap, new RegExp(`<xhtml:link rel="alternate" hreflang="fr" href="http://localhost:3000/help/fr/articles/${a.slug}"/>`));

    // The vote form of a translated page comes back to it.
    const vote = await t.request('POST', `/help/articles/${a.slug}/vote`, 'helpful=yes&locale=fr', { 'content-type': 'application/x-www-form-urlencoded' });
    assert.equal(vote.status, 303);
    assert.equal(vote.headers.location, `/help/fr/articles/${a.slug}?voted=1`);

    // Unpublished, then deleted.
    assert.equal((await t.as(agent).post(`${tr(a.id, 'fr')}/unpublish`, {})).body.status, 'draft');
    assert.equal((await t.as(null).get(`/help/fr/articles/${a.slug}`)).status, 404);
    assert.equal((await t.as(agent).delete(tr(a.id, 'fr'))).status, 204);
    const gone = await t.as(agent).get(tr(a.id, 'fr'));
    assert.equal(gone.status, 404);
    assert.equal(gone.body.code, 'TRANSLATION_NOT_FOUND');
    assert.equal(await t.count('kb_article_translation_versions'), 0);
  });

  test("search in a locale uses its stemming (French), 'simple' where PostgreSQL has none; visibility is the article's", async () => {
    const a = await article('Export a report', 'Open Reports and choose Export.');
    await t.as(agent).put(tr(a.id, 'fr'), { title: 'Exporter un rapport', body: 'Les rapports mensuels se téléchargent depuis les paramètres.' });
    await t.as(agent).post(`${tr(a.id, 'fr')}/publish`, {});
    await t.as(agent).put(tr(a.id, 'ja'), { title: 'レポート エクスポート', body: '設定 から レポート を ダウンロード' });
    await t.as(agent).post(`${tr(a.id, 'ja')}/publish`, {});
    // "paramètres" is found as "parametre" only through the French stemmer (parametr: plural and accent folded).
    const fr = await t.as(null).get(`/help/fr/search?q=${encodeURIComponent('parametre mensuel')}`);
    assert.equal(fr.status, 200);
    assert.match(fr.raw, /1 result for/);
    assert.match(fr.raw, new RegExp(`href="/help/fr/articles/${a.slug}">Exporter un rapport<`));
    // The snippet is cut in the server with the French stemmer: both words marked in their own spelling.
    assert.match(fr.raw, /Les rapports <mark>mensuels<\/mark> se téléchargent depuis les <mark>paramètres<\/mark></);
    assert.match((await t.as(null).get(`/help/search?q=${encodeURIComponent('parametre mensuel')}`)).raw, /No results/, 'the English help centre does not search French text');
    // A typo in a translated title, by trigram.
    assert.match((await t.as(null).get(`/help/fr/search?q=${encodeURIComponent('exporteur rapport')}`)).raw, /Exporter un rapport/);
    // Japanese has no stemmer here: 'simple' still finds whole words.
    assert.match((await t.as(null).get(`/help/ja/search?q=${encodeURIComponent('ダウンロード')}`)).raw, /レポート エクスポート/);
    assert.equal((await t.as(null).get(`/help/fr/search?q=${'a'.repeat(201)}`)).status, 400);

    // An internal article's translation is for staff only, like the article.
    const internal = await article('Internal runbook', 'Only staff.', { visibility: 'internal' });
    await t.as(agent).put(tr(internal.id, 'fr'), { title: 'Procédure interne', body: 'Seulement le personnel.' });
    await t.as(agent).post(`${tr(internal.id, 'fr')}/publish`, {});
    assert.equal((await t.as(null).get(`/help/fr/articles/${internal.slug}`)).status, 404);
    assert.equal((await t.as(agent).get(`/help/fr/articles/${internal.slug}`)).status, 200);
    assert.doesNotMatch((await t.as(null).get('/help/fr/search?q=procedure%20interne')).raw, /Procédure interne/);
    assert.doesNotMatch((await t.as(null).get('/help/sitemap.xml')).raw, new RegExp(internal.slug));
    const list = await t.as(agent).get(`/api/v1/kb/articles/${a.id}/translations`);
    assert.deepEqual(
      list.body.items.map((x: { locale: string }) => x.locale),
      ['fr', 'ja'],
    );
  });

  test('the enabled languages: canonical codes, never the own language, none switched off while published in it; nothing changed by a refusal', async () => {
    const before = (await t.as(admin).get('/api/v1/kb/settings')).body;
    for (const [locales, code] of [
      [['fr', 'x_y'], 'INVALID_LOCALE'],
      [['fr', 'en'], 'INVALID_LOCALE'],
    ] as const) {
      const res = await t.as(admin).put('/api/v1/kb/settings', { ...SETTINGS, locales });
      assert.equal(res.status, 422, res.raw);
      assert.equal(res.body.code, code);
    }
    const a = await article('Change your email', 'Open **Profile**.');
    await t.as(agent).put(tr(a.id, 'pt-BR'), { title: 'Alterar seu e-mail', body: 'Abra o **Perfil**.' });
    await t.as(agent).post(`${tr(a.id, 'pt-BR')}/publish`, {});
    const off = await t.as(admin).put('/api/v1/kb/settings', { ...SETTINGS, locales: ['fr', 'ja'] });
    assert.equal(off.status, 409, off.raw);
    assert.equal(off.body.code, 'LOCALE_IN_USE');
    assert.deepEqual((await t.as(admin).get('/api/v1/kb/settings')).body.locales, before.locales);
    await t.as(agent).post(`${tr(a.id, 'pt-BR')}/unpublish`, {});
  });

  test('category and section names per language: the pages, breadcrumbs, search and sitemap in that language use them, else the own names; bad input changes nothing', async () => {
    const cat = await t.as(agent).post('/api/v1/kb/categories', { name: 'Billing', description: 'Money matters' });
    const sec = await t.as(agent).post('/api/v1/kb/sections', { categoryId: cat.body.id, name: 'Invoices' });
    const a = await t.as(agent).post('/api/v1/kb/articles', { sectionId: sec.body.id, title: 'Download an invoice', body: 'Open Billing.' });
    await t.as(agent).post(`/api/v1/kb/articles/${a.body.id}/publish`, {});
    await t.as(agent).put(tr(a.body.id, 'fr'), { title: 'Télécharger une facture', body: 'Ouvrez la facturation.' });
    await t.as(agent).post(`${tr(a.body.id, 'fr')}/publish`, {});
    // Before any name in French, the French pages fall back to the own names (and are cached for anonymous readers).
    assert.match((await t.as(null).get('/help/fr/categories/billing')).raw, /<h1>Billing<\/h1>/);

    const catName = `/api/v1/kb/categories/${cat.body.id}/translations`;
    const secName = `/api/v1/kb/sections/${sec.body.id}/translations`;
    const refusals: [string, unknown, number, string][] = [
      [`${catName}/fr_FR`, { name: 'Facturation' }, 422, 'INVALID_LOCALE'],
      [`${catName}/de`, { name: 'Abrechnung' }, 422, 'LOCALE_NOT_ENABLED'],
      [`${catName}/en`, { name: 'Billing' }, 422, 'INVALID_LOCALE'],
      [`${catName}/fr`, { name: '   ' }, 400, 'VALIDATION_FAILED'],
      ['/api/v1/kb/categories/7a1f9a9e-7a4c-4a57-9d4e-0d1f2a3b4c5d/translations/fr', { name: 'Facturation' }, 404, 'CATEGORY_NOT_FOUND'],
      [`/api/v1/kb/sections/${cat.body.id}/translations/fr`, { name: 'Factures' }, 404, 'SECTION_NOT_FOUND'],
    ];
    for (const [url, body, status, code] of refusals) {
      const res = await t.as(agent).put(url, body);
      assert.equal(res.status, status, `${url}: ${res.raw}`);
      assert.equal(res.body.code, code, url);
    }
    assert.equal(await t.count('kb_category_translations'), 0);
    assert.equal(await t.count('kb_section_translations'), 0);

    const put = await t.as(agent).put(`${catName}/FR`, { name: 'Facturation', description: "L'argent" });
    assert.equal(put.status, 200, put.raw);
    assert.equal(put.body.locale, 'fr');
    assert.equal((await t.as(agent).put(`${secName}/fr`, { name: 'Factures' })).status, 200);
    assert.deepEqual(
      (await t.as(agent).get(catName)).body.items.map((x: { locale: string; name: string }) => [x.locale, x.name]),
      [['fr', 'Facturation']],
    );
    // Every French page shows them at once (the cached page was cleared); the English pages keep the own names.
    const category = (await t.as(null).get('/help/fr/categories/billing')).raw;
    assert.match(category, /<h1>Facturation<\/h1>/);
    assert.match(category, /L&#39;argent|L'argent/);
    assert.match(category, /href="\/help\/fr\/sections\/invoices">Factures</);
    assert.match((await t.as(null).get('/help/fr')).raw, /href="\/help\/fr\/categories\/billing">Facturation</);
    assert.match((await t.as(null).get('/help/fr/sections/invoices')).raw, /› <a href="\/help\/fr\/categories\/billing">Facturation<\/a><\/p><h1>Factures<\/h1>/);
    assert.match((await t.as(null).get(`/help/fr/articles/${a.body.slug}`)).raw, /<a href="\/help\/fr\/categories\/billing">Facturation<\/a> › <a href="\/help\/fr\/sections\/invoices">Factures<\/a>/);
    assert.match((await t.as(null).get('/help/fr/search?q=facture')).raw, /· Factures/);
    assert.match((await t.as(null).get('/help/categories/billing')).raw, /<h1>Billing<\/h1>/);
    // The sitemap lists the French category and section pages, each with its alternates.
    const sitemap = (await t.as(null).get('/help/sitemap.xml')).raw;
    assert.match(sitemap, /<loc>http:\/\/localhost:3000\/help\/fr\/categories\/billing<\/loc><xhtml:link rel="alternate" hreflang="en" href="http:\/\/localhost:3000\/help\/categories\/billing"\/>/);
    assert.match(sitemap, /<loc>http:\/\/localhost:3000\/help\/fr\/sections\/invoices<\/loc>/);

    // Removed: the own name again. A name never set is not found.
    assert.equal((await t.as(agent).delete(`${secName}/fr`)).status, 204);
    assert.match((await t.as(null).get('/help/fr/sections/invoices')).raw, /<h1>Invoices<\/h1>/);
    const gone = await t.as(agent).delete(`${secName}/fr`);
    assert.equal(gone.status, 404);
    assert.equal(gone.body.code, 'TRANSLATION_NOT_FOUND');
    assert.equal(await t.count('kb_category_translations'), 1, "the category's French name stays");
  });

  test("a translated page's related articles: only those published in its language, under their translated titles; unpublishing one takes it off the cached page at once", async () => {
    const main = await article('Travel expenses policy', 'How travel expenses are paid.');
    const other = await article('Travel booking', 'Book travel through the portal.');
    const untranslated = await article('Travel insurance', 'Insurance while travelling.');
    assert.equal((await t.as(agent).put(`/api/v1/kb/articles/${main.id}/related`, { ids: [untranslated.id, other.id] })).status, 200);
    for (const [a, title] of [
      [main, 'Politique de frais de voyage'],
      [other, 'Réserver un voyage'],
    ] as const) {
      await t.as(agent).put(tr(a.id, 'fr'), { title, body: 'Voyage.' });
      assert.equal((await t.as(agent).post(`${tr(a.id, 'fr')}/publish`, {})).status, 200);
    }
    const related = async (path: string) => {
      const res = await t.as(null).get(path);
      assert.equal(res.status, 200, res.raw);
      const nav = res.raw.slice(res.raw.indexOf('Related articles'));
      return [...nav.matchAll(/<li><a href="([^"]+)">([^<]+)</g)].map((m) => `${m[1]} ${m[2]}`);
    };
    assert.deepEqual((await related(`/help/fr/articles/${main.slug}`)).slice(0, 1), [`/help/fr/articles/${other.slug} Réserver un voyage`]);
    assert.ok(!(await related(`/help/fr/articles/${main.slug}`)).some((l) => l.includes(untranslated.slug)), 'an article not translated into French is not linked from the French page');
    assert.deepEqual((await related(`/help/articles/${main.slug}`)).slice(0, 2), [`/help/articles/${untranslated.slug} Travel insurance`, `/help/articles/${other.slug} Travel booking`]);
    // The pages above are cached; unpublishing changes them at once.
    assert.equal((await t.as(agent).post(`${tr(other.id, 'fr')}/unpublish`, {})).status, 200);
    assert.ok(!(await related(`/help/fr/articles/${main.slug}`)).some((l) => l.includes(other.slug)), 'an unpublished translation is no longer linked');
    assert.equal((await t.as(agent).post(`/api/v1/kb/articles/${untranslated.id}/unpublish`, {})).status, 200);
    assert.ok(!(await related(`/help/articles/${main.slug}`)).some((l) => l.includes(untranslated.slug)), 'an unpublished article is no longer linked');
    assert.equal((await t.as(null).get(`/help/articles/${untranslated.slug}`)).status, 404);
    const alternates = (await t.as(null).get(`/help/articles/${other.slug}`)).raw;
    assert.doesNotMatch(alternates, /hreflang="fr"/, 'nor listed as an alternate language');
  });

  test("suggestions in the customer's language: an enabled one (or its language without the region) links to its pages; another falls back; a malformed one is refused", async () => {
    const a = await article('Cancel a subscription', 'Open Plans and choose Cancel.');
    await t.as(agent).put(tr(a.id, 'fr'), { title: 'Résilier un abonnement', body: 'Ouvrez Offres et choisissez Résilier.' });
    await t.as(agent).post(`${tr(a.id, 'fr')}/publish`, {});
    const suggest = (q: string, locale?: string) => t.as(null).get(`/api/v1/kb/suggest?q=${encodeURIComponent(q)}${locale === undefined ? '' : `&locale=${encodeURIComponent(locale)}`}`);
    for (const locale of ['fr', 'fr-CA', 'fr_FR']) {
      const res = await suggest('résilier abonn', locale);
      assert.equal(res.status, 200, res.raw);
      assert.deepEqual(
        res.body.items.map((i: { title: string; url: string }) => [i.title, i.url]),
        [['Résilier un abonnement', `http://localhost:3000/help/fr/articles/${a.slug}`]],
        locale,
      );
    }
    // German is not enabled, English is the help centre's own: both get the own articles and URLs.
    for (const locale of ['de-DE', 'en-GB', '']) {
      const res = await suggest('cancel subscr', locale);
      assert.deepEqual(
        res.body.items.map((i: { url: string }) => i.url),
        [`http://localhost:3000/help/articles/${a.slug}`],
        locale,
      );
    }
    const bad = await suggest('cancel', 'fr;drop');
    assert.equal(bad.status, 422);
    assert.equal(bad.body.code, 'INVALID_LOCALE');
    // Cached per language: the French answer is not served for English, nor the other way round. French words find
    // nothing in English; English words in a French form find the English article, labelled English.
    assert.equal((await suggest('résilier abonn')).body.items.length, 0);
    const topped = await suggest('cancel subscr', 'fr');
    assert.equal(topped.body.locale, 'fr');
    assert.deepEqual(
      topped.body.items.map((i: { url: string; locale: string }) => [i.url, i.locale]),
      [[`http://localhost:3000/help/articles/${a.slug}`, 'en']],
    );
  });

  test('suggestions in a language with few translations are topped up with the help centre\'s own articles, each saying its language (portal and widget)', async () => {
    const words = ['Pause', 'Resume', 'Upgrade', 'Downgrade'].map((w) => `${w} a membership plan`);
    const own = [];
    for (const title of words) own.push(await article(title, `How to ${title.toLowerCase()}.`));
    const [pause] = own as [{ id: string; slug: string }];
    await t.as(agent).put(tr(pause.id, 'fr'), { title: "Suspendre l'adhésion membership", body: 'Suspendre.' });
    await t.as(agent).post(`${tr(pause.id, 'fr')}/publish`, {});
    const res = await t.as(null).get(`/api/v1/kb/suggest?q=${encodeURIComponent('membership pla')}&locale=fr-CA`);
    assert.equal(res.status, 200, res.raw);
    assert.equal(res.body.locale, 'fr');
    const items = res.body.items as { id: string; url: string; locale: string }[];
    assert.equal(items.length, 3, 'three, the French one and two of the help centre\'s own');
    assert.deepEqual(items[0], { ...items[0], id: pause.id, locale: 'fr', url: `http://localhost:3000/help/fr/articles/${pause.slug}` });
    assert.ok(items.slice(1).every((i) => i.locale === 'en' && i.url.startsWith('http://localhost:3000/help/articles/') && i.id !== pause.id), JSON.stringify(items));
    // A language with enough translations is not topped up; the help centre's own language is answered as such.
    const en = await t.as(null).get(`/api/v1/kb/suggest?q=${encodeURIComponent('membership pla')}`);
    assert.equal(en.body.locale, 'en');
    assert.ok(en.body.items.every((i: { locale: string }) => i.locale === 'en'));
    // The widget answers the same way.
    const site = await t.as(admin).post('/api/v1/widget/sites', { name: 'App', allowedOrigins: ['https://app.example.com'] });
    assert.equal(site.status, 201, site.raw);
    const w = await t.app.inject({ method: 'GET', url: `/api/v1/widget/${site.body.siteKey}/suggest?q=${encodeURIComponent('membership pla')}&locale=fr`, headers: { origin: 'https://app.example.com' } });
    assert.equal(w.statusCode, 200, w.body);
    const answer = JSON.parse(w.body) as { locale: string; items: { locale: string }[] };
    assert.equal(answer.locale, 'fr');
    assert.deepEqual(
      answer.items.map((i) => i.locale),
      ['fr', 'en', 'en'],
    );
  });

  test("the email auto-reply lists articles in the requester's language (Accept-Language, else Content-Language), topped up with the help centre's own, labelled; a malformed header gets the own", async () => {
    const a = await article('Update billing address', 'Open Billing and edit the address.');
    const b = await article('Billing address for invoices', 'Invoices use the billing address.');
    await t.as(agent).put(tr(a.id, 'fr'), { title: "Modifier l'adresse de facturation", body: "Ouvrez Facturation et modifiez l'adresse." });
    await t.as(agent).post(`${tr(a.id, 'fr')}/publish`, {});
    const smtp = await t.smtp();
    const ack = async (subject: string, text: string, headers: Record<string, string>) => {
      await smtp.send({ from: 'renee@example.fr', to: 'support@localhost', subject, text, headers });
      await t.runJobs();
      const items = (await t.as(admin).get('/api/v1/outbox?limit=200')).body.items as { id: string; kind: string; subject: string }[];
      const mine = items.find((m) => m.kind === 'auto_reply' && m.subject.includes(subject));
      assert.ok(mine, `an auto-reply to ${subject}`);
      return (await t.as(admin).get(`/api/v1/outbox/${mine.id}/raw`)).raw.replace(/=\r?\n/g, '');
    };
    const fr = await ack("Modifier l'adresse de facturation billing address", 'Bonjour', { 'Accept-Language': 'fr-FR, en;q=0.8' });
    assert.match(fr, new RegExp(`adresse de facturation: http://localhost:3000/help/fr/articles/${a.slug}`));
    assert.match(fr, new RegExp(`Billing address for invoices \\(English\\): http://localhost:3000/help/articles/${b.slug}`));
    assert.doesNotMatch(fr, new RegExp(`help/articles/${a.slug}\\b`), 'the French one is not listed again in English');
    const byContent = await ack("Adresse de facturation a changer billing address", 'Merci', { 'Content-Language': 'fr' });
    assert.match(byContent, new RegExp(`/help/fr/articles/${a.slug}`));
    const malformed = await ack('Update billing address please', 'Thanks', { 'Accept-Language': '../fr!' });
    assert.match(malformed, new RegExp(`Update billing address: http://localhost:3000/help/articles/${a.slug}`));
    assert.doesNotMatch(malformed, /\(English\)/, 'no label when the articles are in the language asked');
  });

  test('with review required a translation is submitted, sent back and approved by another agent; the submitter cannot approve; a save withdraws the review', async () => {
    const a = await article('Merge two accounts', 'Write to support.');
    const reviewer = await t.signIn('agent');
    await t.as(admin).put('/api/v1/kb/settings', { ...SETTINGS, locales: ['fr', 'ja', 'pt-BR'], requireReview: true });
    try {
      await t.as(agent).put(tr(a.id, 'fr'), { title: 'Fusionner deux comptes', body: 'Écrivez au support.' });
      const direct = await t.as(agent).post(`${tr(a.id, 'fr')}/publish`, {});
      assert.equal(direct.status, 422);
      assert.equal(direct.body.code, 'REVIEW_REQUIRED');
      assert.equal((await t.as(reviewer).post(`${tr(a.id, 'fr')}/review/approve`, {})).body.code, 'REVIEW_NOT_REQUESTED');

      const submitted = await t.as(agent).post(`${tr(a.id, 'fr')}/review`, {});
      assert.equal(submitted.status, 200, submitted.raw);
      assert.equal(submitted.body.reviewVersion, 1);
      const own = await t.as(agent).post(`${tr(a.id, 'fr')}/review/approve`, {});
      assert.equal(own.status, 403);
      assert.equal(own.body.code, 'REVIEW_BY_SUBMITTER');
      assert.equal((await t.as(reviewer).post(`${tr(a.id, 'fr')}/review/changes`, { note: '' })).status, 400);
      const back = await t.as(reviewer).post(`${tr(a.id, 'fr')}/review/changes`, { note: 'Dites comment écrire.' });
      assert.equal(back.body.reviewVersion, null);
      assert.equal(back.body.changesRequested, 'Dites comment écrire.');
      assert.equal(back.body.changesRequestedBy, reviewer.user.id);
      assert.equal((await t.as(null).get(`/help/fr/articles/${a.slug}`)).status, 404, 'nothing published yet');

      // Submitted again, then saved: the review is withdrawn (the reviewer would approve text they did not read).
      await t.as(agent).put(tr(a.id, 'fr'), { title: 'Fusionner deux comptes', body: 'Écrivez au support depuis le portail.', version: 1 });
      await t.as(agent).post(`${tr(a.id, 'fr')}/review`, {});
      const saved = await t.as(agent).put(tr(a.id, 'fr'), { title: 'Fusionner deux comptes', body: 'Écrivez au support depuis le portail, onglet Aide.', version: 2 });
      assert.equal(saved.body.reviewVersion, null);
      assert.equal((await t.as(reviewer).post(`${tr(a.id, 'fr')}/review/approve`, {})).body.code, 'REVIEW_NOT_REQUESTED');
      await t.as(agent).post(`${tr(a.id, 'fr')}/review`, {});
      const approved = await t.as(reviewer).post(`${tr(a.id, 'fr')}/review/approve`, {});
      assert.equal(approved.status, 200, approved.raw);
      assert.equal(approved.body.status, 'published');
      assert.equal(approved.body.publishedVersion, 3);
      assert.equal(approved.body.reviewVersion, null);
      assert.match((await t.as(null).get(`/help/fr/articles/${a.slug}`)).raw, /onglet Aide/);
      assert.equal((await t.as(agent).post(`${tr(a.id, 'fr')}/review`, {})).body.code, 'REVIEW_NOTHING_TO_REVIEW');
    } finally {
      await t.as(admin).put('/api/v1/kb/settings', { ...SETTINGS, locales: ['fr', 'ja', 'pt-BR'] });
    }
  });

  test("a translation's versions: the diff of two, restoring one as a new draft version; a version of another translation or article is not found and nothing changes", async () => {
    const a = await article('Invite a colleague', 'Open Team.');
    const b = await article('Remove a colleague', 'Open Team.');
    await t.as(agent).put(tr(a.id, 'fr'), { title: 'Inviter un collègue', body: 'Ouvrez Équipe.\nChoisissez Inviter.' });
    await t.as(agent).put(tr(a.id, 'fr'), { title: 'Inviter un collègue', body: 'Ouvrez Équipe.\nChoisissez Ajouter.', version: 1 });
    for (let v = 1; v <= 3; v++) await t.as(agent).put(tr(a.id, 'ja'), { title: `招待 ${v}`, body: `チーム ${v}`, ...(v > 1 ? { version: v - 1 } : {}) });
    await t.as(agent).put(tr(b.id, 'fr'), { title: 'Retirer', body: 'x' });

    const versions = await t.as(agent).get(`${tr(a.id, 'fr')}/versions`);
    assert.deepEqual(
      versions.body.items.map((v: { version: number }) => v.version),
      [2, 1],
    );
    const diff = await t.as(agent).get(`${tr(a.id, 'fr')}/diff?from=1&to=2`);
    assert.equal(diff.status, 200, diff.raw);
    assert.equal(diff.body.lines[0].text, 'Ouvrez Équipe.');
    assert.ok(diff.body.lines.some((l: { op: string; text: string }) => l.op === '-' && l.text === 'Choisissez Inviter.'));
    assert.ok(diff.body.lines.some((l: { op: string; text: string }) => l.op === '+' && l.text === 'Choisissez Ajouter.'));

    // Version 3 exists for the Japanese translation and version 2 for neither the other article's French: not found here.
    const before = await t.count('kb_article_translation_versions');
    for (const url of [`${tr(a.id, 'fr')}/versions/3/restore`, `${tr(b.id, 'fr')}/versions/2/restore`]) {
      const res = await t.as(agent).post(url, {});
      assert.equal(res.status, 404, `${url}: ${res.raw}`);
      assert.equal(res.body.code, 'TRANSLATION_VERSION_NOT_FOUND');
    }
    assert.equal((await t.as(agent).get(`${tr(a.id, 'fr')}/diff?from=1&to=3`)).body.code, 'TRANSLATION_VERSION_NOT_FOUND');
    assert.equal((await t.as(agent).post(`${tr(a.id, 'de')}/versions/1/restore`, {})).body.code, 'TRANSLATION_NOT_FOUND');
    assert.equal((await t.as(agent).post(`${tr(a.id, 'fr')}/versions/0/restore`, {})).status, 400);
    assert.equal(await t.count('kb_article_translation_versions'), before);
    assert.equal((await t.as(agent).get(tr(a.id, 'fr'))).body.version, 2);

    // Restoring version 1 makes a version 3 with its text; versions 1 and 2 stay as they were.
    const restored = await t.as(agent).post(`${tr(a.id, 'fr')}/versions/1/restore`, {});
    assert.equal(restored.status, 200, restored.raw);
    assert.equal(restored.body.version, 3);
    assert.equal(restored.body.body, 'Ouvrez Équipe.\nChoisissez Inviter.');
    assert.equal((await t.as(agent).get(`${tr(a.id, 'fr')}/versions`)).body.items.length, 3);
    assert.equal((await t.as(agent).get(`${tr(a.id, 'fr')}/diff?from=2&to=3`)).body.lines.filter((l: { op: string }) => l.op !== '=').length, 2);
  });
});
