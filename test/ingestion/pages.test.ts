import { describe, expect, it } from "vitest";
import { sql } from "../../src/database";
import { LOCAL_MODEL } from "../../src/vectorization/embedders-local";
import { query, seedProject } from "../projects/fixtures";
import { createUser } from "../support/factories";
import { addUrls, site, waitForUrl } from "./helpers";

/** Each page of the test site, ingested through the API, ends in the state it should. */
describe("ingesting the test site", () => {
  const CASES: [path: string, status: "ready" | "failed", code: string | null][] = [
    ["/article", "ready", null],
    ["/latin1", "ready", null],
    ["/notes.txt", "ready", null],
    ["/readme.md", "ready", null],
    ["/redirect/3", "ready", null],
    ["/to-loopback", "failed", "REDIRECT_NOT_ALLOWED"],
    ["/to-metadata", "failed", "REDIRECT_NOT_ALLOWED"],
    ["/huge", "failed", "FETCH_TOO_LARGE"],
    ["/missing", "failed", "FETCH_HTTP_ERROR"],
    ["/doc.pdf", "failed", "UNSUPPORTED_CONTENT_TYPE"],
    ["/slow", "failed", "FETCH_TIMEOUT"],
  ];

  it("brings every page to its final state with the right error code", async () => {
    const owner = await createUser();
    const { projectId } = await seedProject(owner.id);
    const items = await addUrls(
      owner.accessToken,
      projectId,
      CASES.map(([path]) => site(path)),
    );
    expect(items.map((item) => item.status)).toEqual(CASES.map(() => "queued"));
    const finals = await Promise.all(
      items.map((item) => waitForUrl(owner.accessToken, projectId, item.id, { timeoutMs: 25_000 })),
    );
    const seen = finals.map((url, i) => [CASES[i]?.[0], url.status, url.error?.code ?? null]);
    expect(seen).toEqual(CASES);
    const byPath = Object.fromEntries(finals.map((url, i) => [CASES[i]?.[0] ?? "", url]));
    expect(byPath["/missing"]?.http_status).toBe(404);
    expect(byPath["/article"]).toMatchObject({
      title: "Gardening Guide",
      http_status: 200,
      content_type: "text/html",
      error: null,
    });
    expect(byPath["/article"]?.chunk_count).toBeGreaterThan(0);
    expect(byPath["/article"]?.fetched_at).toMatch(/Z$/);
  });

  it("keeps headings, the table and the code block, and drops boilerplate", async () => {
    const owner = await createUser();
    const { projectId } = await seedProject(owner.id);
    const [item] = await addUrls(owner.accessToken, projectId, [site("/article")]);
    await waitForUrl(owner.accessToken, projectId, item?.id ?? "");
    const chunks = await query<{ text: string; heading_path: string[]; embedding_model: string }>(
      sql`select text, heading_path, embedding_model from chunks
          where url_id = ${item?.id} order by position`,
    );
    const all = chunks.map((c) => c.text).join("\n");
    expect(all).toContain("pH 6.2");
    expect(all).toContain("July");
    expect(all).toContain("valve.open(seconds=plant.thirst)");
    for (const boilerplate of ["Sidebar link", "newsletter", "All rights reserved", "tracking"]) {
      expect(all).not.toContain(boilerplate);
    }
    const acidity = chunks.find((c) => c.text.includes("pH 6.2"));
    expect(acidity?.heading_path).toEqual(["Gardening Guide", "Soil", "Acidity"]);
    expect(new Set(chunks.map((c) => c.embedding_model))).toEqual(new Set([LOCAL_MODEL]));
  });

  it("decodes a Latin-1 page", async () => {
    const owner = await createUser();
    const { projectId } = await seedProject(owner.id);
    const [item] = await addUrls(owner.accessToken, projectId, [site("/latin1")]);
    const url = await waitForUrl(owner.accessToken, projectId, item?.id ?? "");
    expect(url.title).toBe("Dessert français");
    const [chunk] = await query<{ text: string }>(
      sql`select string_agg(text, ' ') as text from chunks where url_id = ${item?.id}`,
    );
    expect(chunk?.text).toContain("Café crème brûlée: naïve façade, Straße and ½ of £5 ©");
  });
});
