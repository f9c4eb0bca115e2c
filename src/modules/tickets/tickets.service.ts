import type { Tx } from '../../db/client.js';
import type { Actor } from '../../platform/auth.js';
import type { Ctx } from '../../platform/context.js';
import type { CustomFieldsService } from '../custom-fields/custom-fields.service.js';
import type { PeopleService } from '../people/people.service.js';
import { type EventSubscriber, type TicketEvent, TicketEventStream } from './events.js';
import type { TicketSettingsService } from './settings.service.js';
import type { TicketQueries, TicketRow } from './tickets.queries.js';
import type { Channel } from './tickets.schema.js';
import { addMessage, type NewMessage } from './use-cases/add-message.js';
import { type BulkChange, type BulkOutcome, bulkUpdate } from './use-cases/bulk-update.js';
import type { AutoAssigner, TicketDeps, Within } from './use-cases/command.js';
import type { AddedMessage } from './use-cases/create-follow-up.js';
import { type CreatedTicket, type CreateOptions, createTicket, type NewTicket } from './use-cases/create-ticket.js';
import { type EscalationForm, escalateTicket } from './use-cases/escalate-ticket.js';
import { addLink, type NewLink, removeLink, type TicketLinkRow } from './use-cases/link-tickets.js';
import { mergeTickets } from './use-cases/merge-tickets.js';
import { type RenderFormat, renderBody } from './use-cases/messages.js';
import { addSystemMessage, type ReceivedMessage, type ReceiveOptions, receiveMessage } from './use-cases/receive-message.js';
import { type TicketChanges, updateTicket } from './use-cases/update-ticket.js';
import { type AttachmentRow, uploadAttachment } from './use-cases/upload-attachment.js';

import { recordSatisfaction, type SatisfactionAnswer } from './use-cases/record-satisfaction.js';
export type { TicketEvent } from './events.js';
export { EVENTS_CHANNEL } from './events.js';
export type { AutoAssigner, Within } from './use-cases/command.js';
export type { AddedMessage } from './use-cases/create-follow-up.js';
export type { CreatedTicket, CreateOptions, NewTicket, TicketDetail } from './use-cases/create-ticket.js';
export type { ReceiveOptions } from './use-cases/receive-message.js';
export type { TicketChanges } from './use-cases/update-ticket.js';

/**
 * Called inside the transaction of every ticket command with the events it wrote, to enqueue its jobs (the email
 * channel's). New code declares an `EventSubscriber` with `subscribe` instead (see events.ts).
 */
export type TicketEventListener = (tx: Tx, events: TicketEvent[], ticket: TicketRow) => Promise<void>;

/**
 * Ticket commands, the facade other modules call: each method is one use case in `use-cases/` (one file each,
 * taking domain inputs; see docs/architecture.md "Tickets as use cases"). Each runs in one transaction — its own,
 * or the caller's given as `{ tx }` — that writes the state, its events, and the jobs it causes.
 */
export class TicketsService {
  /** The ticket event stream's subscribers (SLA clocks, triggers, email …), declared by their modules. */
  readonly events: TicketEventStream;
  private assigner: AutoAssigner | undefined;
  private legacy = 0;
  private readonly d: TicketDeps;

  constructor(ctx: Ctx, people: PeopleService, settings: TicketSettingsService, fields: CustomFieldsService, queries: TicketQueries) {
    this.events = new TicketEventStream(ctx.clock);
    this.d = { ctx, people, settings, fields, queries, events: this.events, assigner: () => this.assigner };
  }

  /** Declares a subscriber of the ticket event stream: an in-transaction step or (the default) a job. */
  subscribe(subscriber: EventSubscriber): void {
    this.events.subscribe(subscriber);
  }

  /** A listener that enqueues its own jobs in the command's transaction: a job subscriber under another name. */
  onEvents(listener: TicketEventListener): void {
    this.subscribe({
      name: `listener-${++this.legacy}`,
      mode: 'job',
      jobs: async (tx, events, ticket) => {
        await listener(tx, events, ticket);
        return [];
      },
    });
  }

  /** Sets the auto-assignment step (the assignment module's). */
  useAutoAssignment(assigner: AutoAssigner): void {
    this.assigner = assigner;
  }

  create(actor: Actor, input: NewTicket, options: CreateOptions = {}): Promise<CreatedTicket> {
    return createTicket(this.d, actor, input, options);
  }

  update(actor: Actor | null, id: string, changes: TicketChanges, options: { expectedVersion?: number } & Within = {}): Promise<TicketRow> {
    return updateTicket(this.d, actor, id, changes, options);
  }

  escalate(actor: Actor | null, id: string, form: EscalationForm, options: { expectedVersion?: number } & Within = {}): Promise<TicketRow> {
    return escalateTicket(this.d, actor, id, form, options);
  }

  addMessage(actor: Actor, id: string, input: NewMessage, options: { channel?: Channel; expectedVersion?: number } & Within = {}): Promise<AddedMessage> {
    return addMessage(this.d, actor, id, input, options);
  }

  receiveMessage(author: Actor | null, ticketId: string, input: ReceivedMessage, options: ReceiveOptions = {}): Promise<AddedMessage> {
    return receiveMessage(this.d, author, ticketId, input, options);
  }

  recordSatisfaction(requesterId: string, ticketId: string, answer: SatisfactionAnswer, options: Within = {}): Promise<void> {
    return recordSatisfaction(this.d, requesterId, ticketId, answer, options);
  }

  addSystemMessage(ticketId: string, input: { body: string; public: boolean }, options: Within = {}): Promise<AddedMessage> {
    return addSystemMessage(this.d, ticketId, input, options);
  }

  merge(actor: Actor, sourceId: string, targetId: string, options: Within = {}): Promise<TicketRow> {
    return mergeTickets(this.d, actor, sourceId, targetId, options);
  }

  bulk(actor: Actor, change: BulkChange): Promise<BulkOutcome[]> {
    return bulkUpdate(this.d, actor, change);
  }

  addLink(actor: Actor, id: string, link: NewLink, options: Within = {}): Promise<TicketLinkRow> {
    return addLink(this.d, actor, id, link, options);
  }

  removeLink(actor: Actor, id: string, linkId: string, options: Within = {}): Promise<void> {
    return removeLink(this.d, actor, id, linkId, options);
  }

  upload(actor: Actor, file: { filename: string; contentType: string; data: Buffer }): Promise<AttachmentRow> {
    return uploadAttachment(this.d, actor, file);
  }

  /** A message body as the conversation will show it (sanitised HTML), for the composer's preview. */
  preview(body: string, format: RenderFormat): string {
    return renderBody(body, format).html;
  }
}
