// The search box's autocomplete and the search page's chips: the query language of src/modules/tickets/search-query.ts
// (`status:open priority:P1 group:"L2 engineering" words`), read token by token in the browser.

export const SEARCH_KEYS = ['status', 'priority', 'assignee', 'group', 'org', 'tag'] as const;
export type SearchKey = (typeof SEARCH_KEYS)[number];
export type SearchValues = Record<SearchKey, string[]>;
export type Suggestion = { value: string; token: string };

const ALIASES: Record<string, string> = { state: 'status', organization: 'org', tags: 'tag' };
const quote = (v: string) => (/\s/.test(v) ? `"${v}"` : v);

/** The key the last, unfinished token is a value of (`prio` → none, `priority:P` → priority), and what is typed. */
export function lastToken(q: string): { before: string; key: SearchKey | null; partial: string } {
  const m = /(^|\s)([a-zA-Z_]+:"[^"]*|[a-zA-Z_]+:\S*|\S*)$/.exec(q);
  const token = m?.[2] ?? '';
  const before = q.slice(0, q.length - token.length);
  const kv = /^([a-zA-Z_]+):"?(.*)$/.exec(token);
  if (!kv) return { before, key: null, partial: token };
  const key = (ALIASES[(kv[1] as string).toLowerCase()] ?? (kv[1] as string).toLowerCase()) as SearchKey;
  return SEARCH_KEYS.includes(key) ? { before, key, partial: kv[2] as string } : { before, key: null, partial: token };
}

/**
 * What the box offers for the query as typed: values of the filter being typed (those starting with what was
 * typed first, then those containing it), or the filter names a bare word starts. Each suggestion is the whole
 * new query (`value`) and the token it completes (`token`, what the list shows).
 */
export function suggest(q: string, values: SearchValues, limit = 8): Suggestion[] {
  const { before, key, partial } = lastToken(q);
  const p = partial.toLowerCase();
  if (key) {
    const all = values[key];
    const ranked = [...all.filter((v) => v.toLowerCase().startsWith(p)), ...all.filter((v) => !v.toLowerCase().startsWith(p) && v.toLowerCase().includes(p))];
    return ranked.slice(0, limit).map((v) => {
      const token = `${key}:${quote(v)}`;
      return { value: `${before}${token} `, token };
    });
  }
  if (!p) return [];
  return SEARCH_KEYS.filter((k) => k.startsWith(p) && k !== p).map((k) => ({ value: `${before}${k}:`, token: `${k}:` }));
}

/** The filters of a query, each with the query left without it (the chips' remove buttons), and the free text. */
export function chips(q: string): { token: string; without: string }[] {
  const tokens = [...q.matchAll(/([a-zA-Z_]+):"[^"]*"|([a-zA-Z_]+):\S+|"[^"]*"|\S+/g)].map((m) => m[0]);
  return tokens
    .map((token, i) => ({ token, i }))
    .filter(({ token }) => /^[a-zA-Z_]+:/.test(token) && !/^(https?|mailto):/i.test(token))
    .map(({ token, i }) => ({ token, without: tokens.filter((_, j) => j !== i).join(' ') }));
}
