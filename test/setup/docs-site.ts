import { createServer } from "node:http";
import { gzipSync } from "node:zlib";
import { BASE_TIME, type DocsSiteShape, MORE, PRIVATE, TAGS } from "./docs-site-shape";
import { listenLocally, type TestSite } from "./test-site";

/**
 * A generated documentation site on 127.0.0.1 for sitemap and crawl sources (tests and
 * `npm run bench:crawl`): `docs` + `blog` + 20 `more` pages, section index pages, a robots.txt
 * that disallows `/private/` for every agent (and everything for another bot) and names a
 * sitemap index; the index names a plain sitemap, a gzip one and a nested index that names two
 * more sitemaps and, looping, the index itself. Traps: `/docs/dup` serves the very bytes of
 * `/docs/0`, `/old/1` redirects to `/docs/1`, `/missing` is a 404, pages link in loops (next,
 * previous, home), to `/private/…`, to `/tags/…` and off the host. Linked from nowhere:
 * `/sitemaps/moved.xml` lists `/moved/0`, which redirects into `/private/`, and `/old/1`.

 *
 * Control (never logged): `POST /_control/reset`, `POST /_control/change?paths=/a,/b` (new
 * content and a later `<lastmod>`), `POST /_control/unlist?paths=…` (left out of the sitemaps,
 * still served), `POST /_control/delete?paths=…` (answered 404), `POST /_control/robots?status=503`
 * (robots.txt answers that status), `POST /_control/robots?delay=1` (its `User-agent: *` group
 * sets that `Crawl-delay`), `GET /_control/log` (every path requested, in order; `?timed=1`:
 * `{path, at}` with `at` the arrival in ms since the epoch).
 */
export type DocsSite = TestSite;

/**
 * Starts the site on an ephemeral port.
 *
 * @example
 * const site = await startDocsSite({ docs: 300, blog: 200 });
 */
export async function startDocsSite(shape: DocsSiteShape): Promise<DocsSite> {
  const versions = new Map<string, number>();
  const unlisted = new Set<string>();
  const deleted = new Set<string>();
  let robotsStatus = 200;
  let crawlDelay: string | null = null;
  let log: { path: string; at: number }[] = [];
  let base = "";

  const version = (path: string) => versions.get(path) ?? 0;
  const lastmod = (path: string) =>
    new Date(BASE_TIME + version(path) * 86_400_000).toISOString().slice(0, 10);

  const page = (title: string, body: string, links: string[]) => `<!doctype html>
<html><head><meta charset="utf-8"><title>${title}</title></head>
<body><nav><a href="/">Home</a> <a href="/docs/">Docs</a> <a href="/blog/">Blog</a></nav>
<main><h1>${title}</h1>${body}</main>
<footer>${links.map((href) => `<a href="${href}">${href}</a>`).join(" ")}</footer>
</body></html>`;

  const article = (section: string, n: number, path: string, links: string[]) =>
    page(
      `${section} page ${n}`,
      `<p>The ${section} page number ${n} explains topic ${section}${n}topic in plain words.</p>
<p>Revision ${version(path)} of this page: marker ${section}${n}v${version(path)}marker.</p>`,
      links,
    );

  const range = (prefix: string, count: number) =>
    Array.from({ length: count }, (_, i) => `${prefix}${i}`);

  const docsPage = (n: number) =>
    article("docs", n, `/docs/${n}`, [
      `/docs/${(n + 1) % shape.docs}`,
      `/docs/${(n + shape.docs - 1) % shape.docs}#top`,
      `/private/${n % PRIVATE}`,
      `/tags/t${n % TAGS}`,
      "/",
      "https://example.com/elsewhere",
    ]);

  const index = (section: string, count: number) =>
    page(
      `${section} index`,
      `<p>All ${count} pages of the ${section} section, listed below.</p>`,
      range(`/${section}/`, count),
    );

  const home = () =>
    page("Docs site", "<p>Welcome to the generated documentation site.</p>", [
      "/docs/",
      "/blog/",
      "/more/",
      "/docs/dup",
      "/old/1",
      "/missing",
      "/private/",
      ...range("/tags/t", TAGS),
      "/docs/0#intro",
      "mailto:someone@example.com",
      "https://example.com/",
    ]);

  const urlset = (paths: string[]) =>
    `<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
${paths
  .filter((path) => !unlisted.has(path))
  .map((path) => `<url><loc>${base}${path}</loc><lastmod>${lastmod(path)}</lastmod></url>`)
  .join("\n")}
</urlset>`;

  const sitemapIndex = (paths: string[]) =>
    `<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
${paths.map((path) => `<sitemap><loc>${base}${path}</loc></sitemap>`).join("\n")}
</sitemapindex>`;

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://site");
    const path = url.pathname;
    const paths = (url.searchParams.get("paths") ?? "").split(",").filter(Boolean);
    const send = (status: number, type: string, body: string | Buffer) =>
      res.writeHead(status, { "content-type": type }).end(body);
    const html = (body: string) => send(200, "text/html; charset=utf-8", body);
    const xml = (body: string) => send(200, "application/xml", body);

    if (path.startsWith("/_control/")) {
      if (path === "/_control/log") {
        const timed = url.searchParams.has("timed");
        const body = timed ? log : log.map((entry) => entry.path);
        return send(200, "application/json", JSON.stringify(body));
      }
      if (path === "/_control/reset") {
        versions.clear();
        unlisted.clear();
        deleted.clear();
        robotsStatus = 200;
        crawlDelay = null;
        log = [];
      } else if (path === "/_control/change") {
        for (const p of paths) versions.set(p, version(p) + 1);
      } else if (path === "/_control/unlist") {
        for (const p of paths) unlisted.add(p);
      } else if (path === "/_control/delete") {
        for (const p of paths) deleted.add(p);
      } else if (path === "/_control/robots") {
        robotsStatus = Number(url.searchParams.get("status") ?? 200);
        crawlDelay = url.searchParams.get("delay");
      } else if (path === "/_control/clear-log") {
        log = [];
      }
      return send(200, "application/json", "{}");
    }
    log.push({ path, at: Date.now() });

    if (deleted.has(path)) return send(404, "text/html", "<h1>Gone</h1>");
    if (path === "/robots.txt" && robotsStatus !== 200) {
      return send(robotsStatus, "text/plain", "unavailable");
    }
    if (path === "/robots.txt") {
      return send(
        200,
        "text/plain",
        `User-agent: *\nDisallow: /private/\n${crawlDelay ? `Crawl-delay: ${crawlDelay}\n` : ""}\nUser-agent: OtherBot\nDisallow: /\n\nSitemap: ${base}/sitemap_index.xml\n`,
      );
    }
    if (path === "/sitemap_index.xml") {
      return xml(
        sitemapIndex(["/sitemaps/docs.xml", "/sitemaps/blog.xml.gz", "/sitemaps/nested.xml"]),
      );
    }
    if (path === "/sitemaps/nested.xml") {
      return xml(sitemapIndex(["/sitemaps/more.xml", "/sitemaps/extra.xml", "/sitemap_index.xml"]));
    }
    if (path === "/sitemaps/docs.xml") {
      return xml(urlset([...range("/docs/", shape.docs), "/docs/dup", "/old/1", "/missing"]));
    }
    if (path === "/sitemaps/blog.xml.gz") {
      return send(200, "application/gzip", gzipSync(urlset(range("/blog/", shape.blog))));
    }
    if (path === "/sitemaps/more.xml") return xml(urlset(range("/more/", MORE)));
    if (path === "/sitemaps/moved.xml") return xml(urlset(["/moved/0", "/old/1"]));
    if (path === "/sitemaps/extra.xml") {
      return xml(urlset([...range("/private/", PRIVATE), ...range("/tags/t", TAGS)]));
    }
    if (path === "/") return html(home());
    if (path === "/docs/") return html(index("docs", shape.docs));
    if (path === "/blog/") return html(index("blog", shape.blog));
    if (path === "/more/") return html(index("more", MORE));
    if (path === "/docs/dup") return html(docsPage(0));
    if (path === "/old/1") return res.writeHead(302, { location: "/docs/1" }).end();
    if (path === "/moved/0") return res.writeHead(302, { location: "/private/0" }).end();
    const match = /^\/(docs|blog|more|private|tags)\/t?(\d+)$/.exec(path);
    const n = Number(match?.[2]);
    if (match?.[1] === "docs" && n < shape.docs) return html(docsPage(n));
    if (match?.[1] === "blog" && n < shape.blog) {
      return html(article("blog", n, path, ["/blog/", "/", `/blog/${(n + 1) % shape.blog}`]));
    }
    if (match?.[1] === "more" && n < MORE) return html(article("more", n, path, ["/more/"]));
    // Disallowed and excluded pages exist, so only robots.txt and patterns keep them out.
    if (match?.[1] === "private" || match?.[1] === "tags") {
      return html(article(match[1], n, path, []));
    }
    return send(404, "text/html", "<h1>Not found</h1>");
  });

  const site = await listenLocally(server);
  base = site.url;
  return site;
}
