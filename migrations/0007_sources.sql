CREATE TABLE "source_docs" (
	"source_id" uuid NOT NULL,
	"sync" integer NOT NULL,
	"url" text NOT NULL,
	"done" boolean DEFAULT false NOT NULL,
	CONSTRAINT "source_docs_source_id_sync_url_pk" PRIMARY KEY("source_id","sync","url")
);
--> statement-breakpoint
CREATE TABLE "source_hosts" (
	"source_id" uuid NOT NULL,
	"host" text NOT NULL,
	"sync" integer NOT NULL,
	"robots" text,
	"crawl_delay" integer,
	CONSTRAINT "source_hosts_source_id_host_pk" PRIMARY KEY("source_id","host")
);
--> statement-breakpoint
CREATE TABLE "source_skips" (
	"source_id" uuid NOT NULL,
	"url" text NOT NULL,
	"reason" text NOT NULL,
	"sync" integer NOT NULL,
	CONSTRAINT "source_skips_source_id_url_pk" PRIMARY KEY("source_id","url")
);
--> statement-breakpoint
CREATE TABLE "sources" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"project_id" uuid NOT NULL,
	"type" text NOT NULL,
	"url" text NOT NULL,
	"include" text[] DEFAULT '{}' NOT NULL,
	"exclude" text[] DEFAULT '{}' NOT NULL,
	"max_pages" integer NOT NULL,
	"max_depth" integer NOT NULL,
	"same_host_only" boolean DEFAULT true NOT NULL,
	"status" text DEFAULT 'discovering' NOT NULL,
	"sync" integer DEFAULT 1 NOT NULL,
	"error_code" text,
	"error_message" text,
	"error_at" timestamp with time zone,
	"sync_started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"synced_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "sources_type_check" CHECK ("sources"."type" in ('sitemap', 'crawl')),
	CONSTRAINT "sources_status_check" CHECK ("sources"."status" in ('discovering', 'ready', 'failed'))
);
--> statement-breakpoint
ALTER TABLE "urls" DROP CONSTRAINT "urls_status_check";--> statement-breakpoint
ALTER TABLE "urls" ADD COLUMN "source_id" uuid;--> statement-breakpoint
ALTER TABLE "urls" ADD COLUMN "source_depth" integer;--> statement-breakpoint
ALTER TABLE "urls" ADD COLUMN "source_sync" integer;--> statement-breakpoint
ALTER TABLE "urls" ADD COLUMN "lastmod" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "source_docs" ADD CONSTRAINT "source_docs_source_id_sources_id_fk" FOREIGN KEY ("source_id") REFERENCES "public"."sources"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "source_hosts" ADD CONSTRAINT "source_hosts_source_id_sources_id_fk" FOREIGN KEY ("source_id") REFERENCES "public"."sources"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "source_skips" ADD CONSTRAINT "source_skips_source_id_sources_id_fk" FOREIGN KEY ("source_id") REFERENCES "public"."sources"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sources" ADD CONSTRAINT "sources_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "sources_project_created_idx" ON "sources" USING btree ("project_id","created_at","id");--> statement-breakpoint
CREATE INDEX "sources_sync_idx" ON "sources" USING btree ("status","synced_at");--> statement-breakpoint
ALTER TABLE "urls" ADD CONSTRAINT "urls_source_id_sources_id_fk" FOREIGN KEY ("source_id") REFERENCES "public"."sources"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "urls_source_status_idx" ON "urls" USING btree ("source_id","status");--> statement-breakpoint
CREATE INDEX "urls_project_content_idx" ON "urls" USING btree ("project_id","content_hash");--> statement-breakpoint
ALTER TABLE "urls" ADD CONSTRAINT "urls_status_check" CHECK ("urls"."status" in ('queued', 'fetching', 'processing', 'ready', 'failed', 'gone'));