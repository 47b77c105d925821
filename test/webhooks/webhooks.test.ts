import { env } from "cloudflare:workers";
import { Webhook as Verifier } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import type { Env } from "../../src/config";
import { getConfig } from "../../src/config";
import { getDb, sql } from "../../src/database";
import { reapStalledUrls } from "../../src/ingestion/store";
import { claimOverdue } from "../../src/webhooks/delivery";
import { sendDeliveries } from "../../src/webhooks/outbox";
import { addUrls, eventually, site, waitForUrl } from "../ingestion/helpers";
import { query, seedProject } from "../projects/fixtures";
import { call, expectProblem, expectStatus } from "../support/api";
import { createUser } from "../support/factories";
import { createWebhook, deliveries, type Receipt, receiver } from "./helpers";

interface Event {
  type: string;
  timestamp: string;
  data: {
    project_id: string;
    url?: { id: string; status: string; error: { code: string } | null };
  };
}

/** Verifies each request's signature with the reference library and returns the payloads. */
function verifyAll(secret: string, receipts: Receipt[]): Event[] {
  const verifier = new Verifier(secret);
  return receipts.map((receipt) => verifier.verify(receipt.body, receipt.headers) as Event);
}

/** The cron's webhook job alone: re-sends overdue deliveries, removes orphaned endpoints. */
async function sweep() {
  const testEnv = env as unknown as Env;
  await sendDeliveries(testEnv.INGEST_QUEUE, await claimOverdue(getDb(testEnv)));
}

async function ownerWithProject() {
  const owner = await createUser();
  const { projectId } = await seedProject(owner.id);
  return { token: owner.accessToken, projectId };
}

describe("webhook endpoints", () => {
  it("POST …/webhooks shows the secret once; GET lists the endpoint without it", async () => {
    const { token, projectId } = await ownerWithProject();
    const hook = receiver();
    const created = await createWebhook(token, projectId, hook.url, ["url.ready", "url.failed"]);
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const page = await expectStatus<{ items: Record<string, unknown>[] }>(
      await call("GET", `/v1/projects/${projectId}/webhooks`, { token }),
      200,
    );
    expect(page.items).toEqual([
      {
        id: created.id,
        url: hook.url,
        events: ["url.ready", "url.failed"],
        enabled: true,
        disabled_reason: null,
        created_at: expect.any(String),
      },
    ]);
    expect(JSON.stringify(page)).not.toContain(created.secret.slice(6));
  });

  it.each([
    ["loopback", "http://127.0.0.1:1/hook"],
    ["cloud metadata", "http://169.254.169.254/latest/meta-data/"],
    ["private", "https://10.1.2.3/hook"],
    ["local name", "http://hooks.internal/"],
  ])(
    "POST …/webhooks to a %s address is 422 URL_NOT_ALLOWED and stores nothing",
    async (_, url) => {
      const { token, projectId } = await ownerWithProject();
      await expectProblem(
        await call("POST", `/v1/projects/${projectId}/webhooks`, {
          token,
          body: { url, events: ["url.ready"] },
        }),
        422,
        "URL_NOT_ALLOWED",
      );
      const rows = await query(
        sql`select 1 from webhook_endpoints where project_id = ${projectId}`,
      );
      expect(rows).toEqual([]);
    },
  );

  it("POST …/webhooks past webhooks_per_project is 409 QUOTA_EXCEEDED and stores nothing", async () => {
    const { token, projectId } = await ownerWithProject();
    const create = (url: string) =>
      call("POST", `/v1/projects/${projectId}/webhooks`, {
        token,
        body: { url, events: ["url.ready"] },
        vars: { QUOTA_WEBHOOKS_PER_PROJECT: "2" },
      });
    const results = await Promise.all([1, 2, 3].map((n) => create(receiver(`q${n}`).url)));
    expect(results.map((r) => r.status).sort()).toEqual([201, 201, 409]);
    const refused = results.find((r) => r.status === 409);
    expect(await refused?.json()).toMatchObject({
      code: "QUOTA_EXCEEDED",
      quota: "webhooks_per_project",
      limit: 2,
    });
    const rows = await query(sql`select 1 from webhook_endpoints where project_id = ${projectId}`);
    expect(rows).toHaveLength(2);
  });

  it("POST …/webhooks refuses unknown and repeated events", async () => {
    const { token, projectId } = await ownerWithProject();
    for (const events of [["url.ready", "url.ready"], ["page.done"], []]) {
      await expectProblem(
        await call("POST", `/v1/projects/${projectId}/webhooks`, {
          token,
          body: { url: receiver().url, events },
        }),
        422,
        "VALIDATION_FAILED",
      );
    }
    const rows = await query(sql`select 1 from webhook_endpoints where project_id = ${projectId}`);
    expect(rows).toEqual([]);
  });

  it("DELETE …/webhooks/{id} by a viewer is 403 and the endpoint stays", async () => {
    const owner = await createUser();
    const viewer = await createUser();
    const { projectId } = await seedProject(owner.id, {
      viewer: { userId: viewer.id, role: "viewer" },
    });
    const created = await createWebhook(owner.accessToken, projectId, receiver().url, [
      "url.ready",
    ]);
    await expectProblem(
      await call("DELETE", `/v1/projects/${projectId}/webhooks/${created.id}`, {
        token: viewer.accessToken,
      }),
      403,
      "INSUFFICIENT_ROLE",
    );
    const rows = await query(sql`select 1 from webhook_endpoints where id = ${created.id}`);
    expect(rows).toHaveLength(1);
  });
});

describe("webhook delivery", () => {
  it("url.ready arrives signed (standardwebhooks verifies it) and is logged as delivered", async () => {
    const { token, projectId } = await ownerWithProject();
    const hook = receiver("ready");
    const created = await createWebhook(token, projectId, hook.url, ["url.ready"]);
    const [url] = await addUrls(token, projectId, [site("/article")]);
    const ready = await waitForUrl(token, projectId, url?.id ?? "");
    expect(ready.status).toBe("ready");

    const [receipt] = await hook.waitFor(1);
    const [event] = verifyAll(created.secret, receipt ? [receipt] : []);
    expect(event?.type).toBe("url.ready");
    expect(event?.data.project_id).toBe(projectId);
    expect(event?.data.url?.id).toBe(ready.id);
    expect(event?.data.url?.status).toBe("ready");
    // A wrong secret does not verify.
    expect(() => verifyAll(`whsec_${btoa("x".repeat(32))}`, receipt ? [receipt] : [])).toThrow();

    await eventually(async () => {
      const [logged] = await deliveries(token, projectId, created.id);
      return logged?.status === "delivered";
    });
    const [logged] = await deliveries(token, projectId, created.id);
    expect(logged).toMatchObject({
      id: receipt?.headers["webhook-id"],
      event: "url.ready",
      attempts: 1,
      last_status_code: 204,
    });
  });

  it("a page that ends failed sends url.failed once; a retry on the way sends nothing", async () => {
    const { token, projectId } = await ownerWithProject();
    const hook = receiver("fail");
    const created = await createWebhook(token, projectId, hook.url, ["url.failed", "url.ready"]);
    // A PDF fails at once; a 500 page is retried (queued with last_error) before it fails.
    const [pdf, flaky] = await addUrls(token, projectId, [site("/doc.pdf"), site("/status/500")]);
    for (const url of [pdf, flaky]) {
      expect((await waitForUrl(token, projectId, url?.id ?? "")).status).toBe("failed");
    }
    const events = verifyAll(created.secret, await hook.waitFor(2));
    expect(events.map((event) => event.type)).toEqual(["url.failed", "url.failed"]);
    expect(new Set(events.map((event) => event.data.url?.id))).toEqual(
      new Set([pdf?.id, flaky?.id]),
    );
    expect(events.every((event) => event.data.url?.status === "failed")).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(await hook.received()).toHaveLength(2);
  });

  it("a stalled url given up by the cron records url.failed in the reaper's statement", async () => {
    const { token, projectId } = await ownerWithProject();
    const hook = receiver("stalled");
    const created = await createWebhook(token, projectId, hook.url, ["url.failed"]);
    const config = getConfig(env as unknown as Env);
    // One never indexed (ends failed) and one with an earlier version (stays ready: no event).
    await query(
      sql`insert into urls (project_id, url, normalized_url, status, stalls, fetched_at, updated_at)
          select ${projectId}, u, u, 'fetching', ${config.INGEST_STUCK_MAX_REQUEUES}, f,
                 now() - make_interval(secs => ${config.INGEST_STUCK_AFTER_SECONDS + 60})
          from (values (${site("/gen/951")}, null::timestamptz),
                       (${site("/gen/952")}, now() - interval '2 days')) v(u, f)`,
    );
    await reapStalledUrls(getDb(env as unknown as Env), {
      stuckAfterSeconds: config.INGEST_STUCK_AFTER_SECONDS,
      maxRequeues: config.INGEST_STUCK_MAX_REQUEUES,
      limit: 1000,
    });
    const rows = await query<{ event: string; payload: string }>(
      sql`select event, payload from webhook_deliveries where endpoint_id = ${created.id}`,
    );
    expect(rows.map((row) => row.event)).toEqual(["url.failed"]);
    const statuses = await query<{ id: string; status: string }>(
      sql`select id, status from urls where project_id = ${projectId} order by url`,
    );
    expect(statuses.map((url) => url.status)).toEqual(["failed", "ready"]);
    const event = JSON.parse(rows[0]?.payload ?? "{}") as Event;
    expect(event.data.url).toMatchObject({ id: statuses[0]?.id, status: "failed" });
    expect(event.data.url?.error?.code).toBe("INGEST_TIMEOUT");
  });

  it("a receiver that is down gets the event when it returns, once per webhook-id", async () => {
    const { token, projectId } = await ownerWithProject();
    const hook = receiver("down");
    await hook.answer(503);
    const created = await createWebhook(token, projectId, hook.url, ["url.ready"]);
    const [url] = await addUrls(token, projectId, [site("/gen/41")]);
    await waitForUrl(token, projectId, url?.id ?? "");

    // Two failed attempts (the second after the backoff), then the receiver comes back.
    await hook.waitFor(2);
    await hook.answer(200);
    await eventually(
      async () => (await deliveries(token, projectId, created.id))[0]?.status === "delivered",
      20_000,
      "delivered after the receiver returned",
    );
    const receipts = await hook.received();
    expect(receipts.length).toBeGreaterThanOrEqual(3);
    // Every attempt is the same message: one id, one body, each signed afresh.
    const events = verifyAll(created.secret, receipts);
    expect(new Set(receipts.map((r) => r.headers["webhook-id"])).size).toBe(1);
    expect(new Set(receipts.map((r) => r.body)).size).toBe(1);
    expect(events[0]?.data.url?.id).toBe(url?.id);

    const [logged] = await deliveries(token, projectId, created.id);
    expect(logged?.attempts).toBe(receipts.length);
    expect(logged?.attempt_log.map((a) => a.status_code)).toEqual([
      ...receipts.slice(1).map(() => 503),
      200,
    ]);

    // A duplicate queue message for a delivered event sends nothing.
    await env.INGEST_QUEUE.send({ kind: "webhook", deliveryId: logged?.id });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await hook.received()).toHaveLength(receipts.length);
  });

  it("project.deleted reaches the endpoint after the project is gone; the sweep then removes it", async () => {
    const { token, projectId } = await ownerWithProject();
    const hook = receiver("deleted");
    const created = await createWebhook(token, projectId, hook.url, ["project.deleted"]);
    await expectStatus(await call("DELETE", `/v1/projects/${projectId}`, { token }), 204);
    const [event] = verifyAll(created.secret, await hook.waitFor(1));
    expect(event?.type).toBe("project.deleted");
    expect(event?.data.project_id).toBe(projectId);

    await eventually(async () => {
      const [row] = await query<{ status: string }>(
        sql`select status from webhook_deliveries where endpoint_id = ${created.id}`,
      );
      return row?.status === "delivered";
    });
    await sweep();
    expect(await query(sql`select 1 from webhook_endpoints where id = ${created.id}`)).toEqual([]);
  });

  it("deleting the account sends project.deleted for each project it owned", async () => {
    const owner = await createUser();
    const projects = [await seedProject(owner.id), await seedProject(owner.id)];
    const hook = receiver("account");
    const secrets = new Map<string, string>();
    for (const { projectId } of projects) {
      const created = await createWebhook(owner.accessToken, projectId, hook.url, [
        "project.deleted",
      ]);
      secrets.set(projectId, created.secret);
    }
    await expectStatus(await call("DELETE", "/v1/users/me", { token: owner.accessToken }), 204);
    const receipts = await hook.waitFor(2);
    const events = receipts.map((receipt) => {
      const projectId = (JSON.parse(receipt.body) as Event).data.project_id;
      return verifyAll(secrets.get(projectId) ?? "", [receipt])[0];
    });
    expect(events.map((event) => event?.type)).toEqual(["project.deleted", "project.deleted"]);
    expect(new Set(events.map((event) => event?.data.project_id))).toEqual(
      new Set(projects.map((project) => project.projectId)),
    );
  });

  it("a target that no longer passes the address screen is refused at delivery and disabled", async () => {
    const { token, projectId } = await ownerWithProject();
    // As if the endpoint predates a stricter screen: the API would refuse to create it.
    const [endpoint] = await query<{ id: string }>(
      sql`insert into webhook_endpoints (project_id, url, events, secret)
          values (${projectId}, 'http://10.0.0.1/hook', '{url.ready}',
                  ${`whsec_${btoa("k".repeat(32))}`})
          returning id`,
    );
    const [url] = await addUrls(token, projectId, [site("/gen/42")]);
    await waitForUrl(token, projectId, url?.id ?? "");
    await eventually(async () => {
      const [logged] = await deliveries(token, projectId, endpoint?.id ?? "");
      return logged?.status === "failed";
    });
    const [logged] = await deliveries(token, projectId, endpoint?.id ?? "");
    expect(logged?.attempts).toBe(1);
    expect(logged?.attempt_log[0]).toMatchObject({ status_code: null });
    expect(logged?.attempt_log[0]?.error).toMatch(/^URL_NOT_ALLOWED/);
    const page = await expectStatus<{ items: { enabled: boolean; disabled_reason: string }[] }>(
      await call("GET", `/v1/projects/${projectId}/webhooks`, { token }),
      200,
    );
    expect(page.items[0]).toMatchObject({ enabled: false });
    expect(page.items[0]?.disabled_reason).toContain("not allowed");
  });

  it("an endpoint failing for longer than WEBHOOK_DISABLE_AFTER_HOURS is disabled", async () => {
    const { token, projectId } = await ownerWithProject();
    const hook = receiver("dead");
    await hook.answer(500);
    const created = await createWebhook(token, projectId, hook.url, ["url.ready"]);
    await query(
      sql`update webhook_endpoints set failing_since = now() - interval '121 hours'
          where id = ${created.id}`,
    );
    const [url] = await addUrls(token, projectId, [site("/gen/43")]);
    await waitForUrl(token, projectId, url?.id ?? "");
    await hook.waitFor(1);
    await eventually(async () => {
      const [row] = await query<{ enabled: boolean }>(
        sql`select enabled from webhook_endpoints where id = ${created.id}`,
      );
      return row?.enabled === false;
    });
    const [logged] = await deliveries(token, projectId, created.id);
    expect(logged).toMatchObject({ status: "failed", attempts: 1, last_status_code: 500 });
    // Nothing more is sent to it.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await hook.received()).toHaveLength(1);
  });

  it("the cron sends a pending delivery whose queue message was lost", async () => {
    const { token, projectId } = await ownerWithProject();
    const hook = receiver("lost");
    const created = await createWebhook(token, projectId, hook.url, ["url.ready"]);
    const [delivery] = await query<{ id: string }>(
      sql`insert into webhook_deliveries (endpoint_id, event, payload, next_attempt_at)
          values (${created.id}, 'url.ready', '{"type":"url.ready"}', now() - interval '10 minutes')
          returning id`,
    );
    await sweep();
    const [receipt] = await hook.waitFor(1);
    expect(receipt?.headers["webhook-id"]).toBe(delivery?.id);
    verifyAll(created.secret, receipt ? [receipt] : []);
  });

  it("a delivery still failing when its retry window closes is marked failed", async () => {
    const { token, projectId } = await ownerWithProject();
    const hook = receiver("late");
    await hook.answer(503);
    const created = await createWebhook(token, projectId, hook.url, ["url.ready"]);
    // The next retry (1 s in tests) would fall after the 24-hour window.
    await query(
      sql`insert into webhook_deliveries (endpoint_id, event, payload, created_at, next_attempt_at)
          values (${created.id}, 'url.ready', '{"type":"url.ready"}',
                  now() - interval '24 hours' + interval '500 milliseconds',
                  now() - interval '10 minutes')`,
    );
    await sweep();
    await hook.waitFor(1);
    await eventually(
      async () => (await deliveries(token, projectId, created.id))[0]?.status === "failed",
    );
    const [logged] = await deliveries(token, projectId, created.id);
    expect(logged).toMatchObject({ attempts: 1, last_status_code: 503 });
    // The endpoint itself stays enabled: one late failure is not sustained failure.
    const [row] = await query<{ enabled: boolean }>(
      sql`select enabled from webhook_endpoints where id = ${created.id}`,
    );
    expect(row?.enabled).toBe(true);
  });
});
