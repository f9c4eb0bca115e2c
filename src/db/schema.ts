// Every table, for drizzle-kit and the typed client. Modules own their tables; this only gathers them.
export * from '../modules/assignment/assignment.schema.js';
export * from '../modules/automations/automations.schema.js';
export * from '../modules/channels/channels.schema.js';
export * from '../modules/csat/csat.schema.js';
export * from '../modules/custom-fields/custom-fields.schema.js';
export * from '../modules/email/email.schema.js';
export * from '../modules/incidents/incidents.schema.js';
export * from '../modules/macros/macros.schema.js';
export * from '../modules/oncall/oncall.schema.js';
export * from '../modules/people/people.schema.js';
export * from '../modules/portal/portal.schema.js';
export * from '../modules/sla/sla.schema.js';
export * from '../modules/tickets/tickets.schema.js';
export * from '../modules/triggers/triggers.schema.js';
export * from '../modules/views/views.schema.js';
export * from '../modules/webhooks/webhooks.schema.js';
export * from '../platform/platform.schema.js';
