/** The help-centre benchmark's vocabulary (bench/kb.ts builds articles from it, bench/kb-readers.ts queries with it). */

// A support vocabulary: real words (so stemming and search behave as in use) plus made-up product names.
export const WORDS = (
  'sync form offline phone tablet password reset login account email invoice billing export report dashboard user ' +
  'group permission role admin setting notification mobile web browser upload download attachment file image ' +
  'error crash slow timeout network server update install version release backup restore delete archive search ' +
  'filter view ticket customer organisation team schedule calendar reminder alert integration webhook token key ' +
  'security privacy language translation currency payment refund subscription plan trial license device battery'
).split(' ');
export const PRODUCTS = Array.from({ length: 200 }, (_, i) => `prod${i.toString(36)}x`);
const ALL = [...WORDS, ...PRODUCTS];

/** How many distinct queries the Zipf mixes draw from (a help centre's searches repeat far more than its articles). */
export const QUERIES = 2000;

/** The search of rank or sequence number k: two words; distinct for k < (words + products)². */
export function queryOf(k: number): string {
  return `${ALL[k % ALL.length]} ${ALL[Math.floor(k / ALL.length) % ALL.length]}`;
}

/** What someone types into a request form for k: the query and a third word (suggestions are as-you-type). */
export function sentenceOf(k: number): string {
  return `${queryOf(k)} ${ALL[(k * 7 + 3) % ALL.length]}`;
}

/** A seeded generator (LCG): the same sequence every run. */
export function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}
