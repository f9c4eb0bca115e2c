import type { TopicTicket } from '../tickets/topics.queries.js';

/** A group of similar tickets, with the reasons they were put together. */
export type TopicGroup = {
  key: string;
  /** The subject words (stemmed) every ticket of the group has. */
  words: string[];
  /** A readable label: the most common subject among the group's tickets. */
  label: string;
  /** How many tickets the group holds; `tickets` lists the newest 50. */
  count: number;
  tickets: TopicTicket[];
  explanation: TopicExplanation;
};
export type TopicExplanation = {
  sharedWords: string[];
  /** Misspellings folded into a word by trigram similarity ("pasword" → "password"). */
  typos: { from: string; to: string }[];
  /** Words that at least 60 % of the first messages share. */
  bodyWords: string[];
  /** The type most tickets have, and how many have it. */
  type: { key: string; count: number } | null;
  tags: { tag: string; count: number }[];
};

// A subject word in more than this share of all tickets says nothing about a topic ("help", "issue"), once there
// are enough tickets to tell (in a small desk's month every word is "common").
const TOO_COMMON = 0.3;
const TOO_COMMON_FROM = 50;
// Words folded into a more frequent word need this trigram similarity (pg_trgm's default threshold is 0.3; typos of one
// letter in words of six or more letters score about 0.5).
const TYPO_SIMILARITY = 0.5;
const FEATURES_PER_TICKET = 4;
const MAX_LISTED_PER_GROUP = 50;

/**
 * Groups tickets by what they are about, in one pass over words (no pairwise comparison, so 100,000 tickets take
 * seconds):
 *  1. the subject's stemmed words (PostgreSQL full-text lexemes); rare words that are a typo of a common one
 *     (trigram similarity ≥ 0.5) count as that word;
 *  2. each ticket's most distinctive words (rarest first, words in over 30 % of 50 or more tickets dropped) make candidate
 *     keys: every pair of its top four, or the one word when it has one;
 *  3. each ticket joins the candidate key the most tickets share (ties: the more distinctive), so a ticket is in
 *     exactly one group and groups never chain into one another;
 *  4. a group's explanation: the words its subjects share, typos folded, its type and tags (the words its first
 *     messages share are added by the caller, who reads them for the listed tickets only: sharedBodyWords).
 * Returns groups of at least `minSize` tickets, the largest first.
 */
export function groupTickets(rows: TopicTicket[], minSize = 2): TopicGroup[] {
  const df = new Map<string, number>();
  for (const r of rows) for (const w of new Set(r.subjectWords)) df.set(w, (df.get(w) ?? 0) + 1);
  const typos = typoMap(df);
  const limit = Math.max(TOO_COMMON_FROM, rows.length * TOO_COMMON);
  const folded = new Map<string, number>();
  const features = rows.map((r) => {
    const words = [...new Set(r.subjectWords.map((w) => typos.get(w) ?? w))].filter((w) => w.length > 1 && !/^\d+$/.test(w));
    return words;
  });
  for (const ws of features) for (const w of ws) folded.set(w, (folded.get(w) ?? 0) + 1);
  const candidates = features.map((ws) => {
    const top = ws
      .filter((w) => (folded.get(w) ?? 0) >= 2 && (folded.get(w) ?? 0) <= limit)
      .sort((a, b) => (folded.get(a) ?? 0) - (folded.get(b) ?? 0) || (a < b ? -1 : 1))
      .slice(0, FEATURES_PER_TICKET);
    if (top.length === 1) return [top[0] as string];
    const keys: string[] = [];
    for (let i = 0; i < top.length; i++) for (let j = i + 1; j < top.length; j++) keys.push([top[i], top[j]].sort().join(' '));
    return keys;
  });
  const keyCount = new Map<string, number>();
  for (const ks of candidates) for (const k of ks) keyCount.set(k, (keyCount.get(k) ?? 0) + 1);
  const rarity = (k: string) => k.split(' ').reduce((n, w) => n + (folded.get(w) ?? 0), 0);
  const groups = new Map<string, TopicTicket[]>();
  candidates.forEach((ks, i) => {
    let best: string | undefined;
    for (const k of ks) {
      if (best === undefined) best = k;
      else {
        const d = (keyCount.get(k) ?? 0) - (keyCount.get(best) ?? 0);
        if (d > 0 || (d === 0 && (rarity(k) < rarity(best) || (rarity(k) === rarity(best) && k < best)))) best = k;
      }
    }
    if (best === undefined) return;
    const list = groups.get(best) ?? [];
    list.push(rows[i] as TopicTicket);
    groups.set(best, list);
  });
  const out: TopicGroup[] = [];
  for (const [key, list] of groups) {
    if (list.length < minSize) continue;
    out.push(describe(key, list, typos));
  }
  return out.sort((a, b) => b.count - a.count || (a.key < b.key ? -1 : 1));
}

function describe(key: string, list: TopicTicket[], typos: Map<string, string>): TopicGroup {
  const words = key.split(' ');
  const seenTypos = new Map<string, string>();
  for (const t of list) for (const w of t.subjectWords) if (typos.has(w) && words.includes(typos.get(w) as string)) seenTypos.set(w, typos.get(w) as string);
  const types = count(list.map((t) => t.type).filter((x): x is string => !!x));
  const tags = count(list.flatMap((t) => t.tags))
    .filter(([, n]) => n >= Math.max(2, list.length * 0.3))
    .slice(0, 5)
    .map(([tag, n]) => ({ tag, count: n }));
  const subjects = count(list.map((t) => t.subject.trim()));
  return {
    key,
    words,
    label: (subjects[0]?.[0] ?? key).slice(0, 200),
    count: list.length,
    tickets: list.slice(0, MAX_LISTED_PER_GROUP),
    explanation: {
      sharedWords: words,
      typos: [...seenTypos].map(([from, to]) => ({ from, to })),
      bodyWords: [],
      type: types[0] ? { key: types[0][0], count: types[0][1] } : null,
      tags,
    },
  };
}

function count<T>(xs: T[]): [T, number][] {
  const m = new Map<T, number>();
  for (const x of xs) m.set(x, (m.get(x) ?? 0) + 1);
  return [...m].sort((a, b) => b[1] - a[1]);
}

/**
 * Words that at least 60 % of a group's listed tickets' first messages have (not the group's own words), from at
 * least two requesters: a requester's own name and address are indexed with their message and say nothing of
 * the topic.
 */
export function sharedBodyWords(group: TopicGroup, wordsOf: Map<string, { requesterId: string; words: string[] }>): string[] {
  const list = group.tickets;
  const tickets = new Map<string, number>();
  const askers = new Map<string, Set<string>>();
  for (const t of list) {
    const m = wordsOf.get(t.id);
    if (!m) continue;
    for (const w of new Set(m.words)) {
      if (w.length <= 2 || /\d/.test(w) || group.words.includes(w)) continue;
      tickets.set(w, (tickets.get(w) ?? 0) + 1);
      askers.set(w, (askers.get(w) ?? new Set()).add(m.requesterId));
    }
  }
  return [...tickets]
    .filter(([w, n]) => n >= Math.max(2, list.length * 0.6) && (askers.get(w)?.size ?? 0) >= 2)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, 8)
    .map(([w]) => w);
}

/** Rare words (in one or two tickets) mapped to the most similar word at least three times as frequent. */
function typoMap(df: Map<string, number>): Map<string, string> {
  const common = [...df].filter(([w, n]) => n >= 3 && w.length >= 4);
  const byTrigram = new Map<string, number[]>();
  const grams = common.map(([w]) => trigrams(w));
  grams.forEach((gs, i) => {
    for (const g of gs) {
      const list = byTrigram.get(g) ?? [];
      list.push(i);
      byTrigram.set(g, list);
    }
  });
  const out = new Map<string, string>();
  for (const [w, n] of df) {
    if (n > 2 || w.length < 4 || /\d/.test(w)) continue;
    const mine = trigrams(w);
    const shared = new Map<number, number>();
    for (const g of mine) for (const i of byTrigram.get(g) ?? []) shared.set(i, (shared.get(i) ?? 0) + 1);
    let best: { i: number; sim: number } | undefined;
    for (const [i, s] of shared) {
      const [cw, cn] = common[i] as [string, number];
      if (cn < n * 3 || cw === w) continue;
      const sim = s / (mine.size + (grams[i] as Set<string>).size - s);
      if (sim >= TYPO_SIMILARITY && (!best || sim > best.sim)) best = { i, sim };
    }
    if (best) out.set(w, (common[best.i] as [string, number])[0]);
  }
  return out;
}

/** pg_trgm's trigrams of one word: padded with two spaces before and one after. */
export function trigrams(word: string): Set<string> {
  const s = `  ${word} `;
  const out = new Set<string>();
  for (let i = 0; i + 3 <= s.length; i++) out.add(s.slice(i, i + 3));
  return out;
}
