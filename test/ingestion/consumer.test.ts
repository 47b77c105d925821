import { afterEach, describe, expect, it } from "vitest";
import { sql } from "../../src/database";
import { LOCAL_MODEL } from "../../src/vectorization/embedders-local";
import { query } from "../projects/fixtures";
import { setFault } from "../support/api";
import { deliver, message, seedUrl as seedUrlAt, site } from "./helpers";

// The queue handler is called directly with hand-made messages (helpers' `message`), on urls
// inserted in SQL, so Miniflare's own queue never sees them.

const seedUrl = (path: string) => seedUrlAt(site(path));

const urlRow = async (urlId: string) =>
  (
    await query<{ status: string; error_code: string | null; chunk_count: number; chunks: number }>(
      sql`select status, error_code, chunk_count,
                 (select count(*)::int from chunks c where c.url_id = u.id) as chunks
          from urls u where id = ${urlId}`,
    )
  )[0];

describe("queue consumer", () => {
  afterEach(async () => {
    await setFault("storage", "none");
  });

  it("acks an ingest message whose url was deleted and writes nothing", async () => {
    const { urlId } = await seedUrl("/article");
    await query(sql`delete from urls where id = ${urlId}`);
    const msg = message({ kind: "ingest", urlId });
    await deliver(msg);
    expect(msg.ack).toHaveBeenCalledOnce();
    expect(msg.retry).not.toHaveBeenCalled();
    const [left] = await query<{ n: number }>(
      sql`select count(*)::int as n from chunks where url_id = ${urlId}`,
    );
    expect(left?.n).toBe(0);
  });

  it("never duplicates chunks when a message is delivered twice, even at once", async () => {
    const { urlId } = await seedUrl("/article");
    const twins = [message({ kind: "ingest", urlId }), message({ kind: "ingest", urlId })];
    await deliver(...twins);
    const again = message({ kind: "ingest", urlId }, 2);
    await deliver(again);
    for (const msg of [...twins, again]) expect(msg.ack).toHaveBeenCalledOnce();
    const row = await urlRow(urlId);
    expect(row).toMatchObject({ status: "ready", error_code: null });
    expect(row?.chunks).toBe(row?.chunk_count);
    const [dupes] = await query<{ n: number }>(
      sql`select count(*)::int as n from (select position from chunks where url_id = ${urlId}
          group by position having count(*) > 1) d`,
    );
    expect(dupes?.n).toBe(0);
  });

  it("retries with storage down, then fails the url with STORAGE_FAILED on the last attempt", async () => {
    const { urlId } = await seedUrl("/article");
    await setFault("storage", "down");
    const first = message({ kind: "ingest", urlId }, 1);
    await deliver(first);
    expect(first.retry).toHaveBeenCalledWith({ delaySeconds: 0 });
    expect(first.ack).not.toHaveBeenCalled();
    expect(await urlRow(urlId)).toMatchObject({ status: "queued", error_code: "STORAGE_FAILED" });

    const last = message({ kind: "ingest", urlId }, 5);
    await deliver(last);
    expect(last.ack).toHaveBeenCalledOnce();
    expect(last.retry).not.toHaveBeenCalled();
    expect(await urlRow(urlId)).toMatchObject({ status: "failed", error_code: "STORAGE_FAILED" });
  });

  it("retries when the page server resets the connection, then fails with FETCH_FAILED", async () => {
    const { urlId } = await seedUrl("/reset");
    const first = message({ kind: "ingest", urlId }, 1);
    await deliver(first);
    expect(first.retry).toHaveBeenCalledOnce();
    expect(await urlRow(urlId)).toMatchObject({ status: "queued", error_code: "FETCH_FAILED" });

    const last = message({ kind: "ingest", urlId }, 5);
    await deliver(last);
    expect(last.ack).toHaveBeenCalledOnce();
    expect(await urlRow(urlId)).toMatchObject({ status: "failed", error_code: "FETCH_FAILED" });
  });

  it("still stores and indexes a page when storage is slow", async () => {
    const { urlId } = await seedUrl("/article");
    await setFault("storage", "slow");
    const msg = message({ kind: "ingest", urlId });
    await deliver(msg);
    expect(msg.ack).toHaveBeenCalledOnce();
    const row = await urlRow(urlId);
    expect(row).toMatchObject({ status: "ready", error_code: null });
    expect(row?.chunks).toBe(row?.chunk_count);
  }, 30_000);

  it("fails a url at once when the page itself is the problem (no retry)", async () => {
    const { urlId } = await seedUrl("/doc.pdf");
    const msg = message({ kind: "ingest", urlId });
    await deliver(msg);
    expect(msg.ack).toHaveBeenCalledOnce();
    expect(await urlRow(urlId)).toMatchObject({
      status: "failed",
      error_code: "UNSUPPORTED_CONTENT_TYPE",
    });
  });

  it("retries a delete-prefix message while storage is down", async () => {
    await setFault("storage", "down");
    const msg = message({ kind: "delete-prefix", prefix: `projects/${crypto.randomUUID()}/` });
    await deliver(msg);
    expect(msg.retry).toHaveBeenCalledOnce();
    expect(msg.ack).not.toHaveBeenCalled();
  });

  it("drops a malformed message instead of retrying it forever", async () => {
    const msg = message({ kind: "explode", urlId: 42 });
    await deliver(msg);
    expect(msg.ack).toHaveBeenCalledOnce();
  });

  it("re-embeds a project's stale chunks for a reembed message", async () => {
    const { projectId, urlId } = await seedUrl("/article");
    await query(
      sql`insert into chunks (url_id, project_id, position, text, token_count, content_hash)
          values (${urlId}, ${projectId}, 0, 'stale chunk', 2, 'h0')`,
    );
    const msg = message({ kind: "reembed", projectId });
    await deliver(msg);
    expect(msg.ack).toHaveBeenCalledOnce();
    const [chunk] = await query<{ model: string | null; has: boolean }>(
      sql`select embedding_model as model, embedding is not null as has from chunks
          where url_id = ${urlId}`,
    );
    expect(chunk).toEqual({ model: LOCAL_MODEL, has: true });
  });
});
