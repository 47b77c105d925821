import { sql } from "drizzle-orm";
import {
  bigint,
  customType,
  index,
  integer,
  pgSequence,
  pgTable,
  text,
  timestamp,
  unique,
  uuid,
  vector,
} from "drizzle-orm/pg-core";
import { projects } from "../projects/models";
import { urls } from "../urls/models";

/** Chunk generations: each ingest attempt stages its chunks under a fresh number. */
export const chunkGenerations = pgSequence("chunk_generations", { startWith: 1 });

const tsvector = customType<{ data: string }>({ dataType: () => "tsvector" });

export const chunks = pgTable(
  "chunks",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    urlId: uuid("url_id")
      .notNull()
      .references(() => urls.id, { onDelete: "cascade" }),
    // Denormalized so search filters by project without a join before the index scan.
    projectId: uuid("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    /** Visible only while equal to its url's `generation` (see `currentChunk`). */
    generation: bigint("generation", { mode: "number" }).notNull().default(0),
    position: integer("position").notNull(),
    text: text("text").notNull(),
    headingPath: text("heading_path").array().notNull().default(sql`'{}'::text[]`),
    tokenCount: integer("token_count").notNull(),
    contentHash: text("content_hash").notNull(),
    embedding: vector("embedding", { dimensions: 384 }),
    embeddingModel: text("embedding_model"),
    tsv: tsvector("tsv").generatedAlwaysAs(sql`to_tsvector('english'::regconfig, text)`),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    unique("chunks_url_generation_position_key").on(t.urlId, t.generation, t.position),
    // Embeddings of unchanged chunks are copied by content hash instead of recomputed.
    index("chunks_url_hash_idx").on(t.urlId, t.contentHash),
    index("chunks_project_idx").on(t.projectId),
    index("chunks_embedding_hnsw_idx").using("hnsw", t.embedding.op("vector_cosine_ops")),
    index("chunks_tsv_gin_idx").using("gin", t.tsv),
  ],
);
