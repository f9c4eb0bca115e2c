import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { crudRoutes } from '../../platform/crud-routes.js';
import { Timestamp } from '../../platform/responses.js';
import { ActionSchema } from '../rules/actions.js';
import { ConditionSchema } from '../rules/conditions.js';
import { TRIGGER_EVENTS } from './triggers.schema.js';
import { TriggerBody, type TriggersService, UpdateTriggerBody } from './triggers.service.js';

const TriggerView = z.object({
  id: z.uuid(),
  name: z.string(),
  position: z.number().int(),
  active: z.boolean(),
  events: z.array(z.enum(TRIGGER_EVENTS)),
  condition: ConditionSchema,
  actions: z.array(ActionSchema),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

export function triggerRoutes(app: FastifyInstance, triggers: TriggersService): void {
  crudRoutes(app, { path: '/api/v1/triggers', tags: ['triggers'], view: TriggerView, body: TriggerBody, patch: UpdateTriggerBody, service: triggers });
}
