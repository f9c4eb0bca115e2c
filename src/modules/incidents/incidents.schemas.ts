import { z } from 'zod';
import { Timestamp } from '../../platform/responses.js';
import { COMPONENT_STATUSES, INCIDENT_STATES, TIMELINE_KINDS } from './incidents.schema.js';

/**
 * What the incident and status-component routes answer: the OpenAPI document and the web app's typed client are
 * made from these, and the test suite checks every answer against them.
 */
const State = z.enum(INCIDENT_STATES);
const Person = z.object({ id: z.uuid(), name: z.string() });

export const IncidentView = z.object({
  id: z.uuid(),
  number: z.number().int(),
  title: z.string().describe("The team's title; never shown publicly"),
  publicTitle: z.string().describe('What the status page, its feeds, subscriber mail and customer notices call it'),
  severity: z.string(),
  state: State,
  originTicketId: z.uuid().nullable(),
  impact: z.string(),
  currentTheory: z.string(),
  nextSteps: z.string(),
  startedAt: Timestamp,
  detectedAt: Timestamp,
  acknowledgedAt: Timestamp.nullable(),
  mitigatedAt: Timestamp.nullable(),
  resolvedAt: Timestamp.nullable(),
  closedAt: Timestamp.nullable(),
  nextUpdateDueAt: Timestamp.nullable(),
  remindedForDueAt: Timestamp.nullable(),
  lateSince: Timestamp.nullable(),
  declaredById: z.uuid().nullable(),
  version: z.number().int(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

export const ListedIncident = IncidentView.extend({ linkedTickets: z.number().int(), lead: Person.nullable() });

export const TimelineEntryView = z.object({
  id: z.number().int(),
  incidentId: z.uuid(),
  kind: z.enum(TIMELINE_KINDS),
  body: z.string(),
  data: z.record(z.string(), z.unknown()),
  actorId: z.uuid().nullable(),
  pinned: z.boolean(),
  at: Timestamp,
});

export const StatusUpdateView = z.object({
  id: z.uuid(),
  incidentId: z.uuid(),
  state: State,
  body: z.string(),
  eta: Timestamp.nullable(),
  notifyCustomers: z.boolean(),
  notifySubscribers: z.boolean(),
  authorId: z.uuid().nullable(),
  at: Timestamp,
});

export const RetroView = z.object({
  incidentId: z.uuid(),
  status: z.enum(['draft', 'done', 'skipped']),
  skipReason: z.string().nullable(),
  summary: z.string(),
  rootCause: z.string(),
  whys: z.array(z.string()),
  wentWell: z.string(),
  wentBadly: z.string(),
  actionItems: z.array(
    z.object({
      id: z.uuid(),
      title: z.string(),
      ownerId: z.uuid().nullable(),
      dueOn: z.string().nullable(),
      link: z.string().nullable(),
      done: z.boolean(),
      remindedFor: z.string().nullable().describe('The due date its owner was reminded of once it passed'),
    }),
  ),
  dueAt: Timestamp,
  remindedAt: Timestamp.nullable(),
  completedAt: Timestamp.nullable(),
  updatedAt: Timestamp,
});

export const IncidentDetail = IncidentView.extend({
  roles: z.array(z.object({ key: z.string(), name: z.string(), lead: z.boolean(), user: Person.nullable() })),
  components: z.array(z.object({ id: z.uuid(), name: z.string(), status: z.enum(COMPONENT_STATUSES) })),
  timeline: z.array(TimelineEntryView.extend({ actorName: z.string() })),
  updates: z.array(StatusUpdateView.extend({ authorName: z.string() })),
  // Only the linked tickets the caller may see; `hiddenTickets` counts the others.
  tickets: z.array(z.object({ id: z.uuid(), number: z.number().int(), subject: z.string(), status: z.string(), linkedAt: Timestamp })),
  hiddenTickets: z.number().int(),
  retro: RetroView.nullable(),
});

export const PostedUpdate = z.object({ incident: IncidentView, update: StatusUpdateView, notified: z.number().int().describe('Linked tickets told (jobs)') });
export const TicketIncident = z.object({ id: z.uuid(), number: z.number().int(), title: z.string(), severity: z.string(), state: State });
export const SuggestedTicket = z.object({ id: z.uuid(), number: z.number().int(), subject: z.string(), status: z.string(), requesterName: z.string(), createdAt: Timestamp });
export const Linked = z.object({ linked: z.array(z.uuid()) });
export const Queued = z.object({ queued: z.number().int() });

export const SettingsView = z.object({
  severityLevels: z.number().int(),
  cadenceMinutes: z.array(z.number().int()),
  remindBeforeMinutes: z.number().int(),
  statusPageTitle: z.string(),
  webhookIds: z.array(z.uuid()).optional(),
  linkedTicketState: z.string().nullable().optional(),
  originTicketStateOnResolve: z.string().nullable().optional(),
  updateTemplates: z.object({ investigating: z.string(), identified: z.string(), monitoring: z.string(), resolved: z.string() }).partial().optional(),
  confirmFixOnResolve: z.boolean().optional(),
  autoDeclarePriorities: z.array(z.string()).optional(),
});
export const RoleView = z.object({ key: z.string(), name: z.string(), position: z.number().int(), lead: z.boolean() });
export const SettingsAnswer = z.object({
  settings: SettingsView,
  severities: z.array(z.object({ key: z.string(), name: z.string(), level: z.number().int(), cadenceMinutes: z.number().int() })),
  roles: z.array(RoleView),
  templates: z.object({ investigating: z.string(), identified: z.string(), monitoring: z.string(), resolved: z.string() }).describe("The composer's starting text per state (settings over the built-in ones)"),
});

export const ComponentView = z.object({
  id: z.uuid(),
  name: z.string(),
  groupName: z.string().nullable(),
  description: z.string(),
  position: z.number().int(),
  status: z.enum(COMPONENT_STATUSES),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

/** An open action item of the caller's, past its due date (the app's notice). */
export const MyActionItem = z.object({
  incidentId: z.uuid(),
  incidentNumber: z.number().int(),
  incidentTitle: z.string(),
  id: z.uuid(),
  title: z.string(),
  dueOn: z.string(),
  link: z.string().nullable(),
});
