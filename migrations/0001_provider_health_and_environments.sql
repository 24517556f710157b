CREATE TABLE "environments" (
	"id" text PRIMARY KEY NOT NULL,
	"description" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
INSERT INTO "environments" ("id", "description") VALUES ('production', 'Live traffic'), ('staging', 'Pre-release testing') ON CONFLICT DO NOTHING;
--> statement-breakpoint
CREATE TABLE "provider_health" (
	"provider_id" text PRIMARY KEY NOT NULL,
	"status" text NOT NULL,
	"last_checked_at" timestamp with time zone,
	"last_verified_at" timestamp with time zone,
	"latency_ms" integer,
	"diagnostic" jsonb,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "provider_health_events" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "provider_health_events_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"provider_id" text NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"source" text NOT NULL,
	"status" text NOT NULL,
	"latency_ms" integer,
	"diagnostic" jsonb
);
--> statement-breakpoint
ALTER TABLE "provider_health" ADD CONSTRAINT "provider_health_provider_id_providers_id_fk" FOREIGN KEY ("provider_id") REFERENCES "public"."providers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "provider_health_events" ADD CONSTRAINT "provider_health_events_provider_id_providers_id_fk" FOREIGN KEY ("provider_id") REFERENCES "public"."providers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "provider_health_events_provider_idx" ON "provider_health_events" USING btree ("provider_id","at");--> statement-breakpoint
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_environment_environments_id_fk" FOREIGN KEY ("environment") REFERENCES "public"."environments"("id") ON DELETE restrict ON UPDATE no action;