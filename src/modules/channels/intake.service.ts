import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import { type Executor, rowsOf, type Tx } from '../../db/client.js';
import type { Actor } from '../../platform/auth.js';
import type { Ctx } from '../../platform/context.js';
import { AppError } from '../../platform/errors.js';
import type { IdentitiesService, IdentityKind } from '../people/identities.service.js';
import type { PeopleService, User } from '../people/people.service.js';
import { type Channel, stampMessage } from '../tickets/intake.queries.js';
import type { TicketRow } from '../tickets/tickets.queries.js';
import type { TicketsService } from '../tickets/tickets.service.js';
import { channelMessages } from './channels.schema.js';

/** How a person is known on the channel a message came through (Slack user in a workspace, an email address). */
export type SenderIdentity = { kind: IdentityKind; value: string; scope?: string; displayName?: string };

/**
 * What every channel hands the pipeline: "this identity said this, in external thread T, with external message
 * id M and these attachments, through connection C of channel K".
 */
export type Handover = {
  channel: Channel;
  connectionId?: string | null;
  identity: SenderIdentity;
  /** The message's id in its channel (email Message-ID, Slack ts, GitHub comment id): written on the message. */
  externalId: string;
  /** What redeliveries of this message share, when it is not `externalId` (email: its inbound dedupe key). */
  dedupeKey?: string;
  /**
   * Where `dedupeKey`/`externalId` is unique: the connection (default when there is one: Slack ts per workspace) or
   * the whole channel (email: its dedupe key is already per address, whichever door the message came through).
   */
  dedupeScope?: 'connection' | 'channel';
  /** The channel's conversation (Slack thread ts, GitHub issue): the next message in it lands on the same ticket. */
  externalThread?: string | null;
  subject?: string;
  body: string;
  format: 'text' | 'html' | 'markdown';
  attachmentIds?: string[];
};

/** What the message became. `duplicate`: it had been taken in before (ledger row found), nothing was written now. */
export type IntakeResult = { duplicate: boolean; ticketId: string; messageId: string; created: boolean; followUp: boolean; authorRefused: boolean };

export type IntakeWritten = { tx: Tx; ticket: TicketRow; messageId: string; created: boolean; followUp: boolean; authorRefused: boolean };

/**
 * What a channel that decides more itself passes along (email: who the sender is after its verification, which
 * ticket References/reply tokens thread into, whether the message is a note, the address's group and priority).
 */
export type IntakeOptions = {
  /** The sender, when the channel already found them (by identity; see `findPerson`). */
  person?: User;
  /** The ticket the channel's own threading chose; else the ticket that owns `externalThread`, else a new one. */
  ticketId?: string;
  /** For a message on an existing ticket. */
  reply?: { note?: boolean; followerIds?: string[]; authorMustChange?: boolean };
  /** For a new ticket: fields beyond subject, body and requester. */
  newTicket?: { groupId?: string | null; type?: string | null; priority?: string; followerIds?: string[] };
  /** Mail whose sender could not be verified: the message is flagged. */
  senderUnverified?: (written: { created: boolean; authorRefused: boolean }) => boolean;
  /** The channel's own writes, in the same transaction as the message (email: marks its inbound row processed). */
  within?: (written: IntakeWritten) => Promise<void>;
};

/** Thrown inside the command's transaction to roll it back when the ledger already holds the message. */
class AlreadyTaken extends Error {}

/**
 * The one intake pipeline (see docs/architecture.md "A new channel"): dedupes a handed-over message on (connection
 * or channel, M) with the unique index of `channel_messages` — the ledger row is inserted in the same transaction
 * as the ticket or message, so a crash replays cleanly and of two processes the second waits on the index and
 * rolls back —, finds the person by contact identity or creates them with it, threads into the ticket that owns
 * the external thread (or the one the channel chose) or opens one, writes `messages.external_id`, and records the
 * channel and connection.
 */
export class IntakeService {
  constructor(
    private readonly ctx: Ctx,
    private readonly people: PeopleService,
    private readonly identities: IdentitiesService,
    private readonly tickets: TicketsService,
  ) {}

  /**
   * The person an identity belongs to — after a merge, the survivor (identities move with it) — active or not.
   * Email falls back to the account's own address for a user whose identity row is missing.
   */
  async findPerson(identity: SenderIdentity, ex: Executor = this.ctx.db): Promise<User | undefined> {
    if (identity.kind === 'email' && !identity.scope) return this.identities.findPersonByEmail(identity.value, ex);
    return this.identities.findPerson(identity.kind, identity.value, identity.scope ?? '', ex);
  }

  /** The person, or a new customer known by this identity (email: in the organisation that claims the domain). */
  async findOrCreatePerson(identity: SenderIdentity): Promise<User> {
    const found = await this.findPerson(identity);
    if (found) return found;
    if (identity.kind === 'email') return this.people.findOrCreateCustomer({ email: identity.value, name: identity.displayName });
    return this.identities.createPerson(identity.kind, identity.value, identity.scope ?? '', identity.displayName);
  }

  /** The ticket whose conversation `thread` is on this connection or channel (its latest message's ticket). */
  async threadTicket(source: string, thread: string): Promise<string | undefined> {
    const [row] = await this.ctx.db
      .select({ ticketId: channelMessages.ticketId })
      .from(channelMessages)
      .where(and(eq(channelMessages.source, source), eq(channelMessages.externalThread, thread)))
      .orderBy(desc(channelMessages.createdAt))
      .limit(1);
    return row?.ticketId;
  }

  /** The ledger row of a message taken in before. */
  async taken(source: string, key: string) {
    const [row] = await this.ctx.db
      .select()
      .from(channelMessages)
      .where(and(eq(channelMessages.source, source), eq(channelMessages.externalId, key)));
    return row;
  }

  /** Which of `ticketIds` were started or continued by a message from `source` (e.g. one widget site). */
  async ticketsFrom(source: string, ticketIds: string[]): Promise<Set<string>> {
    if (!ticketIds.length) return new Set();
    const rows = await this.ctx.db
      .selectDistinct({ ticketId: channelMessages.ticketId })
      .from(channelMessages)
      .where(and(eq(channelMessages.source, source), inArray(channelMessages.ticketId, ticketIds)));
    return new Set(rows.map((r) => r.ticketId));
  }

  async receive(h: Handover, options: IntakeOptions = {}): Promise<IntakeResult> {
    if (!h.externalId.trim()) throw new AppError('VALIDATION_FAILED', `A ${h.channel} message needs its external id`);
    const source = sourceOf(h);
    const key = (h.dedupeKey ?? h.externalId).slice(0, 1000);
    const externalId = h.externalId.slice(0, 1000);
    // No read of the ledger first: a message arrives once far more often than twice, and the claim below (a unique
    // index, in the command's transaction) turns a second arrival into a rollback and a read of the first.
    const person = options.person ?? (await this.findOrCreatePerson(h.identity));
    const actor: Actor = await this.people.actorFor(person);
    const ticketId = options.ticketId ?? (h.externalThread ? await this.threadTicket(source, h.externalThread) : undefined);
    const written = async (w: Omit<IntakeWritten, 'tx'>, tx: Tx) => {
      // The claim: the unique index decides which of two concurrent runs keeps its ticket/message.
      const claimed = rowsOf<{ id: string }>(
        await tx.execute(sql`
          insert into ${channelMessages} (channel, source, external_id, external_thread, connection_id, ticket_id, message_id, created_at)
          values (${h.channel}, ${source}, ${key}, ${h.externalThread ?? null}, ${h.connectionId ?? null}::uuid, ${w.ticket.id}::uuid, ${w.messageId}::uuid,
                  ${this.ctx.clock.now().toISOString()}::timestamptz)
          on conflict (source, external_id) do nothing
          returning id`),
      );
      if (claimed.length === 0) throw new AlreadyTaken();
      // A new ticket's first message was written stamped (`stamp` below); a reply is stamped now, because whether
      // its sender counts as unverified depends on what the command decided (authorRefused).
      if (!w.created) {
        const unverified = options.senderUnverified?.({ created: false, authorRefused: w.authorRefused }) ?? false;
        await stampMessage(tx, w.messageId, { externalId, senderUnverified: unverified });
      }
      await options.within?.({ ...w, tx });
    };
    try {
      // The message, its ledger row and the channel's own writes commit together.
      return await this.ctx.db.transaction(async (tx) => {
        if (ticketId) {
          const added = await this.tickets.receiveMessage(
            actor,
            ticketId,
            {
              body: h.body,
              format: h.format,
              attachmentIds: h.attachmentIds ?? [],
              note: options.reply?.note ?? false,
              followerIds: options.reply?.followerIds ?? [],
              channel: h.channel,
            },
            { authorMustChange: options.reply?.authorMustChange, tx },
          );
          const w = { ticket: added.ticket, messageId: added.messageId, created: false, followUp: added.followUp, authorRefused: added.authorRefused === true };
          await written(w, tx);
          return { duplicate: false, ticketId: added.ticket.id, messageId: added.messageId, created: false, followUp: w.followUp, authorRefused: w.authorRefused };
        }
        const created = await this.tickets.create(
          actor,
          {
            subject: h.subject?.trim() || '(no subject)',
            description: h.body,
            format: h.format,
            requesterId: person.id,
            groupId: options.newTicket?.groupId,
            type: options.newTicket?.type ?? undefined,
            priority: options.newTicket?.priority,
            channel: h.channel,
            tags: [],
            customFields: {},
            followerIds: options.newTicket?.followerIds ?? [],
            cc: [],
            attachmentIds: h.attachmentIds ?? [],
          },
          {
            trusted: true,
            defaultChannel: h.channel,
            stamp: { externalId, senderUnverified: options.senderUnverified?.({ created: true, authorRefused: false }) ?? false },
            tx,
          },
        );
        await written({ ticket: created.ticket, messageId: created.messageId, created: true, followUp: false, authorRefused: false }, tx);
        return { duplicate: false, ticketId: created.ticket.id, messageId: created.messageId, created: true, followUp: false, authorRefused: false };
      });
    } catch (err) {
      if (!(err instanceof AlreadyTaken)) throw err;
      const first = await this.taken(source, key);
      if (!first) throw new Error(`intake: ${source}/${key} was claimed but is not in the ledger`);
      return { duplicate: true, ticketId: first.ticketId, messageId: first.messageId, created: false, followUp: false, authorRefused: false };
    }
  }
}

/** Where external ids are unique: the connection (a Slack workspace, a GitHub repository), else the channel. */
export function sourceOf(h: Pick<Handover, 'channel' | 'connectionId' | 'dedupeScope'>): string {
  return h.connectionId && h.dedupeScope !== 'channel' ? `connection:${h.connectionId}` : `channel:${h.channel}`;
}
