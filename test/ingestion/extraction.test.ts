import { describe, expect, it } from "vitest";
import { sql } from "../../src/database";
import { query, seedProject } from "../projects/fixtures";
import { createUser } from "../support/factories";
import { addUrls, setPage, waitForUrl } from "./helpers";

/** Extraction outcomes through the whole queue: API → consumer → pipeline → url object. */
describe("extraction through the queue", () => {
  it("fails a page without extractable text with NO_CONTENT and stores no chunks", async () => {
    const owner = await createUser();
    const { projectId } = await seedProject(owner.id);
    const empty = await setPage(
      "no-content",
      `<html><head><title>Empty</title><script>render()</script></head>
       <body><nav><a href="/">Home</a></nav><div id="app"></div></body></html>`,
    );
    const [item] = await addUrls(owner.accessToken, projectId, [empty]);
    const url = await waitForUrl(owner.accessToken, projectId, item?.id ?? "");
    expect(url.status).toBe("failed");
    expect(url.error?.code).toBe("NO_CONTENT");
    expect(url.chunk_count).toBe(0);
    const rows = await query<{ n: number; snapshot_key: string | null }>(
      sql`select (select count(*)::int from chunks where url_id = u.id) as n, u.snapshot_key
          from urls u where u.id = ${item?.id}`,
    );
    expect(rows).toEqual([{ n: 0, snapshot_key: null }]);
  });

  it("takes the whole page when selection keeps too little, and says so on the url", async () => {
    const owner = await createUser();
    const { projectId } = await seedProject(owner.id);
    const facts = Array.from({ length: 150 }, (_, i) => `<li>Fact ${i}: seeds keep</li>`).join("");
    const path = await setPage(
      "fallback",
      `<html><body><div><p>A short introduction to the facts below, in one line.</p></div>
       <div><ul>${facts}</ul></div></body></html>`,
    );
    const [item] = await addUrls(owner.accessToken, projectId, [path]);
    const url = await waitForUrl(owner.accessToken, projectId, item?.id ?? "");
    expect(url.status).toBe("ready");
    expect(url.extraction?.method).toBe("fallback");
    expect(url.extraction?.ratio).toBe(1);
    const chunks = await query<{ text: string }>(
      sql`select text from chunks where url_id = ${item?.id} order by position`,
    );
    expect(chunks.map((c) => c.text).join("\n")).toContain("Fact 149: seeds keep");
  });

  it("exposes the page's metadata and the extraction path on the url object", async () => {
    const owner = await createUser();
    const { projectId } = await seedProject(owner.id);
    const ld = JSON.stringify({
      "@type": "BlogPosting",
      datePublished: "2025-06-01T08:30:00Z",
      publisher: { name: "Seed Notes" },
    });
    const prose = "Beans climb, twist and flower when the nights are warm, and they want water. ";
    const path = await setPage(
      "metadata",
      `<html lang="de"><head><title>Bohnen</title>
       <meta name="description" content="Alles über Bohnen.">
       <script type="application/ld+json">${ld}</script></head>
       <body><article><h1>Bohnen</h1><p>${prose.repeat(6)}</p></article></body></html>`,
    );
    const [item] = await addUrls(owner.accessToken, projectId, [path]);
    const url = await waitForUrl(owner.accessToken, projectId, item?.id ?? "");
    expect(url).toMatchObject({
      status: "ready",
      title: "Bohnen",
      description: "Alles über Bohnen.",
      language: "de",
      published_at: "2025-06-01T08:30:00.000000Z",
      site_name: "Seed Notes",
      extraction: { method: "content", ratio: 1 },
    });
    expect(url.extraction?.text_chars).toBeGreaterThan(400);
  });
});
