ALTER TABLE "urls" ADD COLUMN "description" text;--> statement-breakpoint
ALTER TABLE "urls" ADD COLUMN "language" text;--> statement-breakpoint
ALTER TABLE "urls" ADD COLUMN "published_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "urls" ADD COLUMN "site_name" text;--> statement-breakpoint
ALTER TABLE "urls" ADD COLUMN "extraction" jsonb;