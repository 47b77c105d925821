import { afterEach, describe, expect, it } from "vitest";
import { sql } from "../../src/database";
import { query, seedProject } from "../projects/fixtures";
import { call, expectStatus, setFault } from "../support/api";
import { createUser } from "../support/factories";
import { addUrls, deliver, getUrl, message, setPage, site, waitForUrl } from "./helpers";

async function setup() {
  const owner = await createUser();
  const { projectId } = await seedProject(owner.id);
  return { token: owner.accessToken, projectId };
}

describe("url status", () => {
  afterEach(async () => {
    await setFault("storage", "none");
  });

  it("while waiting for a retry shows queued, attempts and last_error; error only once failed", async () => {
    const { token, projectId } = await setup();
    const [row] = await query<{ id: string }>(
      sql`insert into urls (project_id, url, normalized_url)
          values (${projectId}, ${site("/article")}, ${site("/article")}) returning id`,
    );
    const urlId = row?.id ?? "";
    await setFault("storage", "down");
    await deliver(message({ kind: "ingest", urlId }, 1));
    const waiting = await getUrl(token, projectId, urlId);
    expect(waiting).toMatchObject({ status: "queued", attempts: 1, error: null });
    expect(waiting.last_error).toMatchObject({ code: "STORAGE_FAILED" });
    expect(Date.parse(waiting.last_error?.at ?? "")).toBeGreaterThan(Date.now() - 60_000);

    await deliver(message({ kind: "ingest", urlId }, 5));
    const failed = await getUrl(token, projectId, urlId);
    expect(failed).toMatchObject({ status: "failed", attempts: 2 });
    expect(failed.error?.code).toBe("STORAGE_FAILED");
    expect(failed.last_error?.code).toBe("STORAGE_FAILED");
  });

  it("a ready url whose refresh fails for good stays ready and searchable, with last_error", async () => {
    const { token, projectId } = await setup();
    const name = `refresh-fails-${crypto.randomUUID()}`;
    const pageUrl = await setPage(
      name,
      "<html><head><title>Kept</title></head><body><main><p>The keptversionword page.</p></main></body></html>",
    );
    const [item] = await addUrls(token, projectId, [pageUrl]);
    const ready = await waitForUrl(token, projectId, item?.id ?? "");
    expect(ready).toMatchObject({ status: "ready", last_error: null });

    // The page changes, but storing it fails on every attempt.
    await setPage(name, "<html><body><main><p>A changed page.</p></main></body></html>");
    await setFault("storage", "down");
    await deliver(message({ kind: "ingest", urlId: ready.id }, 5));
    const after = await getUrl(token, projectId, ready.id);
    expect(after).toMatchObject({
      status: "ready",
      error: null,
      chunk_count: ready.chunk_count,
      content_hash: ready.content_hash,
    });
    expect(after.last_error?.code).toBe("STORAGE_FAILED");
    const search = await expectStatus<{ results: { text: string }[] }>(
      await call("POST", `/v1/projects/${projectId}/search`, {
        token,
        body: { query: "keptversionword", mode: "keyword" },
      }),
      200,
    );
    expect(search.results[0]?.text).toContain("keptversionword");
  });
});
