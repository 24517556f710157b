ALTER TABLE "admin_tokens" ADD COLUMN "team_id" text;--> statement-breakpoint
ALTER TABLE "admin_tokens" ADD COLUMN "created_by" text;--> statement-breakpoint
ALTER TABLE "admin_tokens" ADD CONSTRAINT "admin_tokens_team_id_teams_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."teams"("id") ON DELETE cascade ON UPDATE no action;