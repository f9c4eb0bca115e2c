import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';

const IdParams = z.object({ id: z.uuid() });

/** What a list's routes call: a CachedCrud, or an owner's methods of the same shape. */
export type CrudService<Body, Patch> = {
  list(): Promise<unknown[]>;
  get(id: string): Promise<unknown>;
  create(input: Body): Promise<unknown>;
  update(id: string, patch: Patch): Promise<unknown>;
  remove(id: string): Promise<void>;
};

/**
 * The five routes of an admin-edited list (automations, triggers, SLA policies, calendars): staff read
 * (`GET {path}` as `{ items }`, `GET {path}/:id`), admins write (`POST` → 201, `PATCH /:id`, `DELETE /:id` → 204).
 * `view` is the response schema of the list, create and update; the single GET answers with it when
 * `viewOnGet` (calendars), and unfiltered otherwise (as those routes always have).
 */
export function crudRoutes<Body extends z.ZodType, Patch extends z.ZodType>(
  app: FastifyInstance,
  o: { path: string; tags: string[]; view: z.ZodType; body: Body; patch: Patch; viewOnGet?: boolean; service: CrudService<z.infer<Body>, z.infer<Patch>> },
): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { path, tags, view, service } = o;
  const staff = { level: 'staff', scope: 'tickets:read' } as const;
  const admin = { level: 'admin', scope: 'admin' } as const;

  r.get(path, { config: { access: staff }, schema: { tags, response: { 200: z.object({ items: z.array(view) }) } } }, async () => ({ items: await service.list() }));
  r.post(path, { config: { access: admin }, schema: { tags, body: o.body, response: { 201: view } } }, async (req, reply) =>
    reply.status(201).send(await service.create(req.body as z.infer<Body>)),
  );
  r.get(`${path}/:id`, { config: { access: staff }, schema: { tags, params: IdParams, ...(o.viewOnGet ? { response: { 200: view } } : {}) } }, async (req) =>
    service.get(req.params.id),
  );
  r.patch(`${path}/:id`, { config: { access: admin }, schema: { tags, params: IdParams, body: o.patch, response: { 200: view } } }, async (req) =>
    service.update(req.params.id, req.body as z.infer<Patch>),
  );
  r.delete(`${path}/:id`, { config: { access: admin }, schema: { tags, params: IdParams } }, async (req, reply) => {
    await service.remove(req.params.id);
    return reply.status(204).send();
  });
}
