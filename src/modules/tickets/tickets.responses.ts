import { z } from 'zod';
import { CHANNELS, LINK_KINDS, STATE_CATEGORIES } from './tickets.schema.js';

// Response schemas of the tickets API. They document the API (OpenAPI), type the web app's client (generated
// from that document), and the test suite checks every response against them (see platform/responses.ts).

import { Timestamp } from '../../platform/responses.js';
const Person = z.object({ id: z.uuid(), name: z.string(), email: z.string() });

export const PriorityBadge = z.object({ key: z.string(), name: z.string(), rank: z.number().int(), color: z.string() });

export const TicketView = z.object({
  id: z.uuid(),
  number: z.number().int(),
  subject: z.string(),
  status: z.string(),
  statusCategory: z.enum(STATE_CATEGORIES),
  priority: PriorityBadge.nullable(),
  type: z.string().nullable(),
  requester: Person,
  organizationId: z.uuid().nullable(),
  assigneeId: z.uuid().nullable(),
  groupId: z.uuid().nullable(),
  channel: z.enum(CHANNELS),
  tags: z.array(z.string()),
  productArea: z.string().nullable(),
  dueAt: Timestamp.nullable(),
  customFields: z.record(z.string(), z.unknown()),
  mergedIntoId: z.uuid().nullable(),
  followUpOfId: z.uuid().nullable(),
  version: z.number().int(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  solvedAt: Timestamp.nullable(),
  closedAt: Timestamp.nullable(),
});

export const TicketLink = z.object({
  id: z.uuid(),
  kind: z.enum(LINK_KINDS),
  targetTicketId: z.uuid().nullable(),
  targetNumber: z.number().int().nullable(),
  url: z.string().nullable(),
  title: z.string().nullable(),
  createdAt: Timestamp,
});

export const TicketDetail = TicketView.extend({ followerIds: z.array(z.uuid()), links: z.array(TicketLink) });

// `approximate`: the words matched nothing, so these are tickets whose subject has similar words (typos).
export const TicketPage = z.object({ items: z.array(TicketView), nextCursor: z.string().nullable(), approximate: z.boolean().optional() });

export const MessageView = z.object({
  id: z.uuid(),
  ticketId: z.uuid(),
  public: z.boolean(),
  direction: z.enum(['inbound', 'outbound', 'internal']),
  channel: z.enum(CHANNELS),
  bodyText: z.string(),
  bodyHtml: z.string(),
  // Mail whose sender could not be verified (a staff address without proof, failed DMARC): label it as such.
  senderUnverified: z.boolean(),
  createdAt: Timestamp,
  author: z.object({ id: z.uuid(), name: z.string(), role: z.string() }).nullable(),
  attachments: z.array(z.object({ id: z.uuid(), filename: z.string(), contentType: z.string(), size: z.number().int() })),
});

export const AddMessageResult = z.object({ messageId: z.uuid(), followUp: z.boolean(), ticket: TicketDetail });

export const EventView = z.object({
  id: z.number().int(),
  ticketId: z.uuid(),
  actorId: z.uuid().nullable(),
  kind: z.string(),
  field: z.string().nullable(),
  fromValue: z.unknown(),
  toValue: z.unknown(),
  public: z.boolean(),
  at: Timestamp,
  ticketVersion: z.number().int().nullable(),
});

export const AttachmentView = z.object({ id: z.uuid(), filename: z.string(), contentType: z.string(), size: z.number().int(), sha256: z.string() });

export const BulkResult = z.object({
  items: z.array(z.object({ id: z.uuid(), ok: z.boolean(), code: z.string().optional(), detail: z.string().optional() })),
});

export const PresenceView = z.object({
  items: z.array(z.object({ userId: z.uuid(), name: z.string(), typing: z.boolean(), seenAt: Timestamp })),
});

/** A ticket's state as its requester is told it (as Zendesk does): new, open and on-hold are all "open" to them. */
export const CUSTOMER_STATUSES = ['open', 'awaiting_your_reply', 'solved', 'closed'] as const;

/**
 * A ticket as a customer sees it: requester-facing fields only. Who works on it (assignee, group), how the desk
 * sorts it (priority, type, tags, product area, due date, custom fields), its organisation and followers are the
 * desk's. Strict, so a staff-only field never slips through (see customer-view.ts).
 */
export const CustomerTicketView = z
  .object({
    id: z.uuid(),
    number: z.number().int(),
    subject: z.string(),
    status: z.enum(CUSTOMER_STATUSES),
    requester: Person,
    channel: z.enum(CHANNELS),
    mergedIntoId: z.uuid().nullable(),
    followUpOfId: z.uuid().nullable(),
    version: z.number().int(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
    solvedAt: Timestamp.nullable(),
    closedAt: Timestamp.nullable(),
  })
  .strict();
export const CustomerTicketDetail = CustomerTicketView.extend({ links: z.array(TicketLink) }).strict();
