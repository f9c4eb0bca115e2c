import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Session, startTestApp, type TestApp } from '../../testing/harness.js';
import { localeOfConfig, parseLocale, stemmerFor } from './locales.js';

describe('knowledge base translations per locale', () => {
  let t: TestApp;
  let agent: Session;
  let section: { id: string; slug: string };

  before(async () => {
    t = await startTestApp();
    agent = await t.signIn('agent');
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
    assert.match(fr.raw, /<mark>/);
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
});
