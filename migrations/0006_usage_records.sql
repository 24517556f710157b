CREATE TABLE "usage_records" (
	"id" text PRIMARY KEY NOT NULL,
	"request_id" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"key_id" text,
	"team_id" text,
	"environment" text,
	"endpoint" text NOT NULL,
	"requested_model" text,
	"model" text,
	"model_version" text,
	"backend" text,
	"provider_id" text,
	"attempts" jsonb NOT NULL,
	"status" integer NOT NULL,
	"outcome" text NOT NULL,
	"error_code" text,
	"stream" boolean NOT NULL,
	"prompt_tokens" integer,
	"completion_tokens" integer,
	"cached_tokens" integer,
	"cache_write_tokens" integer,
	"reasoning_tokens" integer,
	"latency_ms" integer NOT NULL,
	"first_byte_ms" integer
);
--> statement-breakpoint
CREATE INDEX "usage_records_at_idx" ON "usage_records" USING btree ("at");--> statement-breakpoint
CREATE INDEX "usage_records_team_at_idx" ON "usage_records" USING btree ("team_id","at");--> statement-breakpoint
CREATE INDEX "usage_records_key_at_idx" ON "usage_records" USING btree ("key_id","at");