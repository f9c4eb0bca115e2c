import { asc, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Executor } from '../../db/client.js';
import type { Cached } from '../../platform/cache.js';
import type { Ctx } from '../../platform/context.js';
import { AppError, foreignKeyColumn, isUniqueViolation } from '../../platform/errors.js';
import { patchOf } from '../../platform/validation.js';
import type { TicketSettingsService } from '../tickets/settings.service.js';
import type { ChannelsService, Connection } from '../channels/channels.service.js';
import { emailAddresses } from './email.schema.js';
import { checkTemplate } from '../../platform/templates.js';

export type EmailAddress = typeof emailAddresses.$inferSelect;
/** An IMAP mailbox as the email module sees it: a channel connection of kind `imap`, flattened. */
export type MailboxInfo = {
  id: string;
  addressId: string;
  host: string;
  port: number;
  secure: boolean;
  tlsVerify: boolean;
  username: string;
  folder: string;
  afterStore: 'flag' | 'move' | 'delete';
  moveTo: string | null;
  active: boolean;
  status: Connection['status'];
  uidValidity: number | null;
  lastUid: number;
  connected: boolean;
  lastSyncAt: Date | null;
  lastError: string | null;
  lastErrorAt: Date | null;
  failureCount: number;
  createdAt: Date;
};
/** With its password, opened for the poller that logs in with it. */
export type Mailbox = MailboxInfo & { password: string };

type ImapConfig = Pick<MailboxInfo, 'addressId' | 'host' | 'port' | 'secure' | 'tlsVerify' | 'username' | 'folder' | 'afterStore' | 'moveTo'>;
type ImapCursor = { uidValidity?: number | null; lastUid?: number };
const CONFIG_KEYS = ['addressId', 'host', 'port', 'secure', 'tlsVerify', 'username', 'folder', 'afterStore', 'moveTo'] as const;

function mailboxOf(c: Connection): MailboxInfo {
  const config = c.config as ImapConfig;
  const cursor = c.cursor as ImapCursor;
  return {
    id: c.id,
    addressId: config.addressId,
    host: config.host,
    port: config.port,
    secure: config.secure,
    tlsVerify: config.tlsVerify,
    username: config.username,
    folder: config.folder,
    afterStore: config.afterStore,
    moveTo: config.moveTo ?? null,
    active: c.status !== 'disabled',
    status: c.status,
    uidValidity: cursor.uidValidity ?? null,
    lastUid: cursor.lastUid ?? 0,
    connected: c.syncState === 'connected',
    lastSyncAt: c.lastSuccessAt,
    lastError: c.lastError,
    lastErrorAt: c.lastErrorAt,
    failureCount: c.failureCount,
    createdAt: c.createdAt,
  };
}

// Addresses may be on an internal domain (support@localhost), so only the shape is checked.
const Address = z
  .string()
  .trim()
  .toLowerCase()
  .max(254)
  .regex(/^[^\s@<>"(),;:]+@[a-z0-9.-]+$/, 'expected an address like support@example.org');

export const AddressBody = z.object({
  address: Address,
  name: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .regex(/^[^\r\n<>"]*$/, 'a sender name cannot contain line breaks, quotes or angle brackets'),
  groupId: z.uuid().nullable().default(null),
  type: z.string().nullable().default(null),
  priority: z.string().nullable().default(null),
  autoReply: z.boolean().default(true),
  autoReplySubject: z.string().max(1000).nullable().default(null),
  autoReplyBody: z.string().max(50_000).nullable().default(null),
  selfHelpLinks: z
    .array(z.object({ title: z.string().trim().min(1).max(200), url: z.url({ protocol: /^https?$/ }) }))
    .max(20)
    .default([]),
  isDefault: z.boolean().default(false),
  active: z.boolean().default(true),
});
export const UpdateAddressBody = patchOf(AddressBody);

export const MailboxBody = z.object({
  addressId: z.uuid(),
  host: z.string().trim().min(1).max(255),
  port: z.number().int().min(1).max(65535).default(993),
  secure: z.boolean().default(true),
  tlsVerify: z.boolean().default(true),
  username: z.string().min(1).max(320),
  password: z.string().min(1).max(1000),
  folder: z.string().min(1).max(200).default('INBOX'),
  afterStore: z.enum(['flag', 'move', 'delete']).default('flag'),
  moveTo: z.string().min(1).max(200).nullable().default(null),
  active: z.boolean().default(true),
});
export const UpdateMailboxBody = patchOf(MailboxBody);

/** Support addresses and the IMAP mailboxes that feed them: admin-edited, read on every inbound message. */
export class AddressesService {
  private readonly all: Cached<EmailAddress[]>;

  constructor(
    private readonly ctx: Ctx,
    private readonly settings: TicketSettingsService,
    readonly channels: ChannelsService,
  ) {
    this.all = ctx.cache.cached('email_addresses', (ex) => ex.select().from(emailAddresses).orderBy(asc(emailAddresses.createdAt), asc(emailAddresses.address)));
  }

  list(ex?: Executor): Promise<EmailAddress[]> {
    return this.all.get(ex);
  }

  /** The active address that serves `address`, if Lifeline serves it; `support+tag@` is served by `support@`. */
  async served(address: string, ex?: Executor): Promise<EmailAddress | undefined> {
    const a = address.trim().toLowerCase();
    const all = await this.all.get(ex);
    const exact = all.find((x) => x.active && x.address === a);
    if (exact) return exact;
    const base = a.replace(/^([^@+]+)\+[^@]*@/, '$1@');
    return base === a ? undefined : all.find((x) => x.active && x.address === base);
  }

  async byId(id: string | null, ex?: Executor): Promise<EmailAddress | undefined> {
    return id ? (await this.all.get(ex)).find((x) => x.id === id) : undefined;
  }

  /** Where mail not tied to an inbound address (notifications, tickets from other channels) is sent from. */
  async defaultAddress(ex?: Executor): Promise<EmailAddress | undefined> {
    const active = (await this.all.get(ex)).filter((x) => x.active);
    return active.find((x) => x.isDefault) ?? active[0];
  }

  async get(id: string): Promise<EmailAddress> {
    const found = await this.byId(id);
    if (!found) throw new AppError('NOT_FOUND', `No email address with id ${id}`);
    return found;
  }

  async create(input: z.infer<typeof AddressBody>): Promise<EmailAddress> {
    await this.check(input);
    return this.write(async () => {
      const [row] = await this.ctx.db.transaction(async (tx) => {
        if (input.isDefault) await tx.update(emailAddresses).set({ isDefault: false });
        return tx
          .insert(emailAddresses)
          .values({ ...input, createdAt: this.ctx.clock.now() })
          .returning();
      });
      return row as EmailAddress;
    }, input.address);
  }

  async update(id: string, patch: z.infer<typeof UpdateAddressBody>): Promise<EmailAddress> {
    const current = await this.get(id);
    if (Object.keys(patch).length === 0) return current;
    await this.check(patch);
    return this.write(async () => {
      const [row] = await this.ctx.db.transaction(async (tx) => {
        if (patch.isDefault) await tx.update(emailAddresses).set({ isDefault: false });
        return tx.update(emailAddresses).set(patch).where(eq(emailAddresses.id, id)).returning();
      });
      return row as EmailAddress;
    }, patch.address);
  }

  async remove(id: string): Promise<void> {
    await this.get(id);
    // Its IMAP mailboxes go with it (the old mailboxes table cascaded on the address).
    for (const m of await this.listMailboxes()) if (m.addressId === id) await this.channels.remove(m.id);
    await this.ctx.db.delete(emailAddresses).where(eq(emailAddresses.id, id));
    await this.all.invalidate();
  }

  private async check(input: Partial<z.infer<typeof AddressBody>>): Promise<void> {
    if (input.priority) await this.settings.resolvePriority(input.priority);
    if (input.type) await this.settings.requireType(input.type);
    if (input.autoReplySubject) checkTemplate(input.autoReplySubject, 'body.autoReplySubject');
    if (input.autoReplyBody) checkTemplate(input.autoReplyBody, 'body.autoReplyBody');
  }

  private async write(run: () => Promise<EmailAddress>, address: string | undefined): Promise<EmailAddress> {
    try {
      const row = await run();
      await this.all.invalidate();
      return row;
    } catch (err) {
      if (isUniqueViolation(err)) throw new AppError('ALREADY_EXISTS', `The address ${address} is already configured`);
      if (foreignKeyColumn(err) === 'group_id') {
        throw new AppError('INVALID_REFERENCE', 'No group with that id', { fields: [{ path: 'body.groupId', message: 'unknown group' }] });
      }
      throw err;
    }
  }

  // ---- mailboxes: channel connections of kind `imap` (config: server and folder; secrets: the password; cursor:
  // UIDVALIDITY and the last uid stored)

  async listMailboxes(ex: Executor = this.ctx.db): Promise<MailboxInfo[]> {
    return (await this.channels.list('imap', ex)).map(mailboxOf);
  }

  /** A mailbox without its password: what admins see. */
  async mailboxInfo(id: string, ex: Executor = this.ctx.db): Promise<MailboxInfo> {
    const row = await this.channels.find(id, 'imap', ex);
    if (!row) throw new AppError('NOT_FOUND', `No mailbox with id ${id}`);
    return mailboxOf(row);
  }

  /** A mailbox with its password opened; a password that cannot be decrypted marks it failed and throws SecretUnreadable. */
  async getMailbox(id: string, ex: Executor = this.ctx.db): Promise<Mailbox> {
    const row = await this.channels.find(id, 'imap', ex);
    if (!row) throw new AppError('NOT_FOUND', `No mailbox with id ${id}`);
    const { password } = await this.channels.openSecrets<{ password: string }>(row);
    return { ...mailboxOf(row), password };
  }

  async createMailbox(input: z.infer<typeof MailboxBody>): Promise<MailboxInfo> {
    await this.checkMailbox(input);
    const { password, active, ...config } = input;
    const row = await this.channels.create({ kind: 'imap', name: `${config.username}@${config.host}`, config, secrets: { password }, cursor: { lastUid: 0 }, status: active ? 'active' : 'disabled' });
    return mailboxOf(row);
  }

  async updateMailbox(id: string, patch: z.infer<typeof UpdateMailboxBody>): Promise<MailboxInfo> {
    const current = await this.mailboxInfo(id);
    if (Object.keys(patch).length === 0) return current;
    await this.checkMailbox({ ...current, ...patch });
    // The stored password goes only where it went before: pointing the mailbox at another server, user or weaker
    // transport needs the password typed again, so whoever edits the mailbox cannot send the sealed one elsewhere.
    const redirected = (['host', 'port', 'secure', 'tlsVerify', 'username'] as const).filter((k) => patch[k] !== undefined && patch[k] !== current[k]);
    if (redirected.length && patch.password === undefined) {
      throw new AppError('VALIDATION_FAILED', `Changing ${redirected.join(', ')} needs the mailbox password again`, {
        fields: [{ path: 'body.password', message: `required when ${redirected.join(', ')} change${redirected.length === 1 ? 's' : ''}` }],
      });
    }
    // Another server or folder is another cursor.
    const moved = (patch.host && patch.host !== current.host) || (patch.folder && patch.folder !== current.folder) || (patch.username && patch.username !== current.username);
    const next = { ...current, ...patch };
    const config = Object.fromEntries(CONFIG_KEYS.map((k) => [k, next[k]]));
    const row = await this.channels.update(id, {
      name: `${next.username}@${next.host}`,
      config,
      ...(patch.password !== undefined ? { secrets: { password: patch.password } } : {}),
      ...(moved ? { cursor: { uidValidity: null, lastUid: 0 } } : {}),
      ...(patch.active !== undefined ? { status: patch.active ? 'active' : 'disabled' } : {}),
    });
    return mailboxOf(row);
  }

  async removeMailbox(id: string): Promise<void> {
    await this.mailboxInfo(id);
    await this.channels.remove(id);
  }

  private async checkMailbox(input: { addressId: string; afterStore: string; moveTo: string | null }): Promise<void> {
    if (!(await this.byId(input.addressId))) {
      throw new AppError('INVALID_REFERENCE', `No email address with id ${input.addressId}`, { fields: [{ path: 'body.addressId', message: 'unknown address' }] });
    }
    if (input.afterStore === 'move' && !input.moveTo) {
      throw new AppError('VALIDATION_FAILED', 'Moving stored messages needs a folder to move them to', { fields: [{ path: 'body.moveTo', message: 'required when afterStore is move' }] });
    }
  }

  /** Health as admins see it; the password never leaves the server. */
  static mailboxView(m: MailboxInfo | Mailbox): MailboxInfo {
    const { password: _password, ...rest } = m as Mailbox;
    return rest;
  }
}

