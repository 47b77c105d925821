import { embeddingInput } from "../chunks/chunker";
import { currentChunk } from "../chunks/current";
import type { Config, Env } from "../config";
import { type Database, type SQL, selectRows, sql } from "../database";
import type { QueueMessage } from "../ingestion/messages";
import type { ProjectRole } from "../projects/constants";
import * as projectsService from "../projects/service";
import { REEMBED_BATCH_SIZE, REEMBED_STALE_MINUTES } from "./constants";
import { createEmbedder, EMBEDDING_MODELS, type Embedder, toVectorLiteral } from "./embedders";
import type { VectorizationStatus } from "./schemas";

export interface ModelInfo {
  provider: string;
  model: string;
  dimensions: number;
}

/** The provider and model new chunks are embedded with. */
export function activeModel(config: Config): ModelInfo {
  const entry = EMBEDDING_MODELS.find((model) => model.provider === config.EMBEDDING_PROVIDER);
  if (!entry) throw new Error(`no model listed for ${config.EMBEDDING_PROVIDER}`);
  const model = config.EMBEDDING_PROVIDER === "openai" ? config.OPENAI_EMBEDDING_MODEL : undefined;
  return { ...entry, model: model ?? entry.model };
}

/** The configured embedder for this deployment. */
export function getEmbedder(env: Env, config: Config): Embedder {
  return createEmbedder({
    provider: config.EMBEDDING_PROVIDER,
    ai: env.AI,
    openaiBaseUrl: config.OPENAI_BASE_URL,
    openaiApiKey: config.OPENAI_API_KEY,
    openaiModel: config.OPENAI_EMBEDDING_MODEL,
  });
}

async function sendReembed(queue: Queue<unknown>, projectId: string): Promise<void> {
  await queue.send({ kind: "reembed", projectId } satisfies QueueMessage);
}

/** The counts of {@link VectorizationStatus} over the project's current chunks `c`. */
function statusJson(model: ModelInfo): SQL {
  return sql`json_build_object(
    'model', ${model.model}::text, 'provider', ${model.provider}::text,
    'dimensions', ${model.dimensions}::int,
    'chunks_total', count(*),
    'chunks_embedded', count(*) filter (
      where c.embedding is not null and c.embedding_model = ${model.model}),
    'chunks_stale', count(*) filter (
      where c.embedding is null or c.embedding_model is distinct from ${model.model}))`;
}

interface StatusCall {
  db: Database;
  config: Config;
  userId: string;
  projectId: string;
}

/**
 * A project's embedding counts for the active model (viewer+). Role and counts come from one
 * statement.
 *
 * @example
 * const status = await vectorizationStatus({ db, config, userId, projectId });
 */
export async function vectorizationStatus({
  db,
  config,
  userId,
  projectId,
}: StatusCall): Promise<VectorizationStatus> {
  const [row] = await selectRows<{ role: ProjectRole | null; status: VectorizationStatus }>(
    db,
    sql`with access as (select ${projectsService.callerRole(projectId, userId)} as role)
        select (select role from access) as role, ${statusJson(activeModel(config))} as status
        from chunks c
        where c.project_id = ${projectId} and ${currentChunk("c")}
          and (select role from access) is not null`,
  );
  projectsService.requireRole(row?.role, "viewer");
  if (!row) throw new Error("status query returned no row");
  return row.status;
}

/**
 * Starts bringing a project's embeddings up to the active model (editor+), unless nothing is
 * stale or a chain of `reembed` messages is already at it (its heartbeat younger than
 * {@link REEMBED_STALE_MINUTES}): then the call joins that chain. Counts, role check and the
 * claim are one statement. Returns the counts as they were.
 *
 * @example
 * const status = await startReembed({ db, config, queue: env.INGEST_QUEUE, userId, projectId });
 */
export async function startReembed({
  queue,
  ...call
}: StatusCall & { queue: Queue<unknown> }): Promise<VectorizationStatus> {
  const { db, userId, projectId } = call;
  const [row] = await selectRows<{
    role: ProjectRole | null;
    status: VectorizationStatus;
    started: boolean;
  }>(
    db,
    sql`with access as (select ${projectsService.callerRole(projectId, userId)} as role),
        counts as (
          select ${statusJson(activeModel(call.config))} as status from chunks c
          where c.project_id = ${projectId} and ${currentChunk("c")}
            and (select role from access) is not null
        ),
        claimed as (
          insert into reembeds (project_id)
          select ${projectId}::uuid
          where (select role from access) in ${projectsService.rolesAtLeast("editor")}
            and ((select status from counts)->>'chunks_stale')::int > 0
          on conflict (project_id) do update set heartbeat_at = now()
            where reembeds.heartbeat_at < now() - make_interval(mins => ${REEMBED_STALE_MINUTES})
          returning project_id
        )
        select (select role from access) as role, (select status from counts) as status,
               exists(select 1 from claimed) as started`,
  );
  projectsService.requireRole(row?.role, "editor");
  if (!row) throw new Error("status query returned no row");
  if (row.started) await sendReembed(queue, projectId);
  return row.status;
}

/**
 * Embeds up to `batchSize` of the project's chunks whose embedding is missing or from another
 * model than the active one, writes them in one statement, and (unless `requeue` is false)
 * enqueues another `reembed` message while more remain; the last batch ends the chain's
 * `reembeds` row. Idempotent per (chunk, model): a chunk already embedded with the model is
 * never selected nor overwritten, so a redelivered message does no work twice; a chunk
 * rewritten meanwhile (its content hash changed) is left to the next pass. Returns how many
 * chunks this call embedded. The queue consumer calls it for `reembed`.
 *
 * @example
 * const embedded = await reembedProject({ db, env, config, projectId });
 */
export async function reembedProject({
  db,
  env,
  config,
  projectId,
  batchSize = REEMBED_BATCH_SIZE,
  requeue = true,
}: {
  db: Database;
  env: Env;
  config: Config;
  projectId: string;
  batchSize?: number;
  requeue?: boolean;
}): Promise<number> {
  const { model } = activeModel(config);
  const stale = sql`(c.embedding is null or c.embedding_model is distinct from ${model})
    and ${currentChunk("c")}`;
  const rows = await selectRows<{
    id: string;
    content_hash: string;
    text: string;
    heading_path: string[];
    title: string | null;
  }>(
    db,
    sql`select c.id, c.content_hash, c.text, c.heading_path, u.title
        from chunks c join urls u on u.id = c.url_id
        where c.project_id = ${projectId} and ${stale}
        order by c.id
        limit ${batchSize}`,
  );
  if (rows.length === 0) {
    await selectRows(db, sql`delete from reembeds where project_id = ${projectId}`);
    return 0;
  }
  const embedder = getEmbedder(env, config);
  // Written under one name and selected under the other, a mismatch would re-embed forever.
  if (embedder.model !== model) {
    throw new Error(`embedder model ${embedder.model} differs from the active model ${model}`);
  }
  const vectors = await embedder.embed(
    rows.map((r) =>
      embeddingInput(r.title, {
        position: 0,
        text: r.text,
        headingPath: r.heading_path,
        tokenCount: 0,
      }),
    ),
  );
  if (vectors.length !== rows.length) throw new Error("the embedder returned too few vectors");
  const updates = rows.map((r, i) => ({
    id: r.id,
    content_hash: r.content_hash,
    embedding: toVectorLiteral(vectors[i] as number[]),
  }));
  // One statement, so it is atomic; the stale count is read from the snapshot before the
  // update, hence the subtraction. The chain's heartbeat is kept, or its row removed at the end.
  const [result] = await selectRows<{ updated: number; remaining: number }>(
    db,
    sql`with v as (
          select * from json_to_recordset(${JSON.stringify(updates)}::json)
            as v(id uuid, content_hash text, embedding text)
        ),
        updated as (
          update chunks c set embedding = v.embedding::vector, embedding_model = ${model}
          from v where c.id = v.id and c.content_hash = v.content_hash and ${stale}
          returning c.id
        ),
        counts as (
          select (select count(*) from updated)::int as updated,
                 ((select count(*) from chunks c where c.project_id = ${projectId} and ${stale})
                   - (select count(*) from updated))::int as remaining
        ),
        beat as (
          update reembeds set heartbeat_at = now()
          where project_id = ${projectId} and (select remaining from counts) > 0
        ),
        ended as (
          delete from reembeds
          where project_id = ${projectId} and (select remaining from counts) <= 0
        )
        select updated, remaining from counts`,
  );
  if (requeue && (result?.remaining ?? 0) > 0) await sendReembed(env.INGEST_QUEUE, projectId);
  return result?.updated ?? 0;
}
