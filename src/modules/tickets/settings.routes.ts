import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { DefineCustomField, type CustomFieldsService, UpdateCustomField } from '../custom-fields/custom-fields.service.js';
import { CreateStateBody, CreateTypeBody, priorityView, type TicketSettingsService, UpdateStateBody, UpdateTypeBody } from './settings.service.js';

const KeyParams = z.object({ key: z.string().max(64) });

export function settingsRoutes(app: FastifyInstance, settings: TicketSettingsService, fields: CustomFieldsService): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['settings'];
  const anyone = { level: 'signed_in' } as const;
  const admin = { level: 'admin', scope: 'admin' } as const;

  r.get('/api/v1/states', { config: { access: anyone }, schema: { tags } }, async () => ({ items: await settings.listStates() }));
  r.post('/api/v1/states', { config: { access: admin }, schema: { tags, body: CreateStateBody } }, async (req, reply) =>
    reply.status(201).send(await settings.createState(req.body)),
  );
  r.patch('/api/v1/states/:key', { config: { access: admin }, schema: { tags, params: KeyParams, body: UpdateStateBody } }, async (req) =>
    settings.updateState(req.params.key, req.body),
  );

  r.get('/api/v1/priorities', { config: { access: anyone }, schema: { tags } }, async () => ({ items: (await settings.activePriorities()).map(priorityView) }));
  r.get('/api/v1/priority-schemes', { config: { access: anyone }, schema: { tags } }, async () => ({ items: await settings.listSchemes() }));
  r.post('/api/v1/priority-schemes/:key/activate', { config: { access: admin }, schema: { tags, params: KeyParams } }, async (req) => {
    await settings.activateScheme(req.params.key);
    return { items: await settings.listSchemes() };
  });

  r.get('/api/v1/types', { config: { access: anyone }, schema: { tags } }, async () => ({ items: await settings.listTypes() }));
  r.post('/api/v1/types', { config: { access: admin }, schema: { tags, body: CreateTypeBody } }, async (req, reply) =>
    reply.status(201).send(await settings.createType(req.body)),
  );
  r.patch('/api/v1/types/:key', { config: { access: admin }, schema: { tags, params: KeyParams, body: UpdateTypeBody } }, async (req) =>
    settings.updateType(req.params.key, req.body),
  );

  r.get(
    '/api/v1/custom-fields',
    { config: { access: { level: 'staff' } }, schema: { tags, querystring: z.object({ entity: z.enum(['ticket', 'organization']).optional() }) } },
    async (req) => ({ items: await fields.list(req.query.entity) }),
  );
  r.post('/api/v1/custom-fields', { config: { access: admin }, schema: { tags, body: DefineCustomField } }, async (req, reply) =>
    reply.status(201).send(await fields.define(req.body)),
  );
  r.patch('/api/v1/custom-fields/:id', { config: { access: admin }, schema: { tags, params: z.object({ id: z.uuid() }), body: UpdateCustomField } }, async (req) =>
    fields.update(req.params.id, req.body),
  );
}
