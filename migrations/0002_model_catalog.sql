CREATE TABLE "model_aliases" (
	"id" text PRIMARY KEY NOT NULL,
	"model_id" text NOT NULL,
	"previous_model_id" text,
	"description" text,
	"moved_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "models" ADD COLUMN "owner" text;--> statement-breakpoint
ALTER TABLE "models" ADD COLUMN "audience" jsonb;--> statement-breakpoint
ALTER TABLE "model_aliases" ADD CONSTRAINT "model_aliases_model_id_models_id_fk" FOREIGN KEY ("model_id") REFERENCES "public"."models"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "model_aliases" ADD CONSTRAINT "model_aliases_previous_model_id_models_id_fk" FOREIGN KEY ("previous_model_id") REFERENCES "public"."models"("id") ON DELETE set null ON UPDATE no action;