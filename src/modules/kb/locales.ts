import { AppError } from '../../platform/errors.js';

/**
 * Locales of article translations: BCP 47 language tags of a language and an optional region or script
 * (`fr`, `pt-BR`, `zh-Hant`), kept in their canonical case. Anything else is INVALID_LOCALE, so a URL or a row
 * never carries a tag a browser or a search engine would read differently.
 */
const TAG = /^([a-zA-Z]{2,3})(?:-([a-zA-Z]{4}|[a-zA-Z]{2}|[0-9]{3}))?$/;

export function parseLocale(raw: string, field = 'params.locale'): string {
  const m = TAG.exec(raw);
  if (!m) throw new AppError('INVALID_LOCALE', `“${raw.slice(0, 40)}” is not a language code such as fr, de or pt-BR`, { fields: [{ path: field, message: 'a language code such as fr, de or pt-BR' }] });
  const lang = (m[1] as string).toLowerCase();
  const sub = m[2];
  if (!sub) return lang;
  return `${lang}-${sub.length === 4 ? sub[0]?.toUpperCase() + sub.slice(1).toLowerCase() : sub.toUpperCase()}`;
}

/** A locale's well-formedness without throwing (the help centre's URLs: a bad one is a 404 page, not a problem+json). */
export function isLocale(raw: string): boolean {
  return TAG.test(raw);
}

/**
 * The locales a customer's page may mean by a language tag, most specific first: `pt-BR` then `pt`; `zh-Hant-TW`
 * as `zh-TW`, `zh-Hant`, `zh`; `en_US` (as some systems write it) as `en-US`. Extensions past the region are ignored.
 * A tag whose language is not 2–3 letters is INVALID_LOCALE.
 */
export function localeCandidates(raw: string, field = 'params.locale'): string[] {
  const parts = raw.trim().split(/[-_]/);
  const lang = parseLocale(parts[0] ?? '', field);
  const out: string[] = [];
  if (parts[1] && TAG.test(`${lang}-${parts[1]}`)) {
    const withSub = parseLocale(`${lang}-${parts[1]}`, field);
    if (parts[2] && TAG.test(`${lang}-${parts[2]}`)) out.push(parseLocale(`${lang}-${parts[2]}`, field));
    out.push(withSub);
  }
  out.push(lang);
  return out;
}

/** PostgreSQL's text-search configurations (snowball stemmers) by language code; others search with 'simple'. */
const STEMMERS: Record<string, string> = {
  ar: 'arabic',
  hy: 'armenian',
  eu: 'basque',
  ca: 'catalan',
  da: 'danish',
  nl: 'dutch',
  en: 'english',
  fi: 'finnish',
  fr: 'french',
  de: 'german',
  el: 'greek',
  hi: 'hindi',
  hu: 'hungarian',
  id: 'indonesian',
  ga: 'irish',
  it: 'italian',
  lt: 'lithuanian',
  ne: 'nepali',
  nb: 'norwegian',
  nn: 'norwegian',
  no: 'norwegian',
  pt: 'portuguese',
  ro: 'romanian',
  ru: 'russian',
  sr: 'serbian',
  es: 'spanish',
  sv: 'swedish',
  ta: 'tamil',
  tr: 'turkish',
  yi: 'yiddish',
};

/** The text-search configuration for a locale, when the server has it (`available`), else 'simple'. */
export function stemmerFor(locale: string, available: ReadonlySet<string>): string {
  const cfg = STEMMERS[locale.split('-')[0] as string];
  return cfg && available.has(cfg) ? cfg : 'simple';
}

/** The language code of the help centre's own text-search configuration (its untranslated articles), for `<html lang>`. */
export function localeOfConfig(config: string): string {
  if (config === 'simple') return 'en';
  return Object.entries(STEMMERS).find(([, c]) => c === config)?.[0] ?? 'und';
}

/** A language's name in English ("English", "French", "Brazilian Portuguese"): how a mail labels an article in another language. */
export function languageName(locale: string): string {
  try {
    return new Intl.DisplayNames(['en'], { type: 'language' }).of(locale) ?? locale;
  } catch {
    return locale;
  }
}
