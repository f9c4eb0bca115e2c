import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { DefineCustomField, type CustomFieldsService, UpdateCustomField } from '../custom-fields/custom-fields.service.js';
import { CUSTOM_FIELD_KINDS } from '../custom-fields/custom-fields.service.js';
import { STATE_CATEGORIES } from './tickets.schema.js';
import { CreatePriorityBody, CreateStateBody, CreateTypeBody, PriorityOrderBody, priorityView, TicketBehaviourBody, UpdatePriorityBody, type TicketSettingsService, UpdateStateBody, UpdateTypeBody } from './settings.service.js';

const KeyParams = z.object({ key: z.string().max(64) });

// Response schemas (see tickets.responses.ts for what they are for).
const StateView = z.object({
  key: z.string(),
  label: z.string(),
  category: z.enum(STATE_CATEGORIES),
  pausesSla: z.boolean(),
  onRequesterReply: z.string(),
  position: z.number().int(),
  builtin: z.boolean(),
});
const PriorityView = z.object({
  id: z.uuid(),
  scheme: z.string(),
  key: z.string(),
  name: z.string(),
  rank: z.number().int(),
  definition: z.string(),
  examples: z.array(z.string()),
  expectedResponse: z.string(),
  color: z.string(),
  isDefault: z.boolean(),
});
const SchemeView = z.object({ key: z.string(), name: z.string(), active: z.boolean(), priorities: z.array(PriorityView) });
const TypeView = z.object({ key: z.string(), label: z.string(), position: z.number().int(), active: z.boolean() });
const CustomFieldView = z.object({
  id: z.uuid(),
  entity: z.enum(['ticket', 'organization']),
  key: z.string(),
  label: z.string(),
  kind: z.enum(CUSTOM_FIELD_KINDS),
  options: z.array(z.string()),
  requiredOnSolve: z.boolean(),
  position: z.number().int(),
  active: z.boolean(),
});
const itemsOf = <T extends z.ZodType>(item: T) => ({ 200: z.object({ items: z.array(item) }) });

export function settingsRoutes(app: FastifyInstance, settings: TicketSettingsService, fields: CustomFieldsService): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['settings'];
  const anyone = { level: 'signed_in', scope: 'tickets:read' } as const;
  const admin = { level: 'admin', scope: 'admin' } as const;
  const staff = { level: 'staff', scope: 'tickets:read' } as const;

  r.get('/api/v1/states', { config: { access: anyone }, schema: { tags, response: itemsOf(StateView) } }, async () => ({ items: await settings.listStates() }));
  r.post('/api/v1/states', { config: { access: admin }, schema: { tags, body: CreateStateBody } }, async (req, reply) =>
    reply.status(201).send(await settings.createState(req.body)),
  );
  r.patch('/api/v1/states/:key', { config: { access: admin }, schema: { tags, params: KeyParams, body: UpdateStateBody } }, async (req) =>
    settings.updateState(req.params.key, req.body),
  );

  r.get('/api/v1/priorities', { config: { access: anyone }, schema: { tags, response: itemsOf(PriorityView) } }, async () => ({ items: (await settings.activePriorities()).map(priorityView) }));
  r.get('/api/v1/priority-schemes', { config: { access: anyone }, schema: { tags, response: itemsOf(SchemeView) } }, async () => ({ items: await settings.listSchemes() }));
  r.post('/api/v1/priority-schemes/:key/activate', { config: { access: admin }, schema: { tags, params: KeyParams, response: itemsOf(SchemeView) } }, async (req) => {
    await settings.activateScheme(req.params.key);
    return { items: await settings.listSchemes() };
  });

  r.post(
    '/api/v1/priority-schemes/:key/priorities',
    { config: { access: admin }, schema: { tags, params: KeyParams, body: CreatePriorityBody, response: { 201: PriorityView } } },
    async (req, reply) => reply.status(201).send(priorityView(await settings.addPriority(req.params.key, req.body))),
  );
  r.put('/api/v1/priority-schemes/:key/order', { config: { access: admin }, schema: { tags, params: KeyParams, body: PriorityOrderBody, response: itemsOf(SchemeView) } }, async (req) => {
    await settings.reorderPriorities(req.params.key, req.body.ids);
    return { items: await settings.listSchemes() };
  });
  r.patch('/api/v1/priorities/:id', { config: { access: admin }, schema: { tags, params: z.object({ id: z.uuid() }), body: UpdatePriorityBody, response: { 200: PriorityView } } }, async (req) =>
    priorityView(await settings.updatePriority(req.params.id, req.body)),
  );

  r.get('/api/v1/ticket-settings', { config: { access: staff }, schema: { tags, response: { 200: TicketBehaviourBody } } }, async () => settings.getBehaviour());
  r.put('/api/v1/ticket-settings', { config: { access: admin }, schema: { tags, body: TicketBehaviourBody, response: { 200: TicketBehaviourBody } } }, async (req) => settings.setBehaviour(req.body));
  r.get('/api/v1/types', { config: { access: anyone }, schema: { tags, response: itemsOf(TypeView) } }, async () => ({ items: await settings.listTypes() }));
  r.post('/api/v1/types', { config: { access: admin }, schema: { tags, body: CreateTypeBody } }, async (req, reply) =>
    reply.status(201).send(await settings.createType(req.body)),
  );
  r.patch('/api/v1/types/:key', { config: { access: admin }, schema: { tags, params: KeyParams, body: UpdateTypeBody } }, async (req) =>
    settings.updateType(req.params.key, req.body),
  );

  r.get(
    '/api/v1/custom-fields',
    { config: { access: { level: 'staff', scope: 'tickets:read' } }, schema: { tags, querystring: z.object({ entity: z.enum(['ticket', 'organization']).optional() }), response: itemsOf(CustomFieldView) } },
    async (req) => ({ items: await fields.list(req.query.entity) }),
  );
  r.post('/api/v1/custom-fields', { config: { access: admin }, schema: { tags, body: DefineCustomField } }, async (req, reply) =>
    reply.status(201).send(await fields.define(req.body)),
  );
  r.patch('/api/v1/custom-fields/:id', { config: { access: admin }, schema: { tags, params: z.object({ id: z.uuid() }), body: UpdateCustomField } }, async (req) =>
    fields.update(req.params.id, req.body),
  );
}
