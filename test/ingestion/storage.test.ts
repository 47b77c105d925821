import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { getS3 } from "../../src/aws/service";
import type { Env } from "../../src/config";
import { sql } from "../../src/database";
import { projectPrefix, urlPrefix } from "../../src/ingestion/snapshots";
import { query, seedProject } from "../projects/fixtures";
import { call } from "../support/api";
import { createUser } from "../support/factories";
import { addUrls, eventually, getManual, site, waitForUrl } from "./helpers";

const s3 = () => getS3(env as unknown as Env);
const keysUnder = async (prefix: string) => (await s3().list(prefix)).keys;

describe("snapshots in S3", () => {
  it("stores the raw page under project/url/content hash and redirects to it", async () => {
    const owner = await createUser();
    const { projectId } = await seedProject(owner.id);
    const [item] = await addUrls(owner.accessToken, projectId, [site("/latin1")]);
    const url = await waitForUrl(owner.accessToken, projectId, item?.id ?? "");
    expect(url.status).toBe("ready");
    const key = `${urlPrefix(projectId, url.id)}${url.content_hash}`;
    expect(await keysUnder(projectPrefix(projectId))).toEqual([key]);

    const redirect = await getManual(
      `/v1/projects/${projectId}/urls/${url.id}/snapshot`,
      owner.accessToken,
    );
    expect(redirect.status).toBe(302);
    const location = redirect.headers.get("location") ?? "";
    expect(location).toContain("X-Amz-Expires=300");
    const stored = await fetch(location);
    expect(stored.status).toBe(200);
    const original = await (await fetch(site("/latin1"))).arrayBuffer();
    // Byte for byte: the snapshot is the raw Latin-1 page, not its decoded text.
    expect(new Uint8Array(await stored.arrayBuffer())).toEqual(new Uint8Array(original));
    expect(url.bytes).toBe(original.byteLength);
  });

  it("deleting a url removes its chunks at once and its snapshots through the queue", async () => {
    const owner = await createUser();
    const { projectId } = await seedProject(owner.id);
    const [item] = await addUrls(owner.accessToken, projectId, [site("/article")]);
    await waitForUrl(owner.accessToken, projectId, item?.id ?? "");
    const prefix = urlPrefix(projectId, item?.id ?? "");
    expect(await keysUnder(prefix)).toHaveLength(1);

    const res = await call("DELETE", `/v1/projects/${projectId}/urls/${item?.id}`, {
      token: owner.accessToken,
    });
    expect(res.status).toBe(204);
    const [left] = await query<{ n: number }>(
      sql`select count(*)::int as n from chunks where url_id = ${item?.id}`,
    );
    expect(left?.n).toBe(0);
    await eventually(
      async () => (await keysUnder(prefix)).length === 0,
      10_000,
      "url objects gone",
    );
  });

  it("deleting a project removes every object under its prefix", async () => {
    const owner = await createUser();
    const { projectId } = await seedProject(owner.id);
    const items = await addUrls(owner.accessToken, projectId, [site("/article"), site("/etag")]);
    await Promise.all(items.map((i) => waitForUrl(owner.accessToken, projectId, i.id)));
    expect(await keysUnder(projectPrefix(projectId))).toHaveLength(2);

    const res = await call("DELETE", `/v1/projects/${projectId}`, { token: owner.accessToken });
    expect(res.status).toBe(204);
    await eventually(
      async () => (await keysUnder(projectPrefix(projectId))).length === 0,
      10_000,
      "project objects gone",
    );
  });
});
