import { z } from 'zod';
import { CHANNELS, LINK_KINDS } from './tickets.schema.js';

// Request schemas of the tickets API: validation, types and the OpenAPI document come from these.

const Tag = z.string().trim().toLowerCase().min(1).max(64).regex(/^[^\s,]+$/, 'tags have no spaces or commas');
const Body = z.string().min(1, 'must not be empty').max(200_000);
const Email = z.string().trim().toLowerCase().pipe(z.email());

export const TicketParams = z.object({ id: z.string().max(64) });

export const CreateTicketBody = z.object({
  subject: z.string().trim().min(1, 'must not be empty').max(500),
  description: Body,
  format: z.enum(['markdown', 'html', 'text']).default('markdown'),
  requesterId: z.uuid().optional(),
  requester: z.object({ email: Email, name: z.string().trim().max(200).optional() }).optional(),
  organizationId: z.uuid().nullable().optional(),
  assigneeId: z.uuid().nullable().optional(),
  groupId: z.uuid().nullable().optional(),
  status: z.string().max(64).optional(),
  priority: z.string().max(32).optional(),
  type: z.string().max(64).nullable().optional(),
  channel: z.enum(CHANNELS).optional(),
  tags: z.array(Tag).max(50).default([]),
  productArea: z.string().trim().max(200).nullable().optional(),
  dueAt: z.iso.datetime({ offset: true }).nullable().optional(),
  customFields: z.record(z.string(), z.unknown()).default({}),
  followerIds: z.array(z.uuid()).max(100).default([]),
  cc: z.array(Email).max(50).default([]),
  attachmentIds: z.array(z.uuid()).max(50).default([]),
});
export type CreateTicketBody = z.infer<typeof CreateTicketBody>;

export const UpdateTicketBody = z
  .object({
    version: z.number().int().positive().optional(),
    subject: z.string().trim().min(1, 'must not be empty').max(500).optional(),
    status: z.string().max(64).optional(),
    priority: z.string().max(32).optional(),
    type: z.string().max(64).nullable().optional(),
    assigneeId: z.uuid().nullable().optional(),
    groupId: z.uuid().nullable().optional(),
    organizationId: z.uuid().nullable().optional(),
    tags: z.array(Tag).max(50).optional(),
    addTags: z.array(Tag).max(50).optional(),
    removeTags: z.array(Tag).max(50).optional(),
    productArea: z.string().trim().max(200).nullable().optional(),
    dueAt: z.iso.datetime({ offset: true }).nullable().optional(),
    customFields: z.record(z.string(), z.unknown()).optional(),
    followerIds: z.array(z.uuid()).max(100).optional(),
  })
  .strict();
export type UpdateTicketBody = z.infer<typeof UpdateTicketBody>;

export const AddMessageBody = z.object({
  body: Body,
  format: z.enum(['markdown', 'html', 'text']).default('markdown'),
  public: z.boolean().default(true),
  attachmentIds: z.array(z.uuid()).max(50).default([]),
  // "Submit as": set the state in the same change as the reply.
  status: z.string().max(64).optional(),
  version: z.number().int().positive().optional(),
});
export type AddMessageBody = z.infer<typeof AddMessageBody>;

export const MergeBody = z.object({ targetId: z.uuid() });

export const AddLinkBody = z
  .object({
    kind: z.enum(LINK_KINDS),
    targetTicketId: z.uuid().optional(),
    url: z.url({ protocol: /^https?$/ }).max(2000).optional(),
    title: z.string().trim().max(500).optional(),
  })
  .refine((l) => (l.kind === 'external' ? !!l.url && !l.targetTicketId : !!l.targetTicketId && !l.url), {
    message: 'an external link needs url; a ticket link needs targetTicketId',
    path: ['kind'],
  });

export const ListTicketsQuery = z.object({
  q: z.string().max(1000).optional(),
  status: z.string().max(500).optional(),
  priority: z.string().max(200).optional(),
  assignee: z.string().max(254).optional(),
  group: z.string().max(200).optional(),
  org: z.string().max(200).optional(),
  requester: z.string().max(254).optional(),
  tag: z.string().max(500).optional(),
  type: z.string().max(200).optional(),
  channel: z.string().max(200).optional(),
  sort: z.enum(['created', 'updated', 'priority']).default('created'),
  order: z.enum(['asc', 'desc']).default('desc'),
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z.string().max(500).optional(),
});

/** The structured escalation form (PMERIT handbook): why a ticket goes up a tier. */
export const EscalateBody = z.object({
  impact: z.string().trim().min(1).max(5000),
  tried: z.string().trim().min(1).max(5000),
  needed: z.string().trim().min(1).max(5000),
  urgency: z.enum(['low', 'medium', 'high', 'critical']),
  // Defaults to the next tier: the ticket's group's "escalates to".
  toGroupId: z.uuid().optional(),
  version: z.number().int().positive().optional(),
});
export type EscalateBody = z.infer<typeof EscalateBody>;

/** One change for many tickets (the list's bulk actions), or merging them all into one. */
export const BulkBody = z
  .object({
    ids: z.array(z.uuid()).min(1, 'pick at least one ticket').max(100),
    changes: UpdateTicketBody.omit({ version: true }).optional(),
    mergeIntoId: z.uuid().optional(),
  })
  .refine((b) => !!b.changes !== !!b.mergeIntoId, { message: 'send either changes or mergeIntoId', path: ['changes'] });
export type BulkBody = z.infer<typeof BulkBody>;
