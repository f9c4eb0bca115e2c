import { type SQL, sql } from 'drizzle-orm';
import { z } from 'zod';
import { TICKET_COLUMNS as T } from '../tickets/rule-columns.queries.js';

/**
 * The one condition language: a typed tree of all / any / not over field comparisons. Views, SLA policy
 * selection, triggers and automations all use it, through two back ends that must agree on every input:
 * `compile` (to SQL, for lists and sweeps over many tickets) and `evaluate` (in memory, for the ticket a command
 * just changed). `conditions.test.ts` runs one set of fixtures through both.
 *
 * Null-safe throughout: "is not X" and "not in [...]" match tickets where the field is empty, in both back ends.
 */

export type Condition = { all: Condition[] } | { any: Condition[] } | { not: Condition } | Comparison;
export type Comparison = { field: string; op: Operator; value?: unknown };

/** About 114 years: any real "hours since" fits, and now − n hours is always a valid date. */
const MAX_HOURS = 1_000_000;

type Kind = 'key' | 'id' | 'text' | 'tags' | 'time' | 'hours' | 'number' | 'boolean';
export const OPERATORS = {
  key: ['is', 'is_not', 'in', 'not_in', 'is_set', 'is_not_set'],
  id: ['is', 'is_not', 'in', 'not_in', 'is_set', 'is_not_set'],
  text: ['is', 'is_not', 'contains', 'not_contains', 'is_set', 'is_not_set'],
  tags: ['includes_any', 'includes_all', 'excludes'],
  time: ['before', 'after', 'is_set', 'is_not_set'],
  hours: ['gt', 'gte', 'lt', 'lte'],
  number: ['is', 'is_not', 'gt', 'gte', 'lt', 'lte', 'is_set', 'is_not_set'],
  boolean: ['is', 'is_set', 'is_not_set'],
} as const satisfies Record<Kind, readonly string[]>;
export type Operator = (typeof OPERATORS)[Kind][number];

/** The facts a condition reads from a ticket, named as conditions name them. */
export type TicketFacts = {
  status: string;
  status_category: string;
  priority: string;
  type: string | null;
  group: string | null;
  assignee: string | null;
  organization: string | null;
  requester: string;
  channel: string;
  tags: string[];
  subject: string;
  product_area: string | null;
  created_at: Date;
  updated_at: Date;
  solved_at: Date | null;
  due_at: Date | null;
  status_changed_at: Date;
  requester_replied_at: Date;
  custom: Record<string, unknown>;
  /** What the rule runs for, when a trigger runs for one event (an SLA warning or breach names its metric). */
  event?: { sla_metric: string | null };
};

type FieldDef = { kind: Kind; column?: () => SQL; facts: (t: TicketFacts) => unknown };

const FIELDS: Record<string, FieldDef> = {
  status: { kind: 'key', column: T.status, facts: (t) => t.status },
  status_category: { kind: 'key', column: T.statusCategory, facts: (t) => t.status_category },
  priority: { kind: 'key', column: T.priorityKey, facts: (t) => t.priority },
  type: { kind: 'key', column: T.type, facts: (t) => t.type },
  channel: { kind: 'key', column: T.channel, facts: (t) => t.channel },
  group: { kind: 'id', column: T.groupId, facts: (t) => t.group },
  assignee: { kind: 'id', column: T.assigneeId, facts: (t) => t.assignee },
  organization: { kind: 'id', column: T.organizationId, facts: (t) => t.organization },
  requester: { kind: 'id', column: T.requesterId, facts: (t) => t.requester },
  tags: { kind: 'tags', column: T.tags, facts: (t) => t.tags },
  subject: { kind: 'text', column: T.subject, facts: (t) => t.subject },
  product_area: { kind: 'text', column: T.productArea, facts: (t) => t.product_area },
  created_at: { kind: 'time', column: T.createdAt, facts: (t) => t.created_at },
  updated_at: { kind: 'time', column: T.updatedAt, facts: (t) => t.updated_at },
  solved_at: { kind: 'time', column: T.solvedAt, facts: (t) => t.solved_at },
  due_at: { kind: 'time', column: T.dueAt, facts: (t) => t.due_at },
  // Hours since, in calendar hours, measured from the evaluation's `now` (automations).
  // An event field: set only while a trigger runs for an SLA warning or breach; in SQL (automations) never set.
  'sla.metric': { kind: 'key', column: () => sql`(null::text)`, facts: (t) => t.event?.sla_metric ?? null },
  hours_since_created: { kind: 'hours', column: T.createdAt, facts: (t) => t.created_at },
  hours_since_updated: { kind: 'hours', column: T.updatedAt, facts: (t) => t.updated_at },
  hours_since_status_changed: { kind: 'hours', column: T.statusChangedAt, facts: (t) => t.status_changed_at },
  hours_since_requester_replied: { kind: 'hours', column: T.requesterRepliedAt, facts: (t) => t.requester_replied_at },
};

/** Custom fields are `custom.<key>`, typed by their definition: text, number or boolean comparisons. */
export type CustomFieldKinds = Record<string, 'text' | 'number' | 'boolean' | 'key'>;

// Own properties only: a field named `constructor` or `toString` is unknown, not Object.prototype's member.
function fieldDef(field: string, custom: CustomFieldKinds): FieldDef | undefined {
  if (field.startsWith('custom.')) {
    const key = field.slice(7);
    const kind = Object.hasOwn(custom, key) ? custom[key] : undefined;
    if (!kind || !Object.hasOwn(OPERATORS, kind)) return undefined;
    return { kind, facts: (t) => (Object.hasOwn(t.custom, key) ? (t.custom[key] ?? null) : null) };
  }
  return Object.hasOwn(FIELDS, field) ? FIELDS[field] : undefined;
}

/** How deep conditions may nest. */
export const MAX_CONDITION_DEPTH = 20;

/**
 * How deep a value nests as a condition (a leaf under n all/any/not is at depth n), counted with a loop, not
 * recursion, and stopping once past `limit`: a body nested 3,000 deep is measured without growing the stack.
 */
export function conditionDepth(value: unknown, limit = MAX_CONDITION_DEPTH): number {
  let max = 0;
  const stack: [unknown, number][] = [[value, 0]];
  for (let next = stack.pop(); next; next = stack.pop()) {
    const [v, depth] = next;
    max = Math.max(max, depth);
    if (max > limit) return max;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) continue;
    const o = v as Record<string, unknown>;
    for (const key of ['all', 'any'] as const) {
      const list = Object.hasOwn(o, key) ? o[key] : undefined;
      if (Array.isArray(list)) for (const x of list.slice(0, 1000)) stack.push([x, depth + 1]);
    }
    if (Object.hasOwn(o, 'not')) stack.push([o.not, depth + 1]);
  }
  return max;
}

// The depth is checked before the tree is parsed: zod parses recursively and would overflow the stack first.
export const ConditionSchema: z.ZodType<Condition> = z.preprocess(
  (value, ctx) => {
    if (conditionDepth(value) > MAX_CONDITION_DEPTH) ctx.addIssue({ code: 'custom', message: `conditions nest at most ${MAX_CONDITION_DEPTH} deep`, input: value });
    return value;
  },
  z.lazy(() =>
    z.union([
      z.object({ all: z.array(ConditionSchema).max(100) }).strict(),
      z.object({ any: z.array(ConditionSchema).max(100) }).strict(),
      z.object({ not: ConditionSchema }).strict(),
      z.object({ field: z.string().min(1).max(100), op: z.string().min(1).max(30) as z.ZodType<Operator>, value: z.unknown().optional() }).strict(),
    ]),
  ),
) as unknown as z.ZodType<Condition>;
// Named in the OpenAPI document, so the recursive tree is one component that refers to itself.
ConditionSchema.register(z.globalRegistry, { id: 'Condition' });

export type ConditionProblem = { path: string; message: string };

/** What is wrong with a condition: unknown fields, operators that do not fit the field, values of the wrong type. */
export function checkCondition(c: Condition, custom: CustomFieldKinds = {}, path = 'condition', depth = 0): ConditionProblem[] {
  if (depth > MAX_CONDITION_DEPTH) return [{ path, message: `conditions nest at most ${MAX_CONDITION_DEPTH} deep` }];
  if ('all' in c) return c.all.flatMap((x, i) => checkCondition(x, custom, `${path}.all.${i}`, depth + 1));
  if ('any' in c) return c.any.flatMap((x, i) => checkCondition(x, custom, `${path}.any.${i}`, depth + 1));
  if ('not' in c) return checkCondition(c.not, custom, `${path}.not`, depth + 1);
  const def = fieldDef(c.field, custom);
  if (!def) return [{ path: `${path}.field`, message: `unknown field ${c.field}` }];
  const allowed = OPERATORS[def.kind] as readonly string[];
  if (!allowed.includes(c.op)) return [{ path: `${path}.op`, message: `${c.field} takes ${allowed.join(', ')}; not ${c.op}` }];
  const problem = checkValue(def.kind, c.op, c.value);
  return problem ? [{ path: `${path}.value`, message: problem }] : [];
}

function checkValue(kind: Kind, op: string, value: unknown): string | undefined {
  if (op === 'is_set' || op === 'is_not_set') return value === undefined ? undefined : `${op} takes no value`;
  const list = op === 'in' || op === 'not_in' || kind === 'tags';
  if (list) {
    if (!Array.isArray(value) || value.length === 0 || value.length > 500 || !value.every((v) => typeof v === 'string')) return 'expected a non-empty list of strings';
    return undefined;
  }
  switch (kind) {
    case 'key':
    case 'id':
    case 'text':
      return typeof value === 'string' && value.length <= 1000 ? undefined : 'expected a string';
    case 'time':
      return typeof value === 'string' && !Number.isNaN(Date.parse(value)) ? undefined : 'expected an ISO-8601 time';
    case 'hours':
      // Bounded so "n hours ago" stays a real date in both back ends (the fuzz found 2.4 billion hours throwing).
      return typeof value === 'number' && Number.isFinite(value) && Math.abs(value) <= MAX_HOURS ? undefined : `expected a number of hours between -${MAX_HOURS} and ${MAX_HOURS}`;
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? undefined : 'expected a number';
    case 'boolean':
      return typeof value === 'boolean' ? undefined : 'expected true or false';
  }
}

// ---- in memory

/**
 * When a condition is evaluated: an instant, where "hours since" counts calendar hours; or an instant with its own
 * way to say "n hours ago" (an automation counting business hours on a calendar).
 */
export type Instant = Date | { now: Date; hoursAgo: (hours: number) => Date };

/** The instant `hours` before `at`: "at least n hours since X" holds exactly when X is at or before it. */
function hoursAgo(at: Instant, hours: number): Date {
  return at instanceof Date ? new Date(at.getTime() - hours * 3600_000) : at.hoursAgo(hours);
}

export function evaluate(c: Condition, t: TicketFacts, now: Instant, custom: CustomFieldKinds = {}): boolean {
  if ('all' in c) return c.all.every((x) => evaluate(x, t, now, custom));
  if ('any' in c) return c.any.some((x) => evaluate(x, t, now, custom));
  if ('not' in c) return !evaluate(c.not, t, now, custom);
  const def = fieldDef(c.field, custom);
  if (!def) throw new Error(`unknown field ${c.field}`);
  const actual = def.facts(t);
  const empty = actual === null || actual === undefined || actual === '';
  const v = c.value;
  switch (c.op) {
    case 'is_set':
      return !empty;
    case 'is_not_set':
      return empty;
    case 'is':
      return !empty && (def.kind === 'number' ? Number(actual) === v : def.kind === 'boolean' ? actual === v : String(actual) === v);
    case 'is_not':
      return empty || (def.kind === 'number' ? Number(actual) !== v : String(actual) !== v);
    case 'in':
      return !empty && (v as string[]).includes(String(actual));
    case 'not_in':
      return empty || !(v as string[]).includes(String(actual));
    case 'contains':
      return !empty && String(actual).toLowerCase().includes(String(v).toLowerCase());
    case 'not_contains':
      return empty || !String(actual).toLowerCase().includes(String(v).toLowerCase());
    case 'includes_any':
      return (v as string[]).some((x) => (actual as string[]).includes(x));
    case 'includes_all':
      return (v as string[]).every((x) => (actual as string[]).includes(x));
    case 'excludes':
      return !(v as string[]).some((x) => (actual as string[]).includes(x));
    case 'before':
      return !empty && (actual as Date).getTime() < Date.parse(v as string);
    case 'after':
      return !empty && (actual as Date).getTime() > Date.parse(v as string);
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      if (empty) return false;
      if (def.kind === 'hours') {
        // The same edge as the SQL back end: hours since > n  ⇔  the time is before "n hours ago".
        const x = (actual as Date).getTime();
        const edge = hoursAgo(now, v as number).getTime();
        return c.op === 'gt' ? x < edge : c.op === 'gte' ? x <= edge : c.op === 'lt' ? x > edge : x >= edge;
      }
      const x = Number(actual);
      const n = v as number;
      return c.op === 'gt' ? x > n : c.op === 'gte' ? x >= n : c.op === 'lt' ? x < n : x <= n;
    }
  }
  return false;
}

// ---- SQL

/** The condition as a SQL predicate over `tickets`. `now` is a parameter, so a fake clock works in tests. */
export function compile(c: Condition, now: Instant, custom: CustomFieldKinds = {}): SQL {
  if ('all' in c) return c.all.length ? sql`(${sql.join(c.all.map((x) => compile(x, now, custom)), sql` and `)})` : sql`true`;
  if ('any' in c) return c.any.length ? sql`(${sql.join(c.any.map((x) => compile(x, now, custom)), sql` or `)})` : sql`false`;
  if ('not' in c) return sql`(not ${compile(c.not, now, custom)})`;
  const def = fieldDef(c.field, custom);
  if (!def) throw new Error(`unknown field ${c.field}`);
  const v = c.value;
  let col: SQL;
  if (c.field.startsWith('custom.')) {
    const key = c.field.slice(7);
    const raw = T.customField(key);
    col = def.kind === 'number' ? sql`(${raw})::numeric` : def.kind === 'boolean' ? sql`(${raw})::boolean` : raw;
  } else {
    col = (def.column as () => SQL)();
  }
  // Empty strings count as not set, as in memory.
  const set = def.kind === 'text' || def.kind === 'key' || def.kind === 'id' ? sql`(${col} is not null and ${col}::text <> '')` : sql`(${col} is not null)`;
  // A plain text[] parameter: the planner sees the values, so `status_category = any(…)` can use a partial index
  // on those categories (an array built by a subquery hid them and made every view scan).
  const list = (xs: unknown) => sql`${sql.param((xs as unknown[]).map(String))}::text[]`;
  switch (c.op) {
    case 'is_set':
      return set;
    case 'is_not_set':
      return sql`(not ${set})`;
    case 'is':
      return def.kind === 'number' || def.kind === 'boolean' ? sql`(${set} and ${col} = ${v})` : sql`(${set} and ${col}::text = ${v})`;
    case 'is_not':
      return def.kind === 'number' ? sql`(not ${set} or ${col} <> ${v})` : sql`(not ${set} or ${col}::text <> ${v})`;
    case 'in':
      return sql`(${set} and ${col}::text = any(${list(v)}))`;
    case 'not_in':
      return sql`(not ${set} or not (${col}::text = any(${list(v)})))`;
    case 'contains':
      return sql`(${set} and position(lower(${v}::text) in lower(${col})) > 0)`;
    case 'not_contains':
      return sql`(not ${set} or position(lower(${v}::text) in lower(${col})) = 0)`;
    case 'includes_any':
      return sql`(${col} && ${list(v)})`;
    case 'includes_all':
      return sql`(${col} @> ${list(v)})`;
    case 'excludes':
      return sql`(not (${col} && ${list(v)}))`;
    case 'before':
      return sql`(${col} < ${new Date(v as string).toISOString()}::timestamptz)`;
    case 'after':
      return sql`(${col} > ${new Date(v as string).toISOString()}::timestamptz)`;
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      if (def.kind === 'hours') {
        // Hours since > n  ⇔  the time is before now − n hours: a range on the column, which an index can serve.
        const edge = sql`${hoursAgo(now, v as number).toISOString()}::timestamptz`;
        const op = { gt: sql`<`, gte: sql`<=`, lt: sql`>`, lte: sql`>=` }[c.op];
        return sql`(${col} ${op} ${edge})`;
      }
      const op = { gt: sql`>`, gte: sql`>=`, lt: sql`<`, lte: sql`<=` }[c.op];
      return sql`(${col} is not null and ${col} ${op} ${v})`;
    }
  }
  throw new Error(`unknown operator ${c.op}`);
}

/** A ticket row as conditions see it; `priorityKey` is its priority's key (rows store the id). */
export function toFacts(
  t: {
    status: string;
    statusCategory: string;
    type: string | null;
    groupId: string | null;
    assigneeId: string | null;
    organizationId: string | null;
    requesterId: string;
    channel: string;
    tags: string[];
    subject: string;
    productArea: string | null;
    createdAt: Date;
    updatedAt: Date;
    solvedAt: Date | null;
    dueAt: Date | null;
    statusChangedAt: Date;
    requesterRepliedAt: Date;
    customFields: Record<string, unknown>;
  },
  priorityKey: string,
): TicketFacts {
  return {
    status: t.status,
    status_category: t.statusCategory,
    priority: priorityKey,
    type: t.type,
    group: t.groupId,
    assignee: t.assigneeId,
    organization: t.organizationId,
    requester: t.requesterId,
    channel: t.channel,
    tags: t.tags,
    subject: t.subject,
    product_area: t.productArea,
    created_at: t.createdAt,
    updated_at: t.updatedAt,
    solved_at: t.solvedAt,
    due_at: t.dueAt,
    status_changed_at: t.statusChangedAt,
    requester_replied_at: t.requesterRepliedAt,
    custom: t.customFields,
  };
}

/** Condition kinds of custom field definitions (multi-selects and dates are not comparable yet). */
export function customFieldKinds(defs: { key: string; kind: string }[]): CustomFieldKinds {
  const map: Record<string, CustomFieldKinds[string]> = { text: 'text', long_text: 'text', dropdown: 'key', number: 'number', checkbox: 'boolean' };
  return Object.fromEntries(defs.filter((d) => map[d.kind]).map((d) => [d.key, map[d.kind] as CustomFieldKinds[string]]));
}
