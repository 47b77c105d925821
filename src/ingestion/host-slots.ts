import { type Database, selectRows, sql, transaction } from "../database";

/**
 * Politeness towards the sites we fetch: at most `hostConcurrency` fetches per target host
 * (`host:port` of the url; redirect hops are not counted) across the whole queue, and none while
 * a host's 429 or 503 asked us to wait (its `Retry-After`, bounded).
 *
 * Slots are leases in `host_leases`, taken under a per-host advisory lock so two consumers never
 * both take the last one; a lease expires by itself after the fetch timeout plus a margin, so a
 * consumer that dies mid-fetch cannot hold a slot for ever. Inside one queue batch, a local gate
 * ({@link HostGates}) queues the batch's fetches first, so they wait in memory instead of
 * polling the database. The gate is per batch, never per isolate: workerd cancels an invocation
 * that waits on a promise only another invocation can resolve.
 * A url whose host has no free slot goes back to `queued` and its message is sent again later
 * (`deferred`), which does not count as a failed attempt. Cost: two round trips per fetch (take,
 * give back), on top of the pipeline's own.
 */

/** Per-batch gates by host: how many fetches run and who waits for a turn. */
export type HostGates = Map<string, { active: number; waiting: (() => void)[] }>;

export interface HostSlotSettings {
  hostConcurrency: number;
  timeoutMs: number;
  /** The batch's gates; without them each fetch goes straight to the leases. */
  gates?: HostGates;
}

/** How a fetch ended, as far as the host's backoff cares (a page's or a document's outcome). */
type FetchEnd = { kind: string; status?: number | null; retryAfterSeconds?: number };

export type HostSlot =
  | { kind: "leased"; host: string; leaseId: string; releaseLocal: () => void }
  | { kind: "busy"; retryInSeconds: number };

/** Seconds a lease outlives the fetch timeout before it counts as abandoned. */
const LEASE_MARGIN_SECONDS = 30;
/** Retry-After is honoured up to this; a site cannot park our queue for days. */
export const MAX_HOST_BACKOFF_SECONDS = 3600;
/** Wait after a 429/503 without a usable Retry-After. */
export const DEFAULT_HOST_BACKOFF_SECONDS = 30;

async function enterGate(gates: HostGates, host: string, limit: number): Promise<() => void> {
  let gate = gates.get(host);
  if (!gate) {
    gate = { active: 0, waiting: [] };
    gates.set(host, gate);
  }
  const entered = gate;
  if (entered.active >= limit) {
    await new Promise<void>((resolve) => entered.waiting.push(resolve));
  } else {
    entered.active += 1;
  }
  let left = false;
  return () => {
    if (left) return;
    left = true;
    const next = entered.waiting.shift();
    // The slot passes straight to the next waiter; only an empty gate is forgotten.
    if (next) next();
    else if (--entered.active === 0) gates.delete(host);
  };
}

/**
 * Takes a fetch slot for the url's host, or answers `busy` with the seconds to wait. When busy,
 * the url (marked `fetching` by the caller) goes back to `queued` in the same round trip. A host
 * whose robots.txt sets a `crawlDelay` gets one slot, so the gap recorded when each fetch ends
 * ({@link releaseHostSlot}) spaces every fetch, not only every other one.
 *
 * @example
 * const slot = await acquireHostSlot(db, urlId, target.url, settings, crawlDelay);
 * if (slot.kind === "busy") return { kind: "deferred", delaySeconds: slot.retryInSeconds };
 */
export async function acquireHostSlot(
  db: Database,
  urlId: string | null,
  url: string,
  settings: HostSlotSettings,
  crawlDelay: number | null = null,
): Promise<HostSlot> {
  // `host:port`, what a slot is counted against.
  const host = new URL(url).host;
  const concurrency = crawlDelay ? 1 : settings.hostConcurrency;
  const releaseLocal = await enterGate(settings.gates ?? new Map(), host, concurrency);
  const leaseId = crypto.randomUUID();
  const leaseSeconds = Math.ceil(settings.timeoutMs / 1000) + LEASE_MARGIN_SECONDS;
  try {
    const [, , rows] = await transaction(db, [
      sql`select pg_advisory_xact_lock(hashtextextended(${`host-slot:${host}`}, 0))`,
      sql`delete from host_leases where host = ${host} and expires_at <= now()`,
      sql`with backoff as (
            select until from host_backoffs where host = ${host} and until > now()
          ), taken as (
            insert into host_leases (id, host, expires_at)
            select ${leaseId}::uuid, ${host}, now() + make_interval(secs => ${leaseSeconds})
            where not exists (select 1 from backoff)
              and (select count(*) from host_leases where host = ${host}) < ${concurrency}
            returning id
          ), requeued as (
            update urls set status = 'queued', updated_at = now()
            where id = ${urlId}::uuid and status = 'fetching' and not exists (select 1 from taken)
          )
          select exists(select 1 from taken) as leased,
                 (select ceil(extract(epoch from until - now()))::int from backoff) as backoff`,
    ]);
    const [row] = (rows ?? []) as { leased: boolean; backoff: number | null }[];
    if (row?.leased) return { kind: "leased", host, leaseId, releaseLocal };
    releaseLocal();
    return { kind: "busy", retryInSeconds: row?.backoff ?? busyRetrySeconds() };
  } catch (error) {
    releaseLocal();
    throw error;
  }
}

/** A short, jittered wait for a slot another isolate holds, so deferred urls do not stampede. */
function busyRetrySeconds(): number {
  return 1 + Math.floor(Math.random() * 4);
}

/**
 * Gives the slot back and, when the host answered 429 or 503, records how long to leave it
 * alone (never shortening a wait already recorded); so does a robots.txt `Crawl-delay`
 * (`gapSeconds`), which keeps the host's next fetch that far from this one. One statement.
 */
export async function releaseHostSlot(
  db: Database,
  slot: Extract<HostSlot, { kind: "leased" }>,
  outcome: FetchEnd | null,
  gapSeconds: number | null = null,
): Promise<void> {
  slot.releaseLocal();
  const asked = backoffSeconds(outcome);
  const wait = asked === null && !gapSeconds ? null : Math.max(asked ?? 0, gapSeconds ?? 0);
  await selectRows(
    db,
    sql`with freed as (delete from host_leases where id = ${slot.leaseId})
        insert into host_backoffs (host, until)
        select ${slot.host}, now() + make_interval(secs => ${wait}::int)
        where ${wait}::int is not null
        on conflict (host) do update set until = greatest(host_backoffs.until, excluded.until)`,
  );
}

/** Seconds to leave the host alone after this outcome; null when it did not ask for a pause. */
export function backoffSeconds(outcome: FetchEnd | null): number | null {
  if (outcome?.kind !== "failed" || (outcome.status !== 429 && outcome.status !== 503)) {
    return null;
  }
  const asked = outcome.retryAfterSeconds ?? DEFAULT_HOST_BACKOFF_SECONDS;
  return Math.min(Math.max(asked, 1), MAX_HOST_BACKOFF_SECONDS);
}
