import { AppError } from '../../platform/errors.js';

/**
 * The query language of the search box and the `q` parameter, e.g.
 * `status:open priority:P1 assignee:me group:L2 tag:sync org:acme "cannot sync"`.
 * Filters are `key:value` (quote values with spaces); everything else is full text, where quoted phrases and
 * `or` / `-word` follow Postgres's websearch syntax.
 */
export type TicketFilter = {
  status?: string[];
  priority?: string[];
  assignee?: string;
  group?: string;
  org?: string;
  requester?: string;
  tag?: string[];
  type?: string[];
  channel?: string[];
  number?: number;
  text?: string;
};

const LIST_KEYS = ['status', 'priority', 'tag', 'type', 'channel'] as const;
const ONE_KEYS = ['assignee', 'group', 'org', 'requester'] as const;
const ALIASES: Record<string, string> = { state: 'status', organization: 'org', tags: 'tag' };
export const FILTER_KEYS = [...LIST_KEYS, ...ONE_KEYS, 'number'] as const;

// A token is key:"quoted value", key:value, "a phrase", or a bare word.
const TOKEN = /([a-zA-Z_]+):"([^"]*)"|([a-zA-Z_]+):(\S+)|("[^"]*")|(\S+)/g;

export function parseTicketQuery(q: string): TicketFilter {
  if (q.length > 1000) throw new AppError('INVALID_QUERY', 'The query is longer than 1000 characters');
  const filter: TicketFilter = {};
  const text: string[] = [];
  for (const m of q.matchAll(TOKEN)) {
    const rawKey = m[1] ?? m[3];
    const value = m[2] ?? m[4];
    if (rawKey === undefined || value === undefined) {
      text.push((m[5] ?? m[6]) as string);
      continue;
    }
    const key = ALIASES[rawKey.toLowerCase()] ?? rawKey.toLowerCase();
    if (key === 'http' || key === 'https' || key === 'mailto') {
      text.push(m[0]);
      continue;
    }
    if (value === '') throw new AppError('INVALID_QUERY', `The ${key}: filter has no value`);
    if ((LIST_KEYS as readonly string[]).includes(key)) {
      const k = key as (typeof LIST_KEYS)[number];
      filter[k] = [...(filter[k] ?? []), ...value.split(',').filter(Boolean)];
    } else if ((ONE_KEYS as readonly string[]).includes(key)) {
      filter[key as (typeof ONE_KEYS)[number]] = value;
    } else if (key === 'number') {
      const n = Number(value.replace(/^#/, ''));
      if (!Number.isInteger(n) || n <= 0) throw new AppError('INVALID_QUERY', `number: expects a ticket number, got ${value}`);
      filter.number = n;
    } else {
      throw new AppError('INVALID_QUERY', `Unknown filter ${rawKey}:; use one of ${FILTER_KEYS.join(', ')}`);
    }
  }
  const joined = text.join(' ').trim();
  if (/^#\d+$/.test(joined)) filter.number = Number(joined.slice(1));
  else if (joined) filter.text = joined;
  return filter;
}
