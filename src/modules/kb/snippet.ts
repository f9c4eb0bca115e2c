import { sql } from 'drizzle-orm';
import { type Executor, rowsOf } from '../../db/client.js';

/** Marks around a matched word in a snippet (help-centre.ts turns them into <mark> after escaping the text). */
export const MARK_START = '\u0001';
export const MARK_END = '\u0002';
/** A snippet is at most this many words, at least this many when nothing matches (ts_headline's MaxWords, MinWords). */
const MAX_WORDS = 30;
const MIN_WORDS = 12;
/** Words shown before the first match, so it is read in context. */
const LEAD_WORDS = 3;
/** Distinct words whose lexemes are kept per process: a help centre's vocabulary, not its every text. */
const MAX_KNOWN_WORDS = 100_000;

const WORD = /[\p{L}\p{N}]+/gu;

/**
 * Search-result snippets with the query's words marked, as `ts_headline` made them — but built here, because
 * `ts_headline` parses and stems every word of every hit's text on each search (about 9 ms of database CPU for a
 * page of 20 hits at 1,500 characters each: more than finding and ranking the hits). Here a word is stemmed by
 * PostgreSQL once per process (the same text search configuration, so "synced" matches "sync" as before), then
 * remembered: a help centre's texts share one vocabulary, so after the first searches a snippet costs no query.
 */
export class Snippets {
  /** `config|word` → the word's lexemes (none for a stop word). */
  private readonly known = new Map<string, string[]>();

  constructor(private readonly db: Executor) {}

  /** The lexemes of each word, stemming in one statement the words not yet known. */
  private async lexemes(config: string, words: Iterable<string>): Promise<(word: string) => string[]> {
    const missing = [...new Set([...words].filter((w) => !this.known.has(`${config}|${w}`)))];
    if (missing.length) {
      const rows = rowsOf<{ w: string; lx: string[] }>(
        await this.db.execute(sql`select w, tsvector_to_array(to_tsvector(${config}::regconfig, w)) as lx from jsonb_array_elements_text(${JSON.stringify(missing)}::jsonb) w`),
      );
      for (const r of rows) {
        if (this.known.size >= MAX_KNOWN_WORDS) this.known.delete(this.known.keys().next().value as string);
        this.known.set(`${config}|${r.w}`, r.lx);
      }
    }
    return (w) => this.known.get(`${config}|${w}`) ?? [];
  }

  /** For each text, its best window of words for `query` (normalised: words separated by spaces), matches marked. */
  async highlight(config: string, query: string, texts: string[]): Promise<string[]> {
    const tokenised = texts.map((t) => [...t.matchAll(WORD)].map((m) => ({ word: (m[0] as string).toLowerCase(), start: m.index as number, end: (m.index as number) + (m[0] as string).length })));
    const queryWords = query.split(' ').filter(Boolean);
    const lx = await this.lexemes(config, [...queryWords, ...tokenised.flatMap((ws) => ws.map((w) => w.word))]);
    const wanted = new Set(queryWords.flatMap(lx));
    return texts.map((text, i) => {
      const words = tokenised[i] ?? [];
      const hit = words.map((w) => lx(w.word).find((l) => wanted.has(l)) ?? null);
      const [from, to] = bestWindow(hit);
      if (from >= to) return '';
      let out = '';
      for (let k = from; k < to; k++) {
        const w = words[k] as (typeof words)[number];
        const next = words[k + 1];
        const word = text.slice(w.start, w.end);
        out += hit[k] ? `${MARK_START}${word}${MARK_END}` : word;
        if (k + 1 < to && next) out += text.slice(w.end, next.start);
      }
      return out;
    });
  }
}

/**
 * Which words to show, [from, to): the window of at most MAX_WORDS with the most distinct query lexemes, then the
 * most matches, the earliest on a tie, starting LEAD_WORDS before its first match; the first MIN_WORDS when none match.
 */
export function bestWindow(hit: (string | null)[]): [number, number] {
  let best: { from: number; distinct: number; count: number } | null = null;
  for (let from = 0; from < hit.length; from++) {
    if (!hit[from]) continue;
    const inWindow = hit.slice(from, from + MAX_WORDS - LEAD_WORDS).filter((h): h is string => h !== null);
    const distinct = new Set(inWindow).size;
    if (!best || distinct > best.distinct || (distinct === best.distinct && inWindow.length > best.count)) best = { from, distinct, count: inWindow.length };
  }
  if (!best) return [0, Math.min(hit.length, MIN_WORDS)];
  const from = Math.max(0, best.from - LEAD_WORDS);
  return [from, Math.min(hit.length, from + MAX_WORDS)];
}
