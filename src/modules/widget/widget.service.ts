import { randomBytes } from 'node:crypto';
import { lte, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Actor } from '../../platform/auth.js';
import { clientKey } from '../../platform/client-key.js';
import type { Ctx } from '../../platform/context.js';
import { AppError } from '../../platform/errors.js';
import type { ChannelsService, Connection } from '../channels/channels.service.js';
import { type IntakeService, type SenderIdentity, sourceOf } from '../channels/intake.service.js';
import type { CsatService, RatingInput } from '../csat/csat.service.js';
import type { KbService } from '../kb/kb.service.js';
import type { KbTranslations } from '../kb/translations.service.js';
import type { IdentitiesService } from '../people/identities.service.js';
import type { PeopleService, User } from '../people/people.service.js';
import type { OutboundService } from '../email/outbound.service.js';
import { replyParts, ticketRef } from '../tickets/intake.queries.js';
import type { TicketsService } from '../tickets/tickets.service.js';
import { type IdentityClaims, verifyIdentityToken } from './identity-token.js';
import { decodeFiles, describeUserAgent, MAX_FILES, oneLine } from './report-parts.js';
import { widgetRateLimits } from './widget.schema.js';

const LIMIT_WINDOW_MS = 60_000;

/** An allowed origin as the browser sends it: scheme, host and port only (`https://app.example.com`). */
const OriginText = z
  .string()
  .trim()
  .max(300)
  .transform((s, c) => {
    let u: URL;
    try {
      u = new URL(s);
    } catch {
      c.addIssue({ code: 'custom', message: `${s} is not a URL (write it like https://app.example.com)` });
      return z.NEVER;
    }
    if ((u.protocol !== 'https:' && u.protocol !== 'http:') || u.username || u.password || (u.pathname !== '/' && u.pathname !== '') || u.search || u.hash) {
      c.addIssue({ code: 'custom', message: `${s}: only the scheme, host and port (https://app.example.com), no path` });
      return z.NEVER;
    }
    return u.origin;
  });

export const SiteBody = z.object({
  name: z.string().trim().min(1).max(200),
  allowedOrigins: z.array(OriginText).min(1).max(50),
  enabled: z.boolean().default(true),
  reportsPerMinute: z.number().int().min(1).max(10_000).default(60),
  visitorReportsPerMinute: z.number().int().min(1).max(1000).default(5),
  // Whether an identity token's `organisation` places the requester in that organisation, matched by id or by name.
  organisationFromToken: z.enum(['off', 'id', 'name']).default('off'),
});
export const UpdateSiteBody = z.object({
  name: SiteBody.shape.name.optional(),
  allowedOrigins: SiteBody.shape.allowedOrigins.optional(),
  enabled: z.boolean().optional(),
  reportsPerMinute: z.number().int().min(1).max(10_000).optional(),
  visitorReportsPerMinute: z.number().int().min(1).max(1000).optional(),
  organisationFromToken: z.enum(['off', 'id', 'name']).optional(),
});

export const Site = z.object({
  id: z.uuid(),
  name: z.string(),
  siteKey: z.string(),
  allowedOrigins: z.array(z.string()),
  enabled: z.boolean(),
  reportsPerMinute: z.number(),
  visitorReportsPerMinute: z.number(),
  organisationFromToken: z.enum(['off', 'id', 'name']),
  lastReportAt: z.date().nullable(),
  createdAt: z.date(),
});
export type Site = z.infer<typeof Site>;

const ContextBody = z
  .object({
    url: z.string().max(2000).optional(),
    referrer: z.string().max(2000).optional(),
    userAgent: z.string().max(500).optional(),
    language: z.string().max(50).optional(),
    timeZone: z.string().max(100).optional(),
    viewport: z.object({ width: z.number().int().min(0).max(100_000), height: z.number().int().min(0).max(100_000) }).optional(),
    screen: z.object({ width: z.number().int().min(0).max(100_000), height: z.number().int().min(0).max(100_000) }).optional(),
    appVersion: z.string().max(100).optional(),
    custom: z
      .record(z.string().max(100), z.union([z.string().max(500), z.number(), z.boolean(), z.null()]))
      .refine((r) => Object.keys(r).length <= 30, 'at most 30 custom values')
      .optional(),
    queuedAt: z.iso.datetime().optional(),
  })
  .default({});

export const ReportBody = z.object({
  // Made by the browser when the report is written; a retry (offline queue, lost answer) sends the same one.
  idempotencyKey: z.string().regex(/^[A-Za-z0-9_-]{8,100}$/, '8 to 100 letters, digits, - or _'),
  description: z.string().trim().min(1).max(20_000),
  email: z.email().max(320).optional(),
  name: z.string().max(200).optional(),
  identity: z.string().min(1).max(4096).optional(),
  attachments: z
    .array(z.object({ filename: z.string().trim().min(1).max(255), contentType: z.string().max(200).default('application/octet-stream'), data: z.string() }))
    .max(MAX_FILES)
    .default([]),
  context: ContextBody,
  // The panel's form impression (the id its suggestion look-ups carried): the request was sent, so what it was shown
  // did not deflect it (the knowledge base's deflection counts, as the portal's form).
  kbImpression: z.uuid().optional(),
});
export type ReportBody = z.infer<typeof ReportBody>;

export type ReportResult = { duplicate: boolean; ticketNumber: number };

function siteOf(c: Connection): Site {
  const config = c.config as { siteKey?: string; allowedOrigins?: string[]; reportsPerMinute?: number; visitorReportsPerMinute?: number; organisationFromToken?: Site['organisationFromToken'] };
  return {
    id: c.id,
    name: c.name,
    siteKey: config.siteKey ?? '',
    allowedOrigins: config.allowedOrigins ?? [],
    enabled: c.status !== 'disabled',
    reportsPerMinute: config.reportsPerMinute ?? 60,
    visitorReportsPerMinute: config.visitorReportsPerMinute ?? 5,
    organisationFromToken: config.organisationFromToken ?? 'off',
    lastReportAt: c.lastSuccessAt,
    createdAt: c.createdAt,
  };
}

const newSecret = () => randomBytes(32).toString('base64url');

/** Escapes what would make a visitor's text a link, emphasis, code, a table or HTML in the context note (it stays readable). */
const md = (s: string) => s.replace(/[\\`*_[\]<>|~]/g, (ch) => `\\${ch}`);

/**
 * The "Report an issue" widget (docs/widget.md): sites are channel connections of kind `widget` (config: site key,
 * allowed origins, limits; secret: the identity-token key), and a report goes through the intake pipeline as
 * channel `widget`, deduped on (site, idempotency key) by its ledger.
 */
export class WidgetService {
  constructor(
    private readonly ctx: Ctx,
    private readonly deps: { channels: ChannelsService; intake: IntakeService; people: PeopleService; identities: IdentitiesService; tickets: TicketsService; kb: KbService; kbTranslations: KbTranslations; outbound: OutboundService; csat: CsatService },
  ) {}

  // ---- sites (admins)

  async sites(): Promise<Site[]> {
    return (await this.deps.channels.list('widget')).map(siteOf);
  }

  async site(id: string): Promise<Site> {
    const c = await this.deps.channels.find(id, 'widget');
    if (!c) throw new AppError('NOT_FOUND', `No widget site with id ${id}`);
    return siteOf(c);
  }

  /** A new site; its identity secret is returned this once (only a rotation shows a secret again). */
  async createSite(input: z.infer<typeof SiteBody>): Promise<Site & { identitySecret: string }> {
    const identitySecret = newSecret();
    const c = await this.deps.channels.create({
      kind: 'widget',
      name: input.name,
      config: {
        siteKey: `wk_${randomBytes(18).toString('base64url')}`,
        allowedOrigins: [...new Set(input.allowedOrigins)],
        reportsPerMinute: input.reportsPerMinute,
        visitorReportsPerMinute: input.visitorReportsPerMinute,
        organisationFromToken: input.organisationFromToken,
      },
      secrets: { identitySecret },
      status: input.enabled ? 'active' : 'disabled',
    });
    return { ...siteOf(c), identitySecret };
  }

  async updateSite(id: string, input: z.infer<typeof UpdateSiteBody>): Promise<Site> {
    const current = await this.site(id);
    const c = await this.deps.channels.update(id, {
      name: input.name,
      config: {
        siteKey: current.siteKey,
        allowedOrigins: input.allowedOrigins ? [...new Set(input.allowedOrigins)] : current.allowedOrigins,
        reportsPerMinute: input.reportsPerMinute ?? current.reportsPerMinute,
        visitorReportsPerMinute: input.visitorReportsPerMinute ?? current.visitorReportsPerMinute,
        organisationFromToken: input.organisationFromToken ?? current.organisationFromToken,
      },
      status: input.enabled === undefined ? undefined : input.enabled ? 'active' : 'disabled',
    });
    return siteOf(c);
  }

  /** A new identity secret: tokens signed with the old one stop verifying at once. */
  async rotateSecret(id: string): Promise<Site & { identitySecret: string }> {
    await this.site(id);
    const identitySecret = newSecret();
    const c = await this.deps.channels.update(id, { secrets: { identitySecret } });
    return { ...siteOf(c), identitySecret };
  }

  async deleteSite(id: string): Promise<void> {
    await this.site(id);
    await this.deps.channels.remove(id);
  }

  // ---- the public side

  /**
   * The site a request names, if it may be used from `origin`: unknown key, disabled site and an origin not on its
   * list are each refused with their own code. Browsers always send Origin on the cross-origin calls the widget makes.
   */
  async siteFor(siteKey: string, origin: string | undefined): Promise<{ site: Site; connection: Connection }> {
    const connection = (await this.deps.channels.list('widget')).find((c) => (c.config as { siteKey?: string }).siteKey === siteKey);
    if (!connection) throw new AppError('WIDGET_SITE_UNKNOWN', 'No widget site has this key; copy the snippet from Admin → Report-an-issue widget again');
    const site = siteOf(connection);
    if (!site.enabled) throw new AppError('WIDGET_SITE_DISABLED', 'This widget site is switched off');
    if (!origin || !site.allowedOrigins.includes(origin)) {
      throw new AppError('WIDGET_ORIGIN_REFUSED', `${origin ? `The origin ${oneLine(origin, 300)} is` : 'A request without an Origin is'} not allowed for this widget site; add it to the site's allowed origins`);
    }
    return { site, connection };
  }

  /**
   * Article suggestions as a visitor types (public articles only), rate-limited per client like the portal's; in the
   * visitor's language (`locale`: the widget's setting, the host page's or the browser's) when the help centre is
   * translated into it, else in its own.
   */
  async suggest(q: string, ip: string, impression?: string, rawLocale?: string) {
    const locale = await this.deps.kbTranslations.resolve(rawLocale);
    await this.deps.kb.limit('widget-suggest', clientKey(ip));
    const items = locale ? await this.deps.kbTranslations.suggest(null, locale, q) : await this.deps.kb.suggest(null, q);
    // Shown in the panel's form `impression`: each counts toward its article's deflections unless a report follows.
    if (impression) await this.deps.kb.recordImpression(null, impression, items.map((i) => i.id));
    return { items, locale: locale ?? (await this.deps.kbTranslations.defaultLocale()) };
  }

  /** What a visitor said of a suggested article (solved / not related / did not answer): the KB's deflection counts. */
  async feedback(input: { articleId: string; outcome: 'solved' | 'not_related' | 'not_answered'; query: string; impression?: string }, ip: string): Promise<void> {
    await this.deps.kb.limit('widget-feedback', clientKey(ip));
    await this.deps.kb.feedback(null, input);
  }

  /**
   * Takes a report in. Everything that can be refused is checked before anything is written (identity token,
   * files); a key taken before returns that report's ticket and creates nothing.
   */
  async report(at: { site: Site; connection: Connection }, body: ReportBody, ip: string): Promise<ReportResult> {
    const { site, connection } = at;
    const source = sourceOf({ channel: 'widget', connectionId: site.id });
    const first = await this.deps.intake.taken(source, body.idempotencyKey);
    if (first) return { duplicate: true, ticketNumber: (await ticketRef(this.ctx.db, { id: first.ticketId }))?.number ?? 0 };

    let claims: IdentityClaims | undefined;
    if (body.identity) {
      const { identitySecret } = await this.deps.channels.openSecrets<{ identitySecret: string }>(connection);
      claims = verifyIdentityToken(body.identity, identitySecret, site.siteKey, this.ctx.clock.now().getTime());
    }
    if (!claims && !body.email) throw new AppError('VALIDATION_FAILED', 'Give an email address so the team can answer you', { fields: [{ path: 'body.email', message: 'required without a signed identity' }] });
    const files = decodeFiles(body.attachments);

    // The visitor's own limit first: one visitor over it is refused without using up the site's budget, which would
    // otherwise let one address keep every other visitor of the site out.
    await this.limit(`visitor:${site.id}:${claims ? `sub:${claims.sub}` : `ip:${clientKey(ip)}`}`, site.visitorReportsPerMinute, 'you');
    await this.limit(`site:${site.id}`, site.reportsPerMinute, 'this site');

    const { person, identity } = await this.requester(site, claims, body);
    // Before the ticket is made, so it is the organisation's ticket from the start.
    const organisation = claims?.organisation ? await this.placeInOrganisation(site, claims.organisation, person) : undefined;
    const actor: Actor = await this.deps.people.actorFor(person);
    const attachmentIds: string[] = [];
    for (const f of files) attachmentIds.push((await this.deps.tickets.upload(actor, f)).id);
    const description = body.description;
    const firstLine = oneLine(description.split('\n').find((l) => l.trim()) ?? '', 200);
    const subject = firstLine.length > 80 ? `${firstLine.slice(0, 79)}…` : firstLine;
    const result = await this.deps.intake.receive(
      { channel: 'widget', connectionId: site.id, identity, externalId: body.idempotencyKey, subject, body: description, format: 'text', attachmentIds },
      {
        person,
        senderUnverified: () => !claims,
        within: async ({ tx, ticket, created }) => {
          if (created) await this.deps.tickets.addSystemMessage(ticket.id, { body: this.contextNote(site, body, claims, organisation), public: false }, { tx });
        },
      },
    );
    await this.deps.channels.recordSuccess(site.id);
    if (body.kbImpression && !result.duplicate) await this.deps.kb.requested(body.kbImpression);
    return { duplicate: result.duplicate, ticketNumber: (await ticketRef(this.ctx.db, { id: result.ticketId }))?.number ?? 0 };
  }

  /**
   * Who reported: a verified identity is the site's user `sub` (found again by it next time; linked to the customer
   * with the token's email when there is one, never to staff — a host's token does not speak for an agent); else
   * the typed email, unverified like mail (the message is flagged).
   */
  private async requester(site: Site, claims: IdentityClaims | undefined, body: ReportBody): Promise<{ person: User; identity: SenderIdentity }> {
    if (!claims) {
      // A typed address proves nothing: anyone can type an agent's. Staff report through the app, or through a host's
      // signed identity; a typed staff address is refused rather than filing the report as that agent.
      const known = await this.deps.identities.findPersonByEmail(body.email as string);
      if (known && known.role !== 'customer') {
        throw new AppError('WIDGET_EMAIL_IS_STAFF', 'That address belongs to the support team; report with your own address', { fields: [{ path: 'body.email', message: 'a support team address' }] });
      }
      const identity: SenderIdentity = { kind: 'email', value: body.email as string, displayName: oneLine(body.name, 200) || undefined };
      return { person: known ?? (await this.deps.intake.findOrCreatePerson(identity)), identity };
    }
    const identity: SenderIdentity = { kind: 'widget', scope: site.id, value: claims.sub, displayName: claims.name ?? claims.email };
    const known = await this.deps.intake.findPerson(identity);
    if (known) return { person: known, identity };
    // Only an address the host says it verified is linked to a customer: an unverified one would let any user of the
    // host app file reports, and receive replies, as whichever customer has that address.
    if (claims.email && claims.emailVerified) {
      const byEmail = await this.deps.identities.findPersonByEmail(claims.email);
      const person = byEmail ?? (await this.deps.people.findOrCreateCustomer({ email: claims.email, name: claims.name }));
      if (person.role === 'customer') {
        await this.deps.identities.attach(person.id, { kind: 'widget', scope: site.id, value: claims.sub, verified: true });
        return { person, identity };
      }
    }
    return { person: await this.deps.intake.findOrCreatePerson(identity), identity };
  }

  /**
   * A verified token's organisation, when the site says to take it (by id or by name): the requester (a customer —
   * `requester` never returns staff for a token) is placed in it. An organisation not found moves nobody; the report
   * is taken all the same. Returns the context note's line saying what happened.
   */
  private async placeInOrganisation(site: Site, claimed: string, person: User): Promise<string> {
    const named = oneLine(claimed, 200);
    if (site.organisationFromToken === 'off') return `Organisation from the token: ${md(named)} (this site does not place people in organisations)`;
    const org =
      site.organisationFromToken === 'id'
        ? z.uuid().safeParse(named).success
          ? (await this.deps.people.getOrganizations([named]))[0]
          : undefined
        : await this.deps.people.findOrganizationByName(named);
    if (!org) return `Organisation from the token: ${md(named)} is not an organisation here (matched by ${site.organisationFromToken}); nobody was moved`;
    if (person.role !== 'customer') return `Organisation from the token: ${md(org.name)} (not applied: the requester is not a customer)`;
    if (person.organizationId === org.id) return `Organisation from the token: ${md(org.name)} (the requester is in it)`;
    await this.deps.people.updateUser(person.id, { organizationId: org.id });
    return `Organisation from the token: ${md(org.name)} — the requester was placed in it`;
  }

  // ---- satisfaction surveys in the panel (a verified identity only: a typed email proves nothing)

  /** The person a verified token names on this site, if they have reported here before. */
  private async visitor(at: { site: Site; connection: Connection }, token: string): Promise<User | undefined> {
    const { identitySecret } = await this.deps.channels.openSecrets<{ identitySecret: string }>(at.connection);
    const claims = verifyIdentityToken(token, identitySecret, at.site.siteKey, this.ctx.clock.now().getTime());
    return this.deps.intake.findPerson({ kind: 'widget', scope: at.site.id, value: claims.sub });
  }

  /**
   * The visitor's unanswered surveys on tickets reported through this site (a site's token speaks for its users on
   * this site only: it does not show surveys of their mail or of another site), newest first.
   */
  async surveys(at: { site: Site; connection: Connection }, token: string, ip: string) {
    await this.deps.kb.limit('widget-surveys', clientKey(ip));
    const person = await this.visitor(at, token);
    if (!person) return [];
    const open = await this.deps.csat.unansweredFor(person.id);
    const mine = await this.deps.intake.ticketsFrom(sourceOf({ channel: 'widget', connectionId: at.site.id }), open.map((s) => s.ticketId));
    const { reasons } = await this.deps.csat.getSettings();
    const items = [];
    for (const s of open.filter((o) => mine.has(o.ticketId))) {
      const ref = await ticketRef(this.ctx.db, { id: s.ticketId });
      if (ref) items.push({ ticketNumber: ref.number, subject: ref.subject, expiresAt: s.expiresAt, reasons });
    }
    return items;
  }

  /** The visitor answers a survey in the panel: the csat module's own rules (sent, not withdrawn, in its window). */
  async answerSurvey(at: { site: Site; connection: Connection }, token: string, ticketNumber: number, input: RatingInput, ip: string) {
    await this.deps.kb.limit('widget-surveys', clientKey(ip));
    const person = await this.visitor(at, token);
    const ref = await ticketRef(this.ctx.db, { number: ticketNumber });
    const fromSite = ref && (await this.deps.intake.ticketsFrom(sourceOf({ channel: 'widget', connectionId: at.site.id }), [ref.id])).has(ref.id);
    if (!person || !ref || !fromSite) throw new AppError('SURVEY_NOT_SENT', 'There is no survey to answer on this ticket');
    const answered = await this.deps.csat.answerAsRequester(await this.deps.people.actorFor(person), ref.id, input);
    return { ticketNumber: ref.number, rating: answered.rating, comment: answered.comment, reason: answered.reason };
  }

  /** The report's context as an internal note agents read on the ticket. */
  private contextNote(site: Site, body: ReportBody, claims: IdentityClaims | undefined, organisation: string | undefined): string {
    const c = body.context;
    // Every value on one line: a visitor's newline could otherwise start a paragraph that reads like ours
    // ("Identity verified by the site: …") in an unverified report.
    const lines: string[] = [`**Reported through the widget** on ${md(oneLine(site.name, 200))}`];
    if (claims) {
      const who = [claims.name, claims.email].filter(Boolean).map((v) => oneLine(v, 320)).join(', ');
      lines.push(`Identity verified by the site: user ${md(oneLine(claims.sub, 200))}${who ? ` (${md(who)})` : ''}${claims.organisation ? `, organisation ${md(oneLine(claims.organisation, 200))}` : ''}`);
    } else {
      lines.push(`Email typed by the visitor, not verified: ${md(oneLine(body.email ?? '', 320))}`);
    }
    if (organisation) lines.push(organisation);
    if (c.url) lines.push(`Page: ${md(oneLine(c.url, 2000))}`);
    if (c.referrer) lines.push(`Came from: ${md(oneLine(c.referrer, 2000))}`);
    if (c.userAgent) {
      const ua = describeUserAgent(c.userAgent);
      lines.push(`Browser: ${md(oneLine(ua.browser, 100))} · OS: ${md(oneLine(ua.os, 100))}`);
    }
    const sizes = [c.viewport && `viewport ${c.viewport.width}×${c.viewport.height}`, c.screen && `screen ${c.screen.width}×${c.screen.height}`].filter(Boolean).join(', ');
    if (sizes) lines.push(`Window: ${sizes}`);
    const locale = [c.language && `language ${md(oneLine(c.language, 50))}`, c.timeZone && `time zone ${md(oneLine(c.timeZone, 100))}`].filter(Boolean).join(', ');
    if (locale) lines.push(`Locale: ${locale}`);
    if (c.appVersion) lines.push(`App version: ${md(oneLine(c.appVersion, 200))}`);
    if (c.queuedAt) lines.push(`Written while offline at ${md(oneLine(c.queuedAt, 100))}, sent when the network returned`);
    const custom = Object.entries(c.custom ?? {});
    if (custom.length) lines.push(`Custom data:\n${custom.map(([k, v]) => `- ${md(oneLine(k, 100))}: ${md(oneLine(String(v), 500))}`).join('\n')}`);
    if (c.userAgent) lines.push(`User agent: ${md(oneLine(c.userAgent, 500))}`);
    return lines.join('\n\n');
  }

  /** Counts one report against a limit of `max` a minute, shared by every process (the database holds the count). */
  private async limit(key: string, max: number, who: string): Promise<void> {
    const now = this.ctx.clock.now();
    const ends = new Date(now.getTime() + LIMIT_WINDOW_MS);
    const [row] = await this.ctx.db
      .insert(widgetRateLimits)
      .values({ key, hits: 1, expiresAt: ends })
      .onConflictDoUpdate({
        target: widgetRateLimits.key,
        set: {
          hits: sql`case when ${widgetRateLimits.expiresAt} <= ${now} then 1 else ${widgetRateLimits.hits} + 1 end`,
          expiresAt: sql`case when ${widgetRateLimits.expiresAt} <= ${now} then ${ends} else ${widgetRateLimits.expiresAt} end`,
        },
      })
      .returning({ hits: widgetRateLimits.hits, expiresAt: widgetRateLimits.expiresAt });
    if ((row?.hits ?? 0) > max) {
      const retryAfterSeconds = Math.max(1, Math.ceil(((row?.expiresAt.getTime() ?? ends.getTime()) - now.getTime()) / 1000));
      throw new AppError('RATE_LIMITED', `Too many reports from ${who} in a minute (at most ${max}); the widget sends it again shortly`, { extra: { retryAfterSeconds } });
    }
  }

  /**
   * An agent's public reply on a widget ticket: the widget has no inbox, so it goes to the requester by email (the
   * typed address, or the identity token's). A requester known only by the site's user id has no address (theirs is
   * under `.invalid`): the reply stays on the ticket.
   */
  async deliverReply(messageId: string): Promise<void> {
    const parts = await replyParts(this.ctx.db, messageId);
    if (!parts?.ticket.requesterId) return;
    const requester = await this.deps.people.getUser(parts.ticket.requesterId);
    if (requester.email.endsWith('.invalid')) return;
    await this.deps.outbound.sendReply(messageId);
  }

  /** Drops finished rate-limit windows (a sweep). */
  async sweepLimits(): Promise<void> {
    await this.ctx.db.delete(widgetRateLimits).where(lte(widgetRateLimits.expiresAt, this.ctx.clock.now()));
  }
}
