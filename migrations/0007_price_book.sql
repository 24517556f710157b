CREATE TABLE "prices" (
	"id" text PRIMARY KEY NOT NULL,
	"scope" text NOT NULL,
	"target" text NOT NULL,
	"effective_from" timestamp with time zone NOT NULL,
	"input" text NOT NULL,
	"cached_input" text,
	"cache_write" text,
	"output" text NOT NULL,
	"reasoning" text,
	"note" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "usage_records" ADD COLUMN "cost_usd" numeric(24, 12);--> statement-breakpoint
ALTER TABLE "usage_records" ADD COLUMN "price_warning" text;--> statement-breakpoint
CREATE INDEX "prices_target_idx" ON "prices" USING btree ("scope","target","effective_from");