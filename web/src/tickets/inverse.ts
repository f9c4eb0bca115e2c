import type { TicketRow } from '../api/types';
import type { TicketUpdate } from './TicketPage';

/**
 * The change that takes `changes` back, from the ticket as the agent saw it; undefined when there is none (a
 * priority cannot be emptied again, say).
 */
export function inverseOf(ticket: TicketRow & { followerIds?: string[] }, changes: TicketUpdate): TicketUpdate | undefined {
  const inverse: TicketUpdate = {};
  for (const key of Object.keys(changes) as (keyof TicketUpdate)[]) {
    switch (key) {
      case 'version':
        break;
      case 'priority':
        if (!ticket.priority) return undefined;
        inverse.priority = ticket.priority.key;
        break;
      case 'customFields':
        inverse.customFields = Object.fromEntries(Object.keys(changes.customFields ?? {}).map((k) => [k, ticket.customFields[k] ?? null]));
        break;
      case 'addTags':
        inverse.removeTags = (changes.addTags ?? []).filter((t) => !ticket.tags.includes(t));
        break;
      case 'removeTags':
        inverse.addTags = (changes.removeTags ?? []).filter((t) => ticket.tags.includes(t));
        break;
      case 'status':
        // Nothing goes back to New (transitions.ts): Open is the nearest state before the change.
        inverse.status = ticket.statusCategory === 'new' ? 'open' : ticket.status;
        break;
      case 'subject':
        inverse.subject = ticket.subject;
        break;
      case 'type':
      case 'assigneeId':
      case 'groupId':
      case 'organizationId':
      case 'productArea':
      case 'dueAt':
        inverse[key] = ticket[key];
        break;
      case 'tags':
        inverse.tags = ticket.tags;
        break;
      case 'followerIds':
        if (!ticket.followerIds) return undefined;
        inverse.followerIds = ticket.followerIds;
        break;
      default:
        return undefined;
    }
  }
  return Object.keys(inverse).length ? inverse : undefined;
}

