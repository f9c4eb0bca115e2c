import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Executor } from '../../db/client.js';
import type { Ctx } from '../../platform/context.js';
import { randomToken } from '../../platform/crypto.js';
import { AppError, type FieldError } from '../../platform/errors.js';
import type { TicketSettingsService } from '../tickets/settings.service.js';
import type { WebhooksService } from '../webhooks/webhooks.service.js';
import { oncallSettings } from './oncall.schema.js';
import type { Policies } from './policies.js';

export const OncallSettingsBody = z.object({
  ticketPriorities: z.array(z.string().min(1).max(100)).max(20),
  ticketPolicyId: z.uuid().nullable(),
  incidentPolicyId: z.uuid().nullable().default(null),
  webhookUrl: z.url({ protocol: /^https?$/ }).max(2000).nullable(),
});
export type OncallSettings = { ticketPriorities: string[]; ticketPolicyId: string | null; incidentPolicyId: string | null; webhookUrl: string | null; webhookSecret: string | null };
const DEFAULTS: OncallSettings = { ticketPriorities: ['P0', 'P1'], ticketPolicyId: null, incidentPolicyId: null, webhookUrl: null, webhookSecret: null };

/**
 * Which ticket priorities page which policy (PMERIT: P0 and P1), and the outgoing webhook each page
 * notification is also posted to (an SMS or phone provider's bridge), signed like other webhooks.
 */
export class OncallSettingsStore {
  // Read by every ticket command that sets a priority (does it page?): cached, like states and priorities.
  private readonly cached;

  constructor(
    private readonly ctx: Ctx,
    private readonly tickets: TicketSettingsService,
    private readonly webhooks: WebhooksService,
    private readonly policies: Policies,
  ) {
    this.cached = ctx.cache.cached('oncall_settings', async (ex): Promise<OncallSettings> => {
      const [row] = await ex.select().from(oncallSettings).where(eq(oncallSettings.id, 1));
      return row ? { ticketPriorities: row.ticketPriorities, ticketPolicyId: row.ticketPolicyId, incidentPolicyId: row.incidentPolicyId, webhookUrl: row.webhookUrl, webhookSecret: row.webhookSecret } : DEFAULTS;
    });
    // Deleting a policy sets the settings' reference to it to null (on delete set null).
    policies.removed.push(() => this.cached.invalidate());
  }

  get(ex: Executor = this.ctx.db): Promise<OncallSettings> {
    return this.cached.get(ex);
  }

  async set(input: z.infer<typeof OncallSettingsBody>): Promise<OncallSettings> {
    const problems: FieldError[] = [];
    const keys = (await this.tickets.allPriorities()).map((p) => p.key);
    for (const [i, key] of input.ticketPriorities.entries()) if (!keys.includes(key)) problems.push({ path: `body.ticketPriorities.${i}`, message: `no priority ${key}` });
    if (input.ticketPolicyId && !(await this.policies.exists(input.ticketPolicyId))) problems.push({ path: 'body.ticketPolicyId', message: `no escalation policy with id ${input.ticketPolicyId}` });
    if (input.incidentPolicyId && !(await this.policies.exists(input.incidentPolicyId))) problems.push({ path: 'body.incidentPolicyId', message: `no escalation policy with id ${input.incidentPolicyId}` });
    if (problems.length) throw new AppError('INVALID_REFERENCE', problems.map((p) => p.message).join('; '), { fields: problems });
    if (input.webhookUrl) {
      try {
        await this.webhooks.egress.check(input.webhookUrl);
      } catch (err) {
        const message = (err as { reason?: string }).reason ?? (err as Error).message;
        throw new AppError('INVALID_FIELD_VALUE', `Pages cannot post to ${input.webhookUrl}: ${message}`, { fields: [{ path: 'body.webhookUrl', message }] });
      }
    }
    const current = await this.get();
    const webhookSecret = input.webhookUrl ? (current.webhookSecret ?? `whsec_${randomToken(24)}`) : null;
    const values = { ...input, webhookSecret, updatedAt: this.ctx.clock.now() };
    await this.ctx.db.insert(oncallSettings).values({ id: 1, ...values }).onConflictDoUpdate({ target: oncallSettings.id, set: values });
    await this.cached.invalidate();
    return this.get();
  }
}
