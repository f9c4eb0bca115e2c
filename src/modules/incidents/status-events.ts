import { eq, inArray } from 'drizzle-orm';
import type { Tx } from '../../db/client.js';
import type { Ctx } from '../../platform/context.js';
import type { WebhooksService } from '../webhooks/webhooks.service.js';
import { type IncidentSettingsData, incidentSettings, statusComponents } from './incidents.schema.js';
import { type IncidentsService, STATE_LABELS, type UpdatePosted } from './incidents.service.js';
import type { MaintenanceEvent, MaintenanceService } from './maintenance.service.js';
import type { SubscribersService } from './subscribers.service.js';

/**
 * What a public status change sends out, inside the transaction of the change: a notice to the status page's
 * subscribers (when asked) and an event to the webhooks named in the incident settings. The payloads are
 * documented in docs/incidents.md ("Outgoing webhooks"); they carry only what the status page shows.
 */
export function wireStatusEvents(ctx: Ctx, s: { incidents: IncidentsService; maintenance: MaintenanceService; subscribers: SubscribersService; webhooks: WebhooksService }): void {
  const base = ctx.config.publicUrl.replace(/\/$/, '');
  const when = (d: Date) => `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  const page = (settings: IncidentSettingsData) => ({ id: 'lifeline', name: settings.statusPageTitle, url: `${base}/status` });

  s.incidents.webhookExists = (id) => s.webhooks.exists(id);

  s.incidents.onUpdatePosted({
    name: 'incidents.status-events',
    run: async (tx, p: UpdatePosted) => {
      const { incident: i, update: u, settings } = p;
      const names = await componentNames(tx, p.components.map((c) => c.id));
      if (u.notifySubscribers) {
        const eta = u.eta ? `\nExpected resolution: ${when(u.eta)}\n` : '';
        const affected = names.size ? `\nAffected: ${[...names.values()].join(', ')}\n` : '';
        await s.subscribers.queueNotice(tx, {
          key: `incident-update:${u.id}`,
          subject: `[${settings.statusPageTitle} status] ${i.publicTitle}: ${STATE_LABELS[u.state]}`,
          body: `${i.publicTitle}\n${STATE_LABELS[u.state]} — ${when(u.at)}\n\n${u.body}\n${eta}${affected}\nDetails: ${base}/status/incidents/${i.id}`,
          componentIds: p.components.map((c) => c.id),
        });
      }
      const event = u.state === 'resolved' ? 'incident.resolved' : p.first ? 'incident.created' : 'incident.updated';
      await s.webhooks.queueEvent(tx, settings.webhookIds ?? [], event, {
        page: page(settings),
        incident: {
          id: i.id,
          name: i.publicTitle,
          status: u.state,
          impact: p.level === 0 ? 'critical' : p.level === 1 ? 'major' : 'minor',
          shortlink: `${base}/status/incidents/${i.id}`,
          started_at: i.startedAt.toISOString(),
          resolved_at: i.resolvedAt?.toISOString() ?? null,
          components: p.components.map((c) => ({ id: c.id, name: names.get(c.id) ?? '', status: c.status })),
        },
        incident_update: { id: u.id, status: u.state, body: u.body, eta: u.eta?.toISOString() ?? null, created_at: u.at.toISOString() },
      });
    },
  });

  s.maintenance.onEvent(async (tx, e: MaintenanceEvent) => {
    const [row] = await tx.select().from(incidentSettings).where(eq(incidentSettings.id, 1));
    if (!row) return;
    const settings = row.data;
    const m = e.maintenance;
    const notice = m.notifySubscribers && (e.event === 'maintenance.scheduled' || e.event === 'maintenance.started');
    if (notice) {
      const started = e.event === 'maintenance.started';
      await s.subscribers.queueNotice(tx, {
        key: `${e.event}:${m.id}`,
        subject: `[${settings.statusPageTitle} status] ${started ? 'Maintenance in progress' : 'Scheduled maintenance'}: ${m.title}`,
        body: `${m.title}\n${started ? 'In progress now' : 'Scheduled'}: ${when(m.startsAt)} – ${when(m.endsAt)}\n\n${m.description}\n\nAffected: ${m.components.map((c) => c.name).join(', ')}\nDetails: ${base}/status`,
        componentIds: m.components.map((c) => c.id),
      });
    }
    await s.webhooks.queueEvent(tx, settings.webhookIds ?? [], e.event, {
      page: page(settings),
      scheduled_maintenance: {
        id: m.id,
        name: m.title,
        status: m.status,
        description: m.description,
        scheduled_for: m.startsAt.toISOString(),
        scheduled_until: m.endsAt.toISOString(),
        components: m.components,
      },
    });
  });
}

async function componentNames(tx: Tx, ids: string[]): Promise<Map<string, string>> {
  if (!ids.length) return new Map();
  const rows = await tx.select({ id: statusComponents.id, name: statusComponents.name }).from(statusComponents).where(inArray(statusComponents.id, ids));
  return new Map(rows.map((r) => [r.id, r.name]));
}
