import { env } from "cloudflare:workers";
import { embeddingInput } from "../../src/chunks/chunker";
import { type Config, type Env, getConfig } from "../../src/config";
import { sql } from "../../src/database";
import { createEmbedder, toVectorLiteral } from "../../src/vectorization/embedders";
import { query } from "../projects/fixtures";

/** The Worker's settings as the tests' bindings give them. */
export function testConfig(): Config {
  return getConfig(env as unknown as Env);
}

export interface SeedSection {
  headingPath: string[];
  text: string;
}

export interface SeededChunk {
  id: string;
  position: number;
  text: string;
  headingPath: string[];
}

export interface SeededUrl {
  urlId: string;
  url: string;
  title: string;
  chunks: SeededChunk[];
}

const local = createEmbedder({ provider: "local" });

/**
 * Inserts a `ready` url and one chunk per section, embedded by the local embedder over
 * `embeddingInput(title, chunk)` as ingestion does. `model` overrides the recorded model name
 * (a stale chunk); `embed: false` leaves the embedding null.
 */
export async function seedDocument(
  projectId: string,
  doc: { title: string; sections: SeedSection[]; url?: string },
  options: { model?: string; embed?: boolean } = {},
): Promise<SeededUrl> {
  const url = doc.url ?? `https://docs.example.com/${crypto.randomUUID()}`;
  const inputs = doc.sections.map((s, position) =>
    embeddingInput(doc.title, {
      position,
      text: s.text,
      headingPath: s.headingPath,
      tokenCount: 0,
    }),
  );
  const vectors = options.embed === false ? null : await local.embed(inputs);
  const rows = doc.sections.map((s, position) => ({
    position,
    text: s.text,
    heading_path: s.headingPath,
    token_count: Math.ceil(s.text.length / 4),
    content_hash: `hash-${position}-${s.text.length}`,
    embedding: vectors ? toVectorLiteral(vectors[position] as number[]) : null,
  }));
  const model = vectors ? (options.model ?? local.model) : null;
  const [row] = await query<{ url_id: string; chunks: SeededChunk[] }>(
    sql`with u as (
          insert into urls (project_id, url, normalized_url, status, title, chunk_count, fetched_at)
          values (${projectId}, ${url}, ${url}, 'ready', ${doc.title}, ${rows.length}, now())
          returning id
        ), c as (
          insert into chunks (url_id, project_id, position, text, heading_path, token_count,
                              content_hash, embedding, embedding_model)
          select u.id, ${projectId}, r.position, r.text,
                 array(select json_array_elements_text(r.heading_path)), r.token_count,
                 r.content_hash, r.embedding::vector, ${model}::text
          from u, json_to_recordset(${JSON.stringify(rows)}::json)
            as r(position int, text text, heading_path json, token_count int,
                 content_hash text, embedding text)
          returning id, position, text, heading_path
        )
        select (select id from u) as url_id,
               (select json_agg(json_build_object('id', id, 'position', position, 'text', text,
                  'headingPath', heading_path) order by position) from c) as chunks`,
  );
  if (!row) throw new Error("seeding the document failed");
  return { urlId: row.url_id, url, title: doc.title, chunks: row.chunks };
}

/**
 * A realistic operations guide: sections with distinct vocabularies, so a phrase from one of
 * them must find that section first in every mode.
 */
export const GUIDE = {
  title: "Linkbase Operations Guide",
  sections: [
    {
      headingPath: ["Linkbase Operations Guide", "Installation"],
      text:
        "Install the command line tool with npm, then run the setup wizard. The wizard checks " +
        "that Node.js 22 is present, creates a configuration directory in your home folder and " +
        "downloads the latest release archive. Installation takes about two minutes.",
    },
    {
      headingPath: ["Linkbase Operations Guide", "Configuration", "Environment variables"],
      text:
        "Every setting can be overridden through environment variables. DATABASE_URL points at " +
        "the Postgres connection string, S3_BUCKET names the storage bucket and CORS_ORIGINS " +
        "lists the browser origins allowed to call the service.",
    },
    {
      headingPath: ["Linkbase Operations Guide", "Security", "Rotating API keys"],
      text:
        "Rotate API keys every ninety days. Create the replacement key first, deploy it to every " +
        "client, and only then revoke the old credential so no integration loses access during " +
        "the rotation window.",
    },
    {
      headingPath: ["Linkbase Operations Guide", "Backups"],
      text:
        "Nightly snapshots of the database are written to cold storage and kept for thirty days. " +
        "To restore a snapshot, stop the writers, download the dump and replay the write-ahead " +
        "log up to the chosen recovery point.",
    },
    {
      headingPath: ["Linkbase Operations Guide", "Troubleshooting", "Slow queries"],
      text:
        "When dashboards feel sluggish, inspect slow queries with EXPLAIN ANALYZE, look for " +
        "sequential scans on large tables and add a missing index. Vacuum bloated tables after " +
        "bulk deletes to keep the planner's statistics fresh.",
    },
    {
      headingPath: ["Linkbase Operations Guide", "Troubleshooting", "Rate limits"],
      text:
        "Clients that send too many requests receive status 429 with a Retry-After header. " +
        "Back off exponentially with jitter, and batch small writes together instead of " +
        "hammering the endpoint in a tight loop.",
    },
  ],
} as const satisfies { title: string; sections: SeedSection[] };

/** A page from another site, to tell urls apart in filters. */
export const RECIPES = {
  title: "Sourdough at Home",
  sections: [
    {
      headingPath: ["Sourdough at Home", "Starter"],
      text:
        "Feed the sourdough starter equal weights of flour and water every morning until it " +
        "doubles within six hours; a lively starter smells pleasantly sour.",
    },
    {
      headingPath: ["Sourdough at Home", "Baking"],
      text:
        "Bake the loaf in a preheated Dutch oven, lid on for twenty minutes and lid off for " +
        "another twenty five, until the crust is deep brown. Rotate the pot halfway.",
    },
  ],
} as const satisfies { title: string; sections: SeedSection[] };

/** For each guide section: a query phrased as a user would, taken from that section. */
export const SECTION_QUERIES: readonly [number, string][] = [
  [0, "install the command line tool with npm"],
  [1, "environment variables DATABASE_URL connection string"],
  [2, "rotate API keys and revoke the old credential"],
  [3, "restore a nightly database snapshot"],
  [4, "inspect slow queries with EXPLAIN ANALYZE"],
  [5, "too many requests 429 Retry-After"],
];
