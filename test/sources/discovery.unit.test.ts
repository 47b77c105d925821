import { describe, expect, it } from "vitest";
import { extractLinks } from "../../src/ingestion/links";
import { parseSitemap, SitemapTooLarge, sitemapText } from "../../src/ingestion/sitemap";
import { inPatterns, matchesGlob } from "../../src/sources/patterns";

describe("path patterns", () => {
  it.each([
    ["/docs/**", "/docs/", true],
    ["/docs/**", "/docs/a/b?v=2", true],
    ["/docs/**", "/doc", false],
    ["/docs/**", "/blog/docs/a", false],
    ["/docs/*", "/docs/a", true],
    ["/docs/*", "/docs/a/b", false],
    ["/blog/*/comments", "/blog/2024/comments", true],
    ["/blog/*/comments", "/blog/2024/05/comments", false],
    ["*.pdf", "/report.pdf", true],
    ["*.pdf", "/a/b/c.pdf", true],
    ["*.pdf", "/report.pdf?download=1", false],
    ["**?*", "/a?b=1", true],
    ["**?*", "/a", false],
    ["*", "/", true],
    ["*", "/any/depth/at/all", true],
  ])("%s on %s is %s", (pattern, path, expected) => {
    expect(matchesGlob(pattern, path)).toBe(expected);
  });

  it("matches a crafted glob in time linear in the path per pattern character", () => {
    const pattern = `/${"*a".repeat(90)}b`;
    const path = `/${"a".repeat(2000)}`;
    const started = performance.now();
    expect(matchesGlob(pattern, path)).toBe(false);
    // Quadratic backtracking would take minutes here; the DP does 2000 × 182 steps.
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it("keeps a url matching an include and no exclude", () => {
    expect(inPatterns("https://a.example/docs/x", ["/docs/**"], [])).toBe(true);
    expect(inPatterns("https://a.example/blog/x", ["/docs/**"], [])).toBe(false);
    expect(inPatterns("https://a.example/docs/x?v=2", ["/docs/**"], ["**?v=*"])).toBe(false);
    expect(inPatterns("https://a.example/docs/x", [], [])).toBe(true);
  });
});

describe("sitemaps", () => {
  it("reads a urlset with lastmod, entities and CDATA", () => {
    const xml = `<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
      <url><loc>https://a.example/?a=1&amp;b=2</loc><lastmod>2026-01-02</lastmod></url>
      <url>
        <loc><![CDATA[https://a.example/b]]></loc>
      </url>
      <urlextra><loc>https://a.example/not-an-entry</loc></urlextra>
      <url><lastmod>2026-01-02</lastmod></url>
    </urlset>`;
    expect(parseSitemap(xml)).toEqual({
      kind: "urlset",
      entries: [
        { loc: "https://a.example/?a=1&b=2", lastmod: "2026-01-02T00:00:00.000Z" },
        { loc: "https://a.example/b", lastmod: null },
      ],
    });
  });

  it("reads a sitemap index, and refuses what is neither", () => {
    const xml = `<sitemapindex><sitemap><loc>https://a.example/s1.xml.gz</loc></sitemap></sitemapindex>`;
    expect(parseSitemap(xml)).toEqual({
      kind: "index",
      entries: [{ loc: "https://a.example/s1.xml.gz", lastmod: null }],
    });
    expect(parseSitemap("<html><body>not a sitemap</body></html>")).toBeNull();
  });

  it("refuses more than 50,000 entries", () => {
    const xml = `<urlset>${"<url><loc>https://a.example/</loc></url>".repeat(50_001)}</urlset>`;
    expect(() => parseSitemap(xml)).toThrow(SitemapTooLarge);
  });

  it("is linear on unclosed tags", () => {
    const xml = `<urlset>${"<url><loc>x".repeat(100_000)}`;
    const started = performance.now();
    expect(parseSitemap(xml)).toEqual({ kind: "urlset", entries: [] });
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it("gunzips gzip bytes and cuts off past the limit", async () => {
    const text = `<urlset>${"<url><loc>https://a.example/</loc></url>".repeat(1000)}</urlset>`;
    const gzipped = new Uint8Array(
      await new Response(
        new Blob([text]).stream().pipeThrough(new CompressionStream("gzip")),
      ).arrayBuffer(),
    );
    expect(await sitemapText(gzipped, 1 << 20)).toBe(text);
    expect(await sitemapText(gzipped, 1000)).toBeNull();
    expect(await sitemapText(new TextEncoder().encode(text), 1 << 20)).toBe(text);
  });
});

describe("crawl links", () => {
  it("resolves, drops fragments, other schemes and nofollow links", async () => {
    const html = `<a href="/b#top">B</a><a href="c?x=1">C</a><a href="mailto:x@y.z">m</a>
      <a rel="nofollow" href="/secret">s</a><a href="/b">again</a>`;
    expect(await extractLinks(html, "https://a.example/dir/page")).toEqual([
      "https://a.example/b",
      "https://a.example/dir/c?x=1",
    ]);
  });

  it("follows nothing on a nofollow page and honours <base>", async () => {
    expect(
      await extractLinks(
        '<meta name="robots" content="noindex, nofollow"><a href="/b">B</a>',
        "https://a.example/",
      ),
    ).toEqual([]);
    expect(
      await extractLinks(
        '<base href="https://a.example/docs/"><a href="x">X</a>',
        "https://a.example/",
      ),
    ).toEqual(["https://a.example/docs/x"]);
  });
});
