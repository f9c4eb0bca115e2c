import { z } from 'zod';
import { ROLES } from '../../platform/auth.js';

// Response schemas of the people API (see tickets.responses.ts for what they are for).

import { Timestamp } from '../../platform/responses.js';

export const UserView = z.object({
  id: z.uuid(),
  email: z.string(),
  name: z.string(),
  role: z.enum(ROLES),
  organizationId: z.uuid().nullable(),
  // A customer who sees every ticket of their organisation.
  organizationSupervisor: z.boolean(),
  // 'groups': a light agent or agent who sees only their groups' tickets (plus assigned and followed ones).
  ticketAccess: z.enum(['all', 'groups']),
  active: z.boolean(),
  createdAt: Timestamp,
});

export const SignInResult = z.object({ user: UserView, csrfToken: z.string() });

export const MeView = UserView.extend({
  groupIds: z.array(z.uuid()),
  via: z.enum(['session', 'token', 'system']),
  scopes: z.array(z.string()).nullable(),
  csrfToken: z.string().nullable(),
});

export const OrganizationView = z.object({
  id: z.uuid(),
  name: z.string(),
  domains: z.array(z.string()),
  notes: z.string(),
  sharedTickets: z.boolean(),
  customFields: z.record(z.string(), z.unknown()),
  createdAt: Timestamp,
});

/** What a customer sees of their own organisation: no notes, domains or custom fields (those are internal). */
export const CustomerOrganizationView = z.object({ id: z.uuid(), name: z.string(), sharedTickets: z.boolean() }).strict();

export const GroupView = z.object({
  id: z.uuid(),
  name: z.string(),
  description: z.string(),
  escalatesToId: z.uuid().nullable(),
  createdAt: Timestamp,
  memberIds: z.array(z.uuid()),
});
