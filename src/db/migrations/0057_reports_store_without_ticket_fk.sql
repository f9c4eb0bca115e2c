ALTER TABLE "ticket_metrics" DROP CONSTRAINT "ticket_metrics_ticket_id_tickets_id_fk";
