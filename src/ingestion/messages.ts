import * as z from "zod";

/**
 * The messages on INGEST_QUEUE. One queue and one consumer (`consumer.ts`) serve them all:
 * `ingest` (fetch and index one url), `delete-prefix` (remove stored snapshots, produced by url,
 * project and user deletion; `deletionId` names its outbox row), `reembed` (produced by
 * POST …/vectorization), `webhook` (one attempt of a webhook delivery: src/webhooks/) and
 * `discover` (one step of a source's sync: `doc` empty for its start, else a sitemap document's
 * url; see discovery.ts).
 */
export const QueueMessage = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("ingest"), urlId: z.uuid() }),
  z.object({
    kind: z.literal("delete-prefix"),
    prefix: z.string().min(1),
    deletionId: z.uuid().optional(),
  }),
  z.object({ kind: z.literal("reembed"), projectId: z.uuid() }),
  z.object({
    kind: z.literal("discover"),
    sourceId: z.uuid(),
    sync: z.number().int().min(1),
    doc: z.string().max(4096),
  }),
  z.object({ kind: z.literal("webhook"), deliveryId: z.uuid() }),
]);

export type QueueMessage = z.infer<typeof QueueMessage>;

// Queue.sendBatch takes at most 100 messages.
const SEND_BATCH_LIMIT = 100;

/**
 * Sends messages to INGEST_QUEUE, a hundred per `sendBatch`; every producer goes through here.
 *
 * @example
 * await sendMessages(env.INGEST_QUEUE, [{ kind: "reembed", projectId }]);
 */
export async function sendMessages(
  queue: Queue<unknown>,
  messages: readonly QueueMessage[],
  delaySeconds?: number,
) {
  for (let start = 0; start < messages.length; start += SEND_BATCH_LIMIT) {
    const batch = messages.slice(start, start + SEND_BATCH_LIMIT);
    await queue.sendBatch(batch.map((body) => ({ body, delaySeconds })));
  }
}

/**
 * Sends the messages of a write that has already committed. Never throws: the write stands, and
 * what a lost message would have started is picked up by the cron (`leftTo` says how, in the log).
 *
 * @example
 * await sendAfterCommit("the cron's outbox retry", () => sendMessages(queue, messages));
 */
export async function sendAfterCommit(leftTo: string, send: () => Promise<unknown>) {
  try {
    await send();
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    console.warn(JSON.stringify({ level: "warn", message: `left to ${leftTo}`, error: detail }));
  }
}

/**
 * Sends one `ingest` message per url id, delivered after `delaySeconds` when given.
 *
 * @example
 * await enqueueIngest(c.env.INGEST_QUEUE, ["7d3c…"]);
 */
export function enqueueIngest(
  queue: Queue<unknown>,
  urlIds: readonly string[],
  delaySeconds?: number,
) {
  return sendMessages(
    queue,
    urlIds.map((urlId) => ({ kind: "ingest", urlId })),
    delaySeconds,
  );
}

/**
 * {@link enqueueIngest} for urls a write has just committed as `queued`: a lost message leaves
 * the url to the stall reaper (re-queued after INGEST_STUCK_AFTER_SECONDS), so a queue outage
 * delays it instead of failing the request.
 *
 * @example
 * await enqueueCommitted(c.env.INGEST_QUEUE, createdIds);
 */
export function enqueueCommitted(queue: Queue<unknown>, urlIds: readonly string[]) {
  return sendAfterCommit("the stall reaper", () => enqueueIngest(queue, urlIds));
}
