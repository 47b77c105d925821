import type { Config } from "../config";
import { type Database, selectRows, sql } from "../database";
import { normalizeUrl } from "../urls/address";
import {
  ATTEMPT_ERROR_MAX,
  ATTEMPT_LOG_LENGTH,
  DELIVERY_TIMEOUT_MS,
  SECRET_PREFIX,
} from "./constants";

/**
 * Delivery of webhook events (Standard Webhooks): at least once, signed, retried with
 * exponential backoff for WEBHOOK_RETRY_WINDOW_HOURS. The delivery's id is the `webhook-id` of
 * every attempt and the payload is stored, so a retry is byte-identical and a receiver can drop
 * duplicates by id. Messages only say which delivery to try; the row says whether it is still due,
 * so a duplicate or late message sends nothing.
 */

// Cloudflare Queues delay a message by at most 12 hours.
const MAX_DELAY_SECONDS = 43_200;
// A claim that outlives the send (timeout included) by this much is considered abandoned.
const LEASE_SECONDS = 60;
// A pending delivery this far past due has lost its message; the sweep sends a new one.
const OVERDUE_MINUTES = 5;
const SWEEP_LIMIT = 500;

const encoder = new TextEncoder();

/**
 * The `webhook-signature` value: `v1,` + base64 HMAC-SHA256 of `{id}.{timestamp}.{body}` keyed
 * with the secret's decoded bytes.
 *
 * @example
 * await sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_1", 1614265330, '{"a":1}');
 */
export async function sign(
  secret: string,
  id: string,
  timestamp: number,
  body: string,
): Promise<string> {
  const raw = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  const keyBytes = Uint8Array.from(atob(raw), (ch) => ch.charCodeAt(0));
  const key = await crypto.subtle.importKey(
    "raw",
    keyBytes,
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = await crypto.subtle.sign("HMAC", key, encoder.encode(`${id}.${timestamp}.${body}`));
  return `v1,${btoa(String.fromCharCode(...new Uint8Array(mac)))}`;
}

/**
 * Seconds before attempt `attempts + 1`: base, 2×base, 4×base… capped at the queue's maximum.
 *
 * @example
 * retryDelay(3, config); // 240 with the default 30 s base
 */
function retryDelay(attempts: number, config: Config): number {
  const delay = config.WEBHOOK_RETRY_BASE_SECONDS * 2 ** Math.max(0, attempts - 1);
  return Math.min(delay, MAX_DELAY_SECONDS);
}

interface Claimed {
  id: string;
  payload: string;
  attempts: number;
  created_at: string;
  endpoint_id: string;
  url: string;
  secret: string;
  failing_since: string | null;
}

interface Attempt {
  statusCode: number | null;
  error: string | null;
}

interface DeliverOptions {
  db: Database;
  config: Config;
  allowHosts: ReadonlySet<string>;
  deliveryId: string;
  fetch?: typeof fetch;
}

/**
 * Makes one attempt of a delivery that is still pending and due, and records it. Returns the
 * seconds until the next attempt when one is scheduled (the caller enqueues it), else null.
 * The target is screened again here (the same rules as pages, `src/urls/address.ts`): one that no
 * longer passes is not contacted, the delivery fails and the endpoint is disabled. Throws only
 * when the database is out of reach.
 *
 * @example
 * const retryIn = await deliver({ db, config, allowHosts, deliveryId });
 */
export async function deliver(options: DeliverOptions): Promise<number | null> {
  const { db, config } = options;
  const [claimed] = await selectRows<Claimed>(
    db,
    sql`update webhook_deliveries d
        set leased_until = now() + make_interval(secs => ${LEASE_SECONDS})
        from webhook_endpoints e
        where d.id = ${options.deliveryId} and e.id = d.endpoint_id and e.enabled
          and d.status = 'pending' and d.next_attempt_at <= now() + interval '5 seconds'
          and (d.leased_until is null or d.leased_until < now())
        returning d.id, d.payload, d.attempts, d.created_at, e.id as endpoint_id, e.url,
                  e.secret, e.failing_since`,
  );
  if (!claimed) return null;

  const check = normalizeUrl(claimed.url, { allowHosts: options.allowHosts });
  const attempt: Attempt = check.ok
    ? await send(claimed, options.fetch ?? fetch)
    : { statusCode: null, error: `${check.code}: ${check.message}`.slice(0, ATTEMPT_ERROR_MAX) };
  const ok = attempt.statusCode !== null && attempt.statusCode >= 200 && attempt.statusCode < 300;

  const attempts = claimed.attempts + 1;
  const now = Date.now();
  const delay = retryDelay(attempts, config);
  const windowEnd = Date.parse(claimed.created_at) + config.WEBHOOK_RETRY_WINDOW_HOURS * 3_600_000;
  const failingFor = claimed.failing_since ? now - Date.parse(claimed.failing_since) : 0;
  const disable = !check.ok
    ? "target address not allowed"
    : !ok && failingFor > config.WEBHOOK_DISABLE_AFTER_HOURS * 3_600_000
      ? `every attempt failed for ${config.WEBHOOK_DISABLE_AFTER_HOURS} hours`
      : null;
  const retry = !ok && disable === null && now + delay * 1000 <= windowEnd;
  const status = ok ? "delivered" : retry ? "pending" : "failed";

  await selectRows(
    db,
    sql`with recorded as (
          update webhook_deliveries set status = ${status}, attempts = ${attempts},
            attempt_log = (
              select coalesce(jsonb_agg(entry order by n), '[]'::jsonb) from (
                select entry, n from jsonb_array_elements(attempt_log || jsonb_build_array(
                    jsonb_build_object('at', api_time(now()), 'status_code', ${attempt.statusCode}::int,
                                       'error', ${attempt.error}::text)))
                  with ordinality as t(entry, n)
                order by n desc limit ${ATTEMPT_LOG_LENGTH}) latest),
            next_attempt_at = now() + make_interval(secs => ${retry ? delay : 0}),
            leased_until = null,
            delivered_at = case when ${ok}::boolean then now() end
          where id = ${claimed.id}
        ),
        endpoint as (
          update webhook_endpoints set
            failing_since = case when ${ok}::boolean then null else coalesce(failing_since, now()) end,
            enabled = enabled and ${disable}::text is null,
            disabled_reason = coalesce(${disable}::text, disabled_reason)
          where id = ${claimed.endpoint_id}
        ),
        -- A disabled endpoint's other pending deliveries will not be sent either.
        abandoned as (
          update webhook_deliveries set status = 'failed', leased_until = null
          where endpoint_id = ${claimed.endpoint_id} and status = 'pending'
            and id <> ${claimed.id} and ${disable}::text is not null
        )
        select 1`,
  );
  return retry ? delay : null;
}

async function send(claimed: Claimed, fetcher: typeof fetch): Promise<Attempt> {
  const timestamp = Math.floor(Date.now() / 1000);
  try {
    const response = await fetcher(claimed.url, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        "User-Agent": "Linkbase-Webhooks/1",
        "webhook-id": claimed.id,
        "webhook-timestamp": String(timestamp),
        "webhook-signature": await sign(claimed.secret, claimed.id, timestamp, claimed.payload),
      },
      body: claimed.payload,
      // A redirect could lead to any address; it counts as a failed attempt instead.
      redirect: "manual",
      signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
    });
    await response.body?.cancel();
    return { statusCode: response.status, error: response.ok ? null : `HTTP ${response.status}` };
  } catch (error) {
    const timedOut = error instanceof Error && error.name === "TimeoutError";
    return { statusCode: null, error: timedOut ? "timed out" : "connection failed" };
  }
}

/**
 * The cron's part: removes endpoints whose project is gone once nothing is left to send them,
 * and returns pending deliveries whose message was lost (overdue), made due now, for the caller
 * to enqueue. One statement.
 *
 * @example
 * await sendDeliveries(queue, await claimOverdue(db));
 */
export async function claimOverdue(db: Database): Promise<string[]> {
  const rows = await selectRows<{ id: string }>(
    db,
    sql`with orphans as (
          delete from webhook_endpoints e
          where e.project_id is null and not exists (
            select 1 from webhook_deliveries d where d.endpoint_id = e.id and d.status = 'pending')
        ),
        overdue as (
          select id from webhook_deliveries
          where status = 'pending'
            and next_attempt_at < now() - make_interval(mins => ${OVERDUE_MINUTES})
            and (leased_until is null or leased_until < now())
          order by next_attempt_at
          limit ${SWEEP_LIMIT}
          for update skip locked
        )
        update webhook_deliveries d set next_attempt_at = now()
        from overdue where d.id = overdue.id
        returning d.id`,
  );
  return rows.map((row) => row.id);
}
