import type { z } from 'zod';
import type { CUSTOMER_STATUSES, CustomerTicketDetail, CustomerTicketView } from './tickets.responses.js';
import type { StateCategory } from './tickets.schema.js';

type CustomerStatus = (typeof CUSTOMER_STATUSES)[number];

/** The requester's words for a state category: pending is waiting on them; a merged ticket is closed to them. */
const CUSTOMER_STATUS: Record<StateCategory, CustomerStatus> = {
  new: 'open',
  open: 'open',
  on_hold: 'open',
  pending: 'awaiting_your_reply',
  solved: 'solved',
  closed: 'closed',
  merged: 'closed',
};

type StaffView = {
  id: string;
  number: number;
  subject: string;
  statusCategory: StateCategory;
  requester: { id: string; name: string; email: string };
  channel: z.infer<typeof CustomerTicketView>['channel'];
  mergedIntoId: string | null;
  followUpOfId: string | null;
  version: number;
  createdAt: Date;
  updatedAt: Date;
  solvedAt: Date | null;
  closedAt: Date | null;
};

/** A ticket view cut down to what its customer may see: fields are picked, never copied wholesale. */
export function customerView(t: StaffView): z.infer<typeof CustomerTicketView> {
  return {
    id: t.id,
    number: t.number,
    subject: t.subject,
    status: CUSTOMER_STATUS[t.statusCategory],
    requester: t.requester,
    channel: t.channel,
    mergedIntoId: t.mergedIntoId,
    followUpOfId: t.followUpOfId,
    version: t.version,
    createdAt: t.createdAt,
    updatedAt: t.updatedAt,
    solvedAt: t.solvedAt,
    closedAt: t.closedAt,
  };
}

export function customerDetail(t: StaffView & { links: z.infer<typeof CustomerTicketDetail>['links'] }): z.infer<typeof CustomerTicketDetail> {
  return { ...customerView(t), links: t.links };
}
