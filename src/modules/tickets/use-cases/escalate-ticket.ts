import type { Actor } from '../../../platform/auth.js';
import { AppError } from '../../../platform/errors.js';
import type { TicketRow } from '../tickets.queries.js';
import { changeTicket, type TicketDeps, type Within } from './command.js';
import { insertMessage, renderBody } from './messages.js';
import { applyChanges } from './update-ticket.js';

/** The structured escalation form (PMERIT handbook): why a ticket goes up a tier. */
export type EscalationForm = {
  impact: string;
  tried: string;
  needed: string;
  urgency: 'low' | 'medium' | 'high' | 'critical';
  /** Defaults to the next tier: the ticket's group's "escalates to". */
  toGroupId?: string;
};

/**
 * Moves a ticket up a tier — to its group's "escalates to", or a named group — with the structured form kept
 * as an internal note and an `escalated` event (who, why, when) that reports count and notifications follow.
 * `actor` null is Lifeline itself (an automation).
 */
export function escalateTicket(d: TicketDeps, actor: Actor | null, ticketId: string, form: EscalationForm, o: { expectedVersion?: number } & Within = {}): Promise<TicketRow> {
  return changeTicket(d, { actor, ticketId, expectedVersion: o.expectedVersion, tx: o.tx }, async (tx, current) => {
    if (['merged', 'closed', 'solved'].includes(current.statusCategory)) {
      throw new AppError('CANNOT_ESCALATE', `Ticket #${current.number} is ${current.statusCategory}; only open work is escalated`);
    }
    const from = current.groupId ? await d.people.getGroup(current.groupId, tx) : undefined;
    const toGroupId = form.toGroupId ?? from?.escalatesToId ?? null;
    if (!toGroupId) {
      throw new AppError(
        'CANNOT_ESCALATE',
        from ? `${from.name} is the top tier: it escalates to no group; name one with toGroupId` : 'The ticket has no group to escalate from; name one with toGroupId',
        { fields: [{ path: 'toGroupId', message: 'required here' }] },
      );
    }
    if (toGroupId === current.groupId) throw new AppError('CANNOT_ESCALATE', 'The ticket is already in that group');
    const to = await d.people.getGroup(toGroupId, tx, 'INVALID_REFERENCE');
    const { set, events } = await applyChanges(d, tx, current, { groupId: toGroupId });
    // The tier that escalated keeps seeing the ticket, even when its agents see only their groups' tickets.
    if (current.groupId && !current.escalatedFromGroupIds.includes(current.groupId)) {
      set.escalatedFromGroupIds = [...current.escalatedFromGroupIds, current.groupId];
    }
    const note = [
      `**Escalated** from ${from?.name ?? 'no group'} to ${to.name} — urgency: ${form.urgency}`,
      `**Impact:** ${form.impact}`,
      `**Tried:** ${form.tried}`,
      `**Needed:** ${form.needed}`,
    ].join('\n\n');
    const noteId = await insertMessage(d, tx, current, {
      authorId: actor?.userId ?? null,
      public: false,
      direction: 'internal',
      channel: 'api',
      body: renderBody(note, 'markdown'),
      attachmentIds: [],
      uploaderId: null,
    });
    return {
      set,
      events: [
        ...events,
        {
          kind: 'escalated',
          from: { groupId: current.groupId, group: from?.name ?? null },
          to: { groupId: to.id, group: to.name, urgency: form.urgency, impact: form.impact, tried: form.tried, needed: form.needed, by: actor ? 'agent' : 'automation' },
          public: false,
        },
        { kind: 'message_added', to: { messageId: noteId, public: false, author: actor ? 'agent' : 'system', direction: 'internal', channel: 'api' }, public: false },
      ],
    };
  });
}
