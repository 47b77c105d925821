import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { getS3 } from "../../src/aws/service";
import type { Env } from "../../src/config";
import { sql } from "../../src/database";
import { urlPrefix } from "../../src/ingestion/snapshots";
import type { Url } from "../../src/urls/schemas";
import { LOCAL_MODEL } from "../../src/vectorization/embedders-local";
import { query, seedProject } from "../projects/fixtures";
import { call, expectStatus } from "../support/api";
import { createUser } from "../support/factories";
import { addUrls, hits, setPage, waitForUrl } from "./helpers";

const article = (middle: string) => `<html><head><title>Refresh me</title></head><body><main>
<h1>Refresh me</h1>
<h2>Alpha</h2><p>The alpha section never changes between versions of this page.</p>
<h2>Beta</h2><p>${middle}</p>
<h2>Gamma</h2><p>The gamma section never changes either, it is the last one.</p>
</main></body></html>`;

// A unit vector no embedder would produce for real text: a reused embedding keeps it.
const MARKER = `[${Array(384)
  .fill(String(Number((1 / Math.sqrt(384)).toPrecision(7))))
  .join(",")}]`;

interface ChunkRow {
  position: number;
  text: string;
  content_hash: string;
  marked: boolean;
  embedding_model: string;
}

const chunksOf = (urlId: string) =>
  query<ChunkRow>(
    sql`select position, text, content_hash, embedding_model,
               embedding = ${MARKER}::vector as marked
        from chunks where url_id = ${urlId} order by position`,
  );

async function refreshAndWait(token: string, projectId: string, before: Url): Promise<Url> {
  await expectStatus(
    await call("POST", `/v1/projects/${projectId}/urls/${before.id}/refresh`, { token }),
    202,
  );
  return waitForUrl(token, projectId, before.id, {
    done: (u) => u.status === "ready" && (u.fetched_at ?? "") > (before.fetched_at ?? ""),
  });
}

describe("POST …/urls/{url_id}/refresh end to end", () => {
  it("replaces the chunks without duplicates and embeds only what changed", async () => {
    const owner = await createUser();
    const token = owner.accessToken;
    const { projectId } = await seedProject(owner.id);
    const name = `refresh-${crypto.randomUUID()}`;
    const pageUrl = await setPage(name, article("Beta version one talks about apples."));
    const [item] = await addUrls(token, projectId, [pageUrl]);
    const first = await waitForUrl(token, projectId, item?.id ?? "");
    expect(first.chunk_count).toBe(3);

    // Mark every stored vector; one chunk also claims another model, so it must be redone.
    await query(sql`update chunks set embedding = ${MARKER}::vector where url_id = ${first.id}`);
    await query(
      sql`update chunks set embedding_model = 'some-old-model'
          where url_id = ${first.id} and text like 'The gamma%'`,
    );
    await setPage(name, article("Beta version two talks about pears instead."));
    const second = await refreshAndWait(token, projectId, first);

    const after = await chunksOf(first.id);
    expect(second.chunk_count).toBe(3);
    expect(after.map((c) => c.position)).toEqual([0, 1, 2]);
    expect(after.map((c) => [c.text.split(" ")[1], c.marked])).toEqual([
      ["alpha", true], // unchanged text, same model: the stored vector was reused
      ["version", false], // changed text: embedded again
      ["gamma", false], // unchanged text but another model: embedded again
    ]);
    expect(new Set(after.map((c) => c.embedding_model))).toEqual(new Set([LOCAL_MODEL]));
    expect(second.content_hash).not.toBe(first.content_hash);
    // The snapshot of the first version is gone; only the new one is stored.
    const prefix = urlPrefix(projectId, first.id);
    expect((await getS3(env as unknown as Env).list(prefix)).keys).toEqual([
      `${prefix}${second.content_hash}`,
    ]);
  });

  it("sends the stored ETag and keeps the chunks when the page answers 304", async () => {
    const owner = await createUser();
    const token = owner.accessToken;
    const { projectId } = await seedProject(owner.id);
    const name = `etag-${crypto.randomUUID()}`;
    const pageUrl = await setPage(name, article("Stable beta."));
    const [item] = await addUrls(token, projectId, [pageUrl]);
    const first = await waitForUrl(token, projectId, item?.id ?? "");
    const ids = await query<{ id: string }>(
      sql`select id from chunks where url_id = ${first.id} order by position`,
    );

    const second = await refreshAndWait(token, projectId, first);
    const served = await hits(`/pages/${name}`);
    expect(served.count).toBe(2);
    expect(served.ifNoneMatch).toHaveLength(1);
    expect(second).toMatchObject({
      status: "ready",
      content_hash: first.content_hash,
      error: null,
    });
    const idsAfter = await query<{ id: string }>(
      sql`select id from chunks where url_id = ${first.id} order by position`,
    );
    expect(idsAfter).toEqual(ids);
  });
});
