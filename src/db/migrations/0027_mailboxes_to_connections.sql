ALTER TABLE "inbound_emails" DROP CONSTRAINT "inbound_emails_mailbox_id_email_mailboxes_id_fk";
--> statement-breakpoint
DROP TABLE "email_mailboxes" CASCADE;--> statement-breakpoint
ALTER TABLE "inbound_emails" ADD CONSTRAINT "inbound_emails_mailbox_id_channel_connections_id_fk" FOREIGN KEY ("mailbox_id") REFERENCES "public"."channel_connections"("id") ON DELETE set null ON UPDATE no action;
