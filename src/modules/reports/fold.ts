import type { TicketEvent } from '../tickets/events.js';
import type { StateCategory } from '../tickets/reports.queries.js';
import type { TicketMetricsRow } from './reports.schema.js';

/**
 * The one fold of a ticket's events into its reporting row, used by the live step (new events onto the stored
 * row) and by the rebuild (all events onto a blank row): the same code, so the two agree by construction.
 * Pure: what it needs of the world comes in `FoldEnv`.
 */

/** The ticket's current columns: the row's dimensions. */
export type TicketFacts = {
  id: string;
  number: number;
  requesterId: string;
  channel: string;
  priorityId: string;
  type: string | null;
  groupId: string | null;
  assigneeId: string | null;
  organizationId: string | null;
  tags: string[];
  productArea: string | null;
  statusCategory: string;
};

export type FoldEnv = {
  /** The category of a state key (the admin's ticket_states). */
  categoryOf: (key: string) => StateCategory | undefined;
  /** The ticket's SLA calendar (null: 24/7) and business seconds between two instants on it. */
  calendarId: string | null;
  businessSeconds: (from: Date, to: Date) => number;
};

/** What one event did to the numbers, for "Why these numbers". */
export type TraceEntry = { eventId: number; at: string; kind: string; note: string };

const UNSOLVED: readonly string[] = ['new', 'open', 'pending', 'on_hold'];
const DONE: readonly string[] = ['solved', 'closed'];

export function blankRow(t: TicketFacts, at: Date, env: FoldEnv): TicketMetricsRow {
  return {
    ticketId: t.id,
    number: t.number,
    createdAt: at,
    requesterId: t.requesterId,
    channel: t.channel,
    priorityId: t.priorityId,
    type: t.type,
    groupId: t.groupId,
    assigneeId: t.assigneeId,
    organizationId: t.organizationId,
    tags: t.tags,
    productArea: t.productArea,
    statusCategory: 'new',
    calendarId: env.calendarId,
    firstReplyAt: null,
    firstSolvedAt: null,
    solvedAt: null,
    reopenedAt: null,
    reopens: 0,
    agentReplies: 0,
    requesterReplies: 0,
    agentTouches: 0,
    reassignments: 0,
    escalations: 0,
    slaBreaches: 0,
    frtS: null,
    frtBs: null,
    firstResolutionS: null,
    firstResolutionBs: null,
    fullResolutionS: null,
    fullResolutionBs: null,
    nextResponseS: 0,
    nextResponseBs: 0,
    nextResponseCount: 0,
    requesterWaitS: 0,
    requesterWaitBs: 0,
    agentWaitS: 0,
    agentWaitBs: 0,
    onHoldS: 0,
    onHoldBs: 0,
    slaFirstResponse: null,
    slaNextResponse: null,
    slaPeriodicUpdate: null,
    slaResolution: null,
    stateSince: at,
    awaitingSince: null,
    lastEventId: 0,
  };
}

type Str = string | undefined;
/** What the fold reads of an event: only the kinds and fields it uses. */
type Read =
  | { kind: 'created'; status: Str; channel: Str }
  | { kind: 'message_added'; to: { public: boolean; author: Str; direction: Str } }
  | { kind: 'field_changed'; field: string; from: unknown; to: unknown }
  | { kind: 'escalated'; to: { group: Str } }
  | { kind: 'sla_met' | 'sla_breached'; field: keyof typeof SLA_COLUMN; to: { targetMinutes: unknown } };

const SLA_COLUMN = { first_response: 'slaFirstResponse', next_response: 'slaNextResponse', periodic_update: 'slaPeriodicUpdate', resolution: 'slaResolution' } as const;
const str = (v: unknown): Str => (typeof v === 'string' ? v : undefined);
const obj = (v: unknown): Record<string, unknown> | undefined => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>) : undefined);

/**
 * The fields the fold needs, read with plain checks rather than the stream's full schema (events were checked
 * when written; a full parse of every event was most of the rebuild's time). Undefined: a kind the fold ignores or
 * a row missing what it needs (reports skip it rather than fail the change). A creation of an older shape (only
 * its state) still counts.
 */
function read(e: TicketEvent): Read | undefined {
  const to = obj(e.toValue);
  switch (e.kind) {
    case 'created':
      return { kind: 'created', status: str(to?.status), channel: str(to?.channel) };
    case 'message_added':
      return to && typeof to.public === 'boolean' ? { kind: 'message_added', to: { public: to.public, author: str(to.author), direction: str(to.direction) } } : undefined;
    case 'field_changed':
      return e.field ? { kind: 'field_changed', field: e.field, from: e.fromValue, to: e.toValue } : undefined;
    case 'escalated':
      return to ? { kind: 'escalated', to: { group: str(to.group) } } : undefined;
    case 'sla_met':
    case 'sla_breached':
      return e.field && e.field in SLA_COLUMN && to ? { kind: e.kind, field: e.field as keyof typeof SLA_COLUMN, to: { targetMinutes: to.targetMinutes } } : undefined;
    default:
      return undefined;
  }
}

const seconds = (from: Date, to: Date) => Math.max(0, Math.round((to.getTime() - from.getTime()) / 1000));
const fmt = (s: number) => (s < 120 ? `${s} s` : s < 7200 ? `${Math.round(s / 60)} min` : `${(s / 3600).toFixed(1)} h`);

/**
 * Folds `events` (in id order) onto `row` (null: the ticket's first fold) and returns the new row; events the row
 * has already read (id ≤ lastEventId) are skipped, so a replay changes nothing.
 */
export function fold(row: TicketMetricsRow | null, facts: TicketFacts, events: TicketEvent[], env: FoldEnv, trace?: TraceEntry[]): TicketMetricsRow {
  const first = events[0];
  const r: TicketMetricsRow = row ? { ...row } : blankRow(facts, first ? first.at : new Date(0), env);
  const note = (e: TicketEvent, text: string) => trace?.push({ eventId: e.id, at: e.at.toISOString(), kind: e.kind, note: text });
  const both = (from: Date, to: Date): [number, number] => [seconds(from, to), env.businessSeconds(from, to)];

  for (const e of events) {
    if (e.id <= r.lastEventId) continue;
    r.lastEventId = e.id;
    const p = read(e);
    if (!p) continue;
    switch (p.kind) {
      case 'created': {
        r.createdAt = e.at;
        r.stateSince = e.at;
        r.statusCategory = (p.status && env.categoryOf(p.status)) || 'new';
        note(e, `Created: the clocks of first response and resolution start${p.channel ? ` (${p.channel})` : ''}`);
        break;
      }
      case 'message_added': {
        const m = p.to;
        if (m.author === 'agent') r.agentTouches++;
        if (!m.public) break;
        if (m.author === 'agent' && m.direction === 'outbound' && e.actorType === 'person') {
          r.agentReplies++;
          if (!r.firstReplyAt) {
            r.firstReplyAt = e.at;
            [r.frtS, r.frtBs] = both(r.createdAt, e.at);
            r.awaitingSince = null;
            note(e, `First public agent reply: first response time ${fmt(r.frtS)} (${fmt(r.frtBs)} business)`);
          } else if (r.awaitingSince) {
            const [s, bs] = both(r.awaitingSince, e.at);
            r.nextResponseS += s;
            r.nextResponseBs += bs;
            r.nextResponseCount++;
            r.awaitingSince = null;
            note(e, `Public agent reply: a next response of ${fmt(s)} (${fmt(bs)} business)`);
          } else note(e, 'Public agent reply (one more interaction)');
        } else if (m.direction === 'inbound' && (m.author === 'requester' || m.author === 'customer')) {
          r.requesterReplies++;
          // Before the first reply the first response clock covers the wait; after it, a new wait starts.
          if (r.firstReplyAt && !r.awaitingSince) {
            r.awaitingSince = e.at;
            note(e, 'Customer wrote: waiting for the next agent response from here');
          } else note(e, 'Customer wrote (one more interaction)');
        }
        break;
      }
      case 'field_changed': {
        if (p.field === 'assignee') {
          if (p.from && p.to !== p.from) {
            r.reassignments++;
            note(e, 'Reassigned to another agent');
          }
          break;
        }
        if (p.field !== 'status' || typeof p.to !== 'string') break;
        const from = r.statusCategory;
        const to = env.categoryOf(p.to) ?? from;
        // The stretch in the old state ends here: whose wait it was depends on the state.
        const [s, bs] = both(r.stateSince, e.at);
        if (from === 'pending') {
          r.agentWaitS += s;
          r.agentWaitBs += bs;
        } else if (UNSOLVED.includes(from)) {
          r.requesterWaitS += s;
          r.requesterWaitBs += bs;
          if (from === 'on_hold') {
            r.onHoldS += s;
            r.onHoldBs += bs;
          }
        }
        r.stateSince = e.at;
        r.statusCategory = to;
        if (DONE.includes(to) && UNSOLVED.includes(from)) {
          r.solvedAt = e.at;
          [r.fullResolutionS, r.fullResolutionBs] = both(r.createdAt, e.at);
          if (!r.firstSolvedAt) {
            r.firstSolvedAt = e.at;
            [r.firstResolutionS, r.firstResolutionBs] = both(r.createdAt, e.at);
            note(e, `Solved: first resolution time ${fmt(r.firstResolutionS)} (${fmt(r.firstResolutionBs)} business)`);
          } else note(e, `Solved again: full resolution time now ${fmt(r.fullResolutionS)} (${fmt(r.fullResolutionBs)} business)`);
          r.awaitingSince = null;
        } else if (DONE.includes(from) && UNSOLVED.includes(to)) {
          r.reopens++;
          r.reopenedAt = e.at;
          r.solvedAt = null;
          r.fullResolutionS = null;
          r.fullResolutionBs = null;
          note(e, `Reopened (${r.reopens}×): no longer counts as resolved, nor as one-touch`);
        } else if (UNSOLVED.includes(from) && UNSOLVED.includes(to) && from !== to) {
          note(e, `${from} → ${to}: ${fmt(s)} (${fmt(bs)} business) counted as ${from === 'pending' ? 'agent' : 'requester'} wait`);
        }
        break;
      }
      case 'escalated':
        r.escalations++;
        note(e, `Escalated to ${p.to.group}`);
        break;
      case 'sla_met':
      case 'sla_breached': {
        const outcome = p.kind === 'sla_met' ? 'met' : 'breached';
        if (outcome === 'breached') r.slaBreaches++;
        const key = SLA_COLUMN[p.field];
        // A breach is final for the target; a later met (a next cycle) does not undo it.
        if (r[key] !== 'breached') r[key] = outcome;
        note(e, `SLA ${p.field.replace('_', ' ')} ${outcome} (target ${p.to.targetMinutes} business min)`);
        break;
      }
      default:
        break;
    }
  }
  // Dimensions are the ticket's as of now.
  Object.assign(r, {
    number: facts.number,
    requesterId: facts.requesterId,
    channel: facts.channel,
    priorityId: facts.priorityId,
    type: facts.type,
    groupId: facts.groupId,
    assigneeId: facts.assigneeId,
    organizationId: facts.organizationId,
    tags: facts.tags,
    productArea: facts.productArea,
    calendarId: env.calendarId,
  });
  if (facts.statusCategory === 'merged') r.statusCategory = 'merged';
  return r;
}
