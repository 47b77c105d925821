CREATE SEQUENCE "public"."chunk_generations" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1;--> statement-breakpoint
CREATE TABLE "storage_deletions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"prefix" text NOT NULL,
	"retry_at" timestamp with time zone DEFAULT now() + interval '5 minutes' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "reembeds" (
	"project_id" uuid PRIMARY KEY NOT NULL,
	"heartbeat_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "chunks" DROP CONSTRAINT "chunks_url_position_key";--> statement-breakpoint
ALTER TABLE "chunks" ADD COLUMN "generation" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "urls" ADD COLUMN "error_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "urls" ADD COLUMN "attempts" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "urls" ADD COLUMN "stalls" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "urls" ADD COLUMN "generation" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "reembeds" ADD CONSTRAINT "reembeds_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "storage_deletions_retry_idx" ON "storage_deletions" USING btree ("retry_at");--> statement-breakpoint
CREATE INDEX "chunks_url_hash_idx" ON "chunks" USING btree ("url_id","content_hash");--> statement-breakpoint
ALTER TABLE "chunks" ADD CONSTRAINT "chunks_url_generation_position_key" UNIQUE("url_id","generation","position");--> statement-breakpoint
-- Errors recorded before this migration get their best-known time.
UPDATE "urls" SET "error_at" = "updated_at" WHERE "error_code" IS NOT NULL;
