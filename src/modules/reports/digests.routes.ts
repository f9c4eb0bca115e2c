import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireActor } from '../../platform/auth.js';
import { DIGEST_KINDS } from './digests.schema.js';
import { type DigestsService, DigestSettingsBody } from './digests.service.js';

const own = { level: 'staff', sessionOnly: true } as const;
const tags = ['reports'];
const DigestSettingsView = z.object({
  items: z.array(z.object({ kind: z.enum(DIGEST_KINDS), localTime: z.string(), timeZone: z.string(), weekday: z.number(), groupIds: z.array(z.string()), nextAt: z.string() })),
});

/** The signed-in staff member's own digests (Reports → Digests in the app). */
export function digestRoutes(app: FastifyInstance, digests: DigestsService): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get('/api/v1/reports/digests', { config: { access: own }, schema: { tags, response: { 200: DigestSettingsView }, description: 'Your digests: which, for which groups, at what local time, and when each goes next.' } }, async (req) => ({
    items: await digests.settings(requireActor(req).userId),
  }));
  r.put(
    '/api/v1/reports/digests',
    {
      config: { access: own },
      schema: { tags, body: DigestSettingsBody, response: { 200: DigestSettingsView }, description: 'Replaces your digests (a digest left out is stopped). Weekday 1 = Monday … 7 = Sunday (the weekly one); the monthly one goes on the 1st.' },
    },
    async (req) => ({ items: await digests.saveSettings(requireActor(req), req.body.items) }),
  );
}
