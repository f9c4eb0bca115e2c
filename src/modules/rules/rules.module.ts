import { defineModule } from '../module.js';
import type { OutboundService } from '../email/outbound.service.js';
import type { IncidentsService } from '../incidents/incidents.service.js';
import type { OncallService } from '../oncall/oncall.service.js';
import type { PeopleService } from '../people/people.service.js';
import type { TicketSettingsService } from '../tickets/settings.service.js';
import type { TicketsService } from '../tickets/tickets.service.js';
import type { WebhooksService } from '../webhooks/webhooks.service.js';
import { RuleActions } from './actions.js';

/** The conditions and actions automations and triggers share. */
export function rulesModule(needs: { tickets: TicketsService; settings: TicketSettingsService; people: PeopleService; outbound: OutboundService; webhooks: WebhooksService; oncall: OncallService; incidents: IncidentsService }) {
  return defineModule({ name: 'rules', services: { ruleActions: new RuleActions(needs.tickets, needs.settings, needs.people, needs.outbound, needs.webhooks, needs.oncall, needs.incidents) } });
}
