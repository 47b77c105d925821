import { describe, expect, it } from "vitest";
import { sql } from "../../src/database";
import type { Url } from "../../src/urls/schemas";
import { query, seedProject } from "../projects/fixtures";
import { call, expectStatus } from "../support/api";
import { createUser } from "../support/factories";
import { addUrls, eventually, hits, setPage, site, waitForUrl } from "./helpers";

/**
 * Linkbase must not be a way to hammer someone else's site: refreshes join a fetch in flight,
 * fetches per target host are capped across the queue (FETCH_HOST_CONCURRENCY, 2 by default and
 * in tests), and a 429/503 keeps the host's fetches away for its Retry-After. Every page of the
 * test site is on one host, `127.0.0.1:<port>`.
 */
const HOST = new URL(site("/")).host;
const CAP = 2;

const page = (title: string) =>
  `<html><head><title>${title}</title></head><body><main><h1>${title}</h1>
<p>A page about polite crawling, served slowly so fetches overlap if they are allowed to.</p>
</main></body></html>`;

interface LogEntry {
  path: string;
  start: number;
  end: number | null;
}

/** The largest number of requests under `prefix` the test site was serving at one moment. */
async function maxInFlight(prefix: string): Promise<{ requests: number; overlap: number }> {
  const log = (await (await fetch(site(`/_log?prefix=${prefix}`))).json()) as LogEntry[];
  const events = log.flatMap((e) => [
    [e.start, 1],
    [e.end ?? Number.POSITIVE_INFINITY, -1],
  ]);
  // At equal times an end sorts before a start: back-to-back requests do not overlap.
  events.sort((a, b) => (a[0] ?? 0) - (b[0] ?? 0) || (a[1] ?? 0) - (b[1] ?? 0));
  let current = 0;
  let overlap = 0;
  for (const [, step] of events) {
    current += step ?? 0;
    overlap = Math.max(overlap, current);
  }
  return { requests: log.length, overlap };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("fetch amplification", () => {
  it("20 concurrent refreshes of one url cause one fetch", async () => {
    const owner = await createUser();
    const { projectId } = await seedProject(owner.id);
    const name = `join-${crypto.randomUUID()}`;
    const pageUrl = await setPage(name, page("Join me"));
    // Slow enough that the refreshes all land while the first one is queued or being fetched.
    const [item] = await addUrls(owner.accessToken, projectId, [`${pageUrl}?delay=800`]);
    const first = await waitForUrl(owner.accessToken, projectId, item?.id ?? "");
    expect(first.status).toBe("ready");
    expect((await hits(`/pages/${name}`)).count).toBe(1);

    const answers = await Promise.all(
      Array.from({ length: 20 }, () =>
        call("POST", `/v1/projects/${projectId}/urls/${first.id}/refresh`, {
          token: owner.accessToken,
        }),
      ),
    );
    const bodies = await Promise.all(answers.map((res) => expectStatus<Url>(res, 202)));
    expect(bodies.every((url) => ["queued", "fetching"].includes(url.status))).toBe(true);
    await waitForUrl(owner.accessToken, projectId, first.id, {
      done: (u) => u.status === "ready" && (u.fetched_at ?? "") > (first.fetched_at ?? ""),
    });
    // Time for any stray message to arrive (the queue's batch timeout is 1 s).
    await sleep(2500);
    expect((await hits(`/pages/${name}`)).count).toBe(2);
  });

  it(`never fetches more than ${CAP} pages of one host at once (the test site's log)`, async () => {
    const owner = await createUser();
    const { projectId } = await seedProject(owner.id);
    const prefix = `/pages/cap-${crypto.randomUUID().slice(0, 8)}`;
    const urls = await Promise.all(
      Array.from({ length: 6 }, async (_, i) => {
        const url = await setPage(`${prefix.slice("/pages/".length)}-${i}`, page(`Cap ${i}`));
        return `${url}?delay=400`;
      }),
    );
    const items = await addUrls(owner.accessToken, projectId, urls);
    for (const item of items) {
      expect((await waitForUrl(owner.accessToken, projectId, item.id)).status).toBe("ready");
    }
    const { requests, overlap } = await maxInFlight(prefix);
    expect(requests).toBe(6);
    expect(overlap).toBeGreaterThanOrEqual(1);
    expect(overlap).toBeLessThanOrEqual(CAP);
  });

  it("leaves a url queued while other consumers hold every slot of its host", async () => {
    const owner = await createUser();
    const { projectId } = await seedProject(owner.id);
    const name = `held-${crypto.randomUUID()}`;
    const pageUrl = await setPage(name, page("Held"));
    // Two live leases stand for fetches running in other isolates.
    const leases = await query<{ id: string }>(
      sql`insert into host_leases (host, expires_at)
          select ${HOST}, now() + interval '1 minute' from generate_series(1, ${CAP}::int)
          returning id`,
    );
    try {
      const [item] = await addUrls(owner.accessToken, projectId, [pageUrl]);
      await sleep(3000);
      const waiting = await expectStatus<Url>(
        await call("GET", `/v1/projects/${projectId}/urls/${item?.id}`, {
          token: owner.accessToken,
        }),
        200,
      );
      expect(waiting.status).toBe("queued");
      expect((await hits(`/pages/${name}`)).count).toBe(0);

      await query(sql`delete from host_leases where id in (select value::uuid
        from json_array_elements_text(${JSON.stringify(leases.map((l) => l.id))}::json))`);
      const done = await waitForUrl(owner.accessToken, projectId, item?.id ?? "");
      expect(done.status).toBe("ready");
      expect((await hits(`/pages/${name}`)).count).toBe(1);
    } finally {
      await query(sql`delete from host_leases where host = ${HOST}`);
    }
  });

  it("backs off a host that answers 429 for its Retry-After", async () => {
    const owner = await createUser();
    const { projectId } = await seedProject(owner.id);
    const name = `after-${crypto.randomUUID()}`;
    const pageUrl = await setPage(name, page("After the pause"));
    try {
      const [limited] = await addUrls(owner.accessToken, projectId, [
        site(`/status/429?retry_after=120&n=${crypto.randomUUID()}`),
      ]);
      await eventually(
        async () => (await query(sql`select 1 from host_backoffs where host = ${HOST}`)).length > 0,
        10_000,
        "a backoff recorded for the host",
      );
      const [row] = await query<{ seconds: number }>(
        sql`select extract(epoch from until - now())::int as seconds
            from host_backoffs where host = ${HOST}`,
      );
      expect(row?.seconds).toBeGreaterThan(100);
      expect(row?.seconds).toBeLessThanOrEqual(120);
      const failed = await expectStatus<Url>(
        await call("GET", `/v1/projects/${projectId}/urls/${limited?.id}`, {
          token: owner.accessToken,
        }),
        200,
      );
      // Waiting for its retry: the 429 is the last error, not (yet) the url's error.
      expect(failed).toMatchObject({
        http_status: 429,
        error: null,
        last_error: { code: "FETCH_HTTP_ERROR" },
      });

      // Another page of the same host waits out the pause (its message comes back after it).
      const [other] = await addUrls(owner.accessToken, projectId, [pageUrl]);
      await sleep(3000);
      const waiting = await expectStatus<Url>(
        await call("GET", `/v1/projects/${projectId}/urls/${other?.id}`, {
          token: owner.accessToken,
        }),
        200,
      );
      expect(waiting.status).toBe("queued");
      expect((await hits(`/pages/${name}`)).count).toBe(0);
      // Deleted so their messages, due in two minutes, find nothing to fetch.
      for (const id of [limited?.id, other?.id]) {
        await expectStatus(
          await call("DELETE", `/v1/projects/${projectId}/urls/${id}`, {
            token: owner.accessToken,
          }),
          204,
        );
      }
    } finally {
      await query(sql`delete from host_backoffs where host = ${HOST}`);
    }
  });
});
