import { timingSafeEqual } from 'node:crypto';
import { and, count, eq, gte, isNull, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Actor } from '../../platform/auth.js';
import type { Ctx } from '../../platform/context.js';
import { randomToken, sha256 } from '../../platform/crypto.js';
import { AppError } from '../../platform/errors.js';
import { Secrets } from '../../platform/secrets.js';
import type { CsatService } from '../csat/csat.service.js';
import type { KbService } from '../kb/kb.service.js';
import type { CustomFieldsService } from '../custom-fields/custom-fields.service.js';
import type { OutboundService } from '../email/outbound.service.js';
import type { PeopleService, User } from '../people/people.service.js';
import type { TicketSettingsService } from '../tickets/settings.service.js';
import type { TicketQueries } from '../tickets/tickets.queries.js';
import type { TicketsService } from '../tickets/tickets.service.js';
import { type PortalSettingsData, portalConfirmations, portalSettings, portalSignInLinks } from './portal.schema.js';

/** How long an emailed sign-in link works, and how many may be asked for per address and per client. */
export const LINK_TTL_MS = 15 * 60_000;
const LINK_WINDOW_MS = 15 * 60_000;
const LINKS_PER_ADDRESS = 3;
const LINKS_PER_CLIENT = 10;

/** The state the agent sets when a fix is out: the customer confirms it (→ solved) or says it is not fixed. */
export const AWAITING_CONFIRMATION = 'fix_provided';

const CATEGORY_LABELS: Record<string, string> = {
  new: '⭕ Received',
  open: '🟡 We are working on it',
  on_hold: '🟡 We are working on it',
  pending: '🔴 Waiting for your reply',
  solved: '🟢 Solved',
  closed: '🟢 Closed',
  merged: 'Closed (merged into another request)',
};
const DEFAULT_LABELS: Record<string, string> = { [AWAITING_CONFIRMATION]: '🟢 Fix provided — please confirm it works' };

export const DEFAULT_PORTAL_SETTINGS: PortalSettingsData = { labels: {}, types: [], customFields: [], attachments: true };

export const PortalSettingsBody = z
  .object({
    labels: z.record(z.string().max(64), z.string().trim().min(1).max(100)).refine((r) => Object.keys(r).length <= 50, 'at most 50 labels'),
    types: z.array(z.string().max(64)).max(50),
    customFields: z.array(z.string().max(64)).max(30),
    attachments: z.boolean(),
  })
  .strict();

export const NewRequestBody = z
  .object({
    subject: z.string().trim().min(1, 'must not be empty').max(300),
    description: z.string().trim().min(1, 'must not be empty').max(20_000),
    type: z.string().max(64).nullable().optional(),
    customFields: z.record(z.string().max(64), z.unknown()).default({}),
    attachmentIds: z.array(z.uuid()).max(10).default([]),
    // The form's id for the help-centre suggestions it showed: sending the request means they did not deflect it.
    kbImpression: z.uuid().optional(),
  })
  .strict();

export const ReplyBody = z
  .object({
    body: z.string().trim().min(1, 'must not be empty').max(20_000),
    attachmentIds: z.array(z.uuid()).max(10).default([]),
  })
  .strict();

export const NotFixedBody = z.object({ comment: z.string().trim().min(1, 'say what still does not work').max(20_000) }).strict();

/**
 * The customer portal (docs/portal.md): sign-in by emailed link, the customer's requests (and their
 * organisation's, for supervisors), new requests on the admin's form, replies, and confirming a fix. Every ticket
 * change goes through the tickets use cases with the customer as the actor, so visibility and events are theirs.
 */
export class PortalService {
  private secretsLoaded: Secrets | undefined;

  constructor(
    private readonly ctx: Ctx,
    private readonly d: {
      people: PeopleService;
      tickets: TicketsService;
      queries: TicketQueries;
      settings: TicketSettingsService;
      fields: CustomFieldsService;
      outbound: OutboundService;
      csat: CsatService;
      /** The knowledge base: a request sent from a form that showed suggestions was not deflected by them. */
      kb: Pick<KbService, 'requested'>;
      /** The public status page's summary (Statuspage v2 JSON): its active incidents are the portal's banners. */
      statusSummary: () => Promise<string>;
    },
  ) {}

  private get secrets(): Secrets {
    this.secretsLoaded ??= Secrets.load(this.ctx.config);
    return this.secretsLoaded;
  }

  // ---- sign-in by emailed link

  /**
   * Emails a sign-in link to a customer's address. The answer is the same whether the address has an account or
   * not (every request is counted alike); only active customers get a link. Over the per-address or per-client
   * limit: TOO_MANY_ATTEMPTS, again the same for every address.
   */
  async requestLink(email: string, client: string): Promise<void> {
    const address = email.trim().toLowerCase();
    const now = this.ctx.clock.now();
    const since = new Date(now.getTime() - LINK_WINDOW_MS);
    const emailHash = sha256(`portal-link:${address}`);
    const clientHash = sha256(`portal-client:${client}`);
    await this.ctx.db.transaction(async (tx) => {
      // One request at a time per address (an advisory lock on its hash), so parallel requests cannot all pass.
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${emailHash}))`);
      const [byAddress] = await tx.select({ n: count() }).from(portalSignInLinks).where(and(eq(portalSignInLinks.emailHash, emailHash), gte(portalSignInLinks.createdAt, since)));
      const [byClient] = await tx.select({ n: count() }).from(portalSignInLinks).where(and(eq(portalSignInLinks.clientHash, clientHash), gte(portalSignInLinks.createdAt, since)));
      if ((byAddress?.n ?? 0) >= LINKS_PER_ADDRESS || (byClient?.n ?? 0) >= LINKS_PER_CLIENT) {
        throw new AppError('TOO_MANY_ATTEMPTS', 'Too many sign-in links asked for; wait a few minutes and try again');
      }
      const user = await this.d.people.findUserByEmail(address, tx);
      const eligible = user?.active && user.role === 'customer' ? user : null;
      const raw = randomToken(32);
      await tx.insert(portalSignInLinks).values({
        tokenHash: eligible ? sha256(raw) : null,
        userId: eligible?.id ?? null,
        emailHash,
        clientHash,
        createdAt: now,
        expiresAt: new Date(now.getTime() + LINK_TTL_MS),
      });
      // Old requests are forgotten after a day (they only count for the limits).
      await tx.delete(portalSignInLinks).where(sql`${portalSignInLinks.createdAt} < ${new Date(now.getTime() - 86_400_000).toISOString()}::timestamptz`);
      if (!eligible) return;
      const link = `${this.ctx.config.publicUrl}/portal/sign-in#token=${this.signedToken(raw)}`;
      await this.d.outbound.queueStandalone(tx, {
        kind: 'sign_in_link',
        to: eligible.email,
        subject: 'Your sign-in link',
        text: `Hello ${eligible.name},\n\nSign in to your support requests with this link:\n\n${link}\n\nIt works once, for ${LINK_TTL_MS / 60_000} minutes. If you did not ask for it, ignore this email.\n`,
      });
    });
  }

  private signedToken(raw: string): string {
    return `${raw}.${this.secrets.mac('portal sign-in', raw)}`;
  }

  /** The stored hash of a link's token; a changed or malformed token is SIGN_IN_LINK_INVALID before any lookup. */
  private linkHash(token: string): string {
    const [raw, mac, extra] = token.split('.');
    const invalid = new AppError('SIGN_IN_LINK_INVALID', 'This sign-in link is not valid; ask for a new one');
    if (!raw || !mac || extra !== undefined || token.length > 300) throw invalid;
    const expected = Buffer.from(this.secrets.mac('portal sign-in', raw));
    const given = Buffer.from(mac);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid;
    return sha256(raw);
  }

  /**
   * Whose account a link opens, without using it: the page asks "Sign in as a…@example.org?" and only the button
   * redeems the link (a link to someone else's account, opened unawares, must not sign anyone in). The address is
   * shown masked, in case the link was forwarded. The same errors as redeeming.
   */
  async checkLink(token: string): Promise<{ email: string }> {
    const hash = this.linkHash(token);
    const invalid = new AppError('SIGN_IN_LINK_INVALID', 'This sign-in link is not valid; ask for a new one');
    const [row] = await this.ctx.db.select().from(portalSignInLinks).where(eq(portalSignInLinks.tokenHash, hash));
    if (!row?.userId) throw invalid;
    if (row.usedAt) throw new AppError('SIGN_IN_LINK_USED', 'This sign-in link was already used; ask for a new one');
    if (row.expiresAt.getTime() <= this.ctx.clock.now().getTime()) throw new AppError('SIGN_IN_LINK_EXPIRED', 'This sign-in link has expired; ask for a new one');
    const user = await this.d.people.getUser(row.userId);
    if (!user.active || user.role !== 'customer') throw invalid;
    const at = user.email.lastIndexOf('@');
    return { email: `${user.email.slice(0, 1)}…${user.email.slice(at)}` };
  }

  /**
   * Redeems a link once: a session like a password sign-in's. A changed token is SIGN_IN_LINK_INVALID before any
   * lookup; a used one SIGN_IN_LINK_USED; an old one SIGN_IN_LINK_EXPIRED.
   */
  async redeem(token: string): Promise<{ token: string; csrfToken: string; user: User }> {
    const hash = this.linkHash(token);
    const invalid = new AppError('SIGN_IN_LINK_INVALID', 'This sign-in link is not valid; ask for a new one');
    const now = this.ctx.clock.now();
    return this.ctx.db.transaction(async (tx) => {
      const [used] = await tx
        .update(portalSignInLinks)
        .set({ usedAt: now })
        .where(and(eq(portalSignInLinks.tokenHash, hash), isNull(portalSignInLinks.usedAt), sql`${portalSignInLinks.expiresAt} > ${now.toISOString()}::timestamptz`))
        .returning({ userId: portalSignInLinks.userId });
      if (!used?.userId) {
        const [row] = await tx.select().from(portalSignInLinks).where(eq(portalSignInLinks.tokenHash, hash));
        if (!row) throw invalid;
        if (row.usedAt) throw new AppError('SIGN_IN_LINK_USED', 'This sign-in link was already used; ask for a new one');
        throw new AppError('SIGN_IN_LINK_EXPIRED', 'This sign-in link has expired; ask for a new one');
      }
      const user = await this.d.people.getUser(used.userId, tx);
      if (!user.active || user.role !== 'customer') throw invalid;
      const session = await this.d.people.startSession(user.id, tx);
      return { ...session, user };
    });
  }

  // ---- settings (admins)

  async getSettings(): Promise<PortalSettingsData> {
    const [row] = await this.ctx.db.select().from(portalSettings).where(eq(portalSettings.id, 1));
    return { ...DEFAULT_PORTAL_SETTINGS, ...(row?.data ?? {}) };
  }

  async updateSettings(data: PortalSettingsData): Promise<PortalSettingsData> {
    const states = new Set((await this.d.settings.listStates()).map((s) => s.key));
    const types = new Set((await this.d.settings.listTypes()).map((t) => t.key));
    const fields = new Set((await this.d.fields.list('ticket')).filter((f) => f.active).map((f) => f.key));
    const problems = [
      ...Object.keys(data.labels).filter((k) => !states.has(k)).map((k) => ({ path: `body.labels.${k}`, message: 'no such state' })),
      ...data.types.filter((k) => !types.has(k)).map((k) => ({ path: 'body.types', message: `no ticket type ${k}` })),
      ...data.customFields.filter((k) => !fields.has(k)).map((k) => ({ path: 'body.customFields', message: `no ticket field ${k}` })),
    ];
    if (problems.length) throw new AppError('INVALID_REFERENCE', 'The portal settings name states, types or fields that do not exist', { fields: problems });
    const now = this.ctx.clock.now();
    await this.ctx.db.insert(portalSettings).values({ id: 1, data, updatedAt: now }).onConflictDoUpdate({ target: portalSettings.id, set: { data, updatedAt: now } });
    return data;
  }

  /** What a customer reads for a state: the admin's words for it, else the built-in ones. */
  async labels(): Promise<(key: string, category: string) => string> {
    const settings = await this.getSettings();
    return (key, category) => settings.labels[key] ?? DEFAULT_LABELS[key] ?? CATEGORY_LABELS[category] ?? key;
  }

  // ---- the customer's pages

  async home(actor: Actor) {
    const user = await this.d.people.getUser(actor.userId);
    const organization = user.organizationId ? await this.d.people.getOrganization(user.organizationId).catch(() => null) : null;
    const settings = await this.getSettings();
    const types = (await this.d.settings.listTypes()).filter((t) => t.active && settings.types.includes(t.key)).map((t) => ({ key: t.key, label: t.label }));
    const fields = (await this.d.fields.list('ticket'))
      .filter((f) => f.active && settings.customFields.includes(f.key))
      .map((f) => ({ key: f.key, label: f.label, kind: f.kind, options: f.options }));
    return {
      user: { id: user.id, name: user.name, email: user.email },
      organization: organization ? { id: organization.id, name: organization.name } : null,
      supervisor: !!organization && user.organizationSupervisor,
      form: { types, customFields: fields, attachments: settings.attachments },
      banners: await this.banners(),
      csrfToken: actor.csrfToken,
    };
  }

  /** Active incidents the public status page shows (only what it shows: title, state, latest public update). */
  private async banners() {
    const summary = JSON.parse(await this.d.statusSummary()) as { incidents: { id: string; name: string; status: string; impact: string; incident_updates: { body: string }[]; shortlink: string }[] };
    return summary.incidents.map((i) => ({ id: i.id, title: i.name, state: i.status, impact: i.impact, update: i.incident_updates[0]?.body ?? null, link: `/status/incidents/${i.id}` }));
  }

  async list(actor: Actor, scope: 'mine' | 'organization', cursor?: string) {
    if (scope === 'organization' && !(actor.organizationId && actor.organizationSupervisor)) {
      throw new AppError('NOT_A_SUPERVISOR', "Only people their organisation marks as supervisors see the organisation's requests");
    }
    const filter = scope === 'mine' ? { requester: actor.userId } : { org: actor.organizationId as string };
    const page = await this.d.queries.list(actor, filter, { sort: 'updated', order: 'desc', limit: 50, cursor });
    const label = await this.labels();
    return {
      items: page.items.map((t) => ({
        id: t.id,
        number: t.number,
        subject: t.subject,
        status: label(t.status, t.statusCategory),
        awaitingConfirmation: t.status === AWAITING_CONFIRMATION,
        requester: { name: t.requester.name },
        updatedAt: t.updatedAt,
        createdAt: t.createdAt,
      })),
      nextCursor: page.nextCursor,
    };
  }

  async detail(actor: Actor, id: string) {
    const t = await this.d.queries.detail(actor, id);
    const messages = (await this.d.queries.messages(actor, t.id)).filter((m) => m.public);
    const label = await this.labels();
    const own = t.requester.id === actor.userId;
    return {
      id: t.id,
      number: t.number,
      subject: t.subject,
      status: label(t.status, t.statusCategory),
      awaitingConfirmation: t.status === AWAITING_CONFIRMATION,
      canConfirm: own && t.status === AWAITING_CONFIRMATION,
      canReopen: own && (t.status === AWAITING_CONFIRMATION || t.statusCategory === 'solved'),
      canReply: t.statusCategory !== 'merged' && t.statusCategory !== 'closed',
      requester: { name: t.requester.name },
      createdAt: t.createdAt,
      updatedAt: t.updatedAt,
      version: t.version,
      messages: messages.map((m) => ({
        id: m.id,
        fromSupport: m.direction === 'outbound',
        author: m.author?.name ?? 'Support',
        html: m.bodyHtml,
        createdAt: m.createdAt,
        attachments: m.attachments.map((a) => ({ id: a.id, filename: a.filename, size: a.size })),
      })),
      survey: own ? await this.d.csat.openForRequester(t.id, actor.userId) : null,
    };
  }

  /** A new request on the admin's form: type and fields only those offered, channel `portal`. */
  async create(actor: Actor, input: z.infer<typeof NewRequestBody>) {
    const settings = await this.getSettings();
    const problems: { path: string; message: string }[] = [];
    if (input.type && !settings.types.includes(input.type)) problems.push({ path: 'body.type', message: 'not a type this form offers' });
    for (const key of Object.keys(input.customFields)) if (!settings.customFields.includes(key)) problems.push({ path: `body.customFields.${key}`, message: 'not a field on this form' });
    if (input.attachmentIds.length && !settings.attachments) problems.push({ path: 'body.attachmentIds', message: 'this form takes no attachments' });
    if (problems.length) throw new AppError('FIELD_NOT_ON_FORM', 'The request names something the form does not offer', { fields: problems });
    // Lifeline builds the ticket from the checked form (`trusted`: the type a customer may not set by the API is
    // one the admin offers here); the requester is the signed-in customer.
    const { ticket } = await this.d.tickets.create(
      actor,
      {
        subject: input.subject,
        description: input.description,
        format: 'text',
        type: input.type ?? undefined,
        channel: 'portal',
        tags: [],
        customFields: input.customFields,
        followerIds: [],
        cc: [],
        attachmentIds: input.attachmentIds,
      },
      { trusted: true },
    );
    if (input.kbImpression) await this.d.kb.requested(input.kbImpression);
    return this.detail(actor, ticket.id);
  }

  async reply(actor: Actor, id: string, input: z.infer<typeof ReplyBody>) {
    const t = await this.d.queries.getRow(actor, id);
    await this.d.tickets.addMessage(actor, t.id, { body: input.body, format: 'text', public: true, attachmentIds: input.attachmentIds }, { channel: 'portal' });
    return this.detail(actor, t.id);
  }

  /** "It works": a fix provided → solved, recorded as confirmed by the customer. Only the requester confirms. */
  async confirm(actor: Actor, id: string) {
    const t = await this.d.queries.getRow(actor, id);
    if (t.requesterId !== actor.userId || t.status !== AWAITING_CONFIRMATION) {
      throw new AppError('NOT_AWAITING_CONFIRMATION', 'This request is not waiting for you to confirm a fix');
    }
    const solved = (await this.d.settings.listStates()).find((s) => s.key === 'solved' || s.category === 'solved');
    if (!solved) throw new AppError('INVALID_TRANSITION', 'There is no solved state');
    await this.ctx.db.transaction(async (tx) => {
      await this.d.tickets.update(actor, t.id, { status: solved.key }, { expectedVersion: t.version, tx });
      await tx.insert(portalConfirmations).values({ ticketId: t.id, userId: actor.userId, outcome: 'confirmed', createdAt: this.ctx.clock.now() });
    });
    return this.detail(actor, t.id);
  }

  /** "Not fixed": their comment on the ticket, which reopens it (a fix provided, or solved). */
  async notFixed(actor: Actor, id: string, comment: string) {
    const t = await this.d.queries.getRow(actor, id);
    if (t.requesterId !== actor.userId || !(t.status === AWAITING_CONFIRMATION || t.statusCategory === 'solved')) {
      throw new AppError('NOT_AWAITING_CONFIRMATION', 'This request is not waiting for you to confirm a fix');
    }
    await this.ctx.db.transaction(async (tx) => {
      const added = await this.d.tickets.addMessage(actor, t.id, { body: `Not fixed: ${comment}`, format: 'text', public: true, attachmentIds: [] }, { channel: 'portal', tx });
      // A reply moves the ticket per its state's rule; make sure it is open again whatever that rule says.
      if (added.ticket.statusCategory !== 'open' && added.ticket.statusCategory !== 'new') await this.d.tickets.update(actor, t.id, { status: 'open' }, { tx });
      await tx.insert(portalConfirmations).values({ ticketId: t.id, userId: actor.userId, outcome: 'not_fixed', comment, createdAt: this.ctx.clock.now() });
    });
    return this.detail(actor, t.id);
  }
}
