import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { crudRoutes } from '../../platform/crud-routes.js';
import { Timestamp } from '../../platform/responses.js';
import { CalendarBody, type CalendarsService, DueQuery, UpdateCalendarBody } from './calendars.service.js';

const IdParams = z.object({ id: z.uuid() });

// Response schemas (see tickets.responses.ts for what they are for).
const Interval = z.object({ start: z.string(), end: z.string() });
const CalendarView = z.object({
  id: z.uuid(),
  name: z.string(),
  timeZone: z.string(),
  alwaysOpen: z.boolean(),
  weekly: z.object({ '1': z.array(Interval), '2': z.array(Interval), '3': z.array(Interval), '4': z.array(Interval), '5': z.array(Interval), '6': z.array(Interval), '7': z.array(Interval) }).partial(),
  holidays: z.array(z.object({ date: z.string(), name: z.string(), yearly: z.boolean() })),
  holidayRegion: z.object({ country: z.string(), state: z.string().nullable().optional() }).nullable(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

export function calendarRoutes(app: FastifyInstance, calendars: CalendarsService): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['sla'];
  const staff = { level: 'staff', scope: 'tickets:read' } as const;

  crudRoutes(app, { path: '/api/v1/calendars', tags, view: CalendarView, body: CalendarBody, patch: UpdateCalendarBody, viewOnGet: true, service: calendars });
  r.get(
    '/api/v1/calendars/:id/due',
    {
      config: { access: staff },
      schema: { tags, params: IdParams, querystring: DueQuery, response: { 200: z.object({ due: z.string(), start: z.string(), minutes: z.number(), seconds: z.number(), timeZone: z.string() }) }, description: 'The instant `minutes` business minutes (or `seconds` business seconds) after `start` (ISO-8601 with offset).' },
    },
    async (req) => calendars.due(req.params.id, new Date(req.query.start), req.query),
  );
  r.get(
    '/api/v1/calendars/:id/holidays',
    { config: { access: staff }, schema: { tags, params: IdParams, querystring: z.object({ year: z.coerce.number().int().min(1970).max(2200) }) } },
    async (req) => ({ items: await calendars.holidays(req.params.id, req.query.year) }),
  );
}
