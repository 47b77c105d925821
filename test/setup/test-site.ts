import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A small web site on 127.0.0.1 for the ingestion tests: boilerplate-heavy articles, a Latin-1
 * page, redirects (a 3-hop chain and hops to private addresses), a page over the size limit, a
 * slow page, a 404, a PDF, an ETag page that answers 304, 100 generated pages, text-heavy pages
 * of any size (`/big/{bytes}`), and pages whose
 * HTML a test sets with `PUT /_pages/{name}` (served at `/pages/{name}` with an ETag).
 * `GET /_hits/{path}` tells how often a path was requested and with which validators;
 * `GET /_log?prefix=/pages/x` lists when each request under a prefix started and ended (ms), for
 * concurrency checks. `?delay=ms` (at most 3 s) holds any page that long; `/status/{code}` answers
 * that status, with `?retry_after=` as its Retry-After.
 * `POST /hooks/{name}` is a webhook receiver: it keeps every request (`GET /_hooks/{name}`) and
 * answers the status a test sets with `PUT /_hooks/{name}` (`{"status": 503}`; default 204).
 */
export interface TestSite {
  url: string;
  close(): Promise<void>;
}

/** Sizes and delays the tests' FETCH_MAX_BYTES / FETCH_TIMEOUT_MS are chosen against. */
export const TEST_FETCH_MAX_BYTES = 64 * 1024;
export const TEST_FETCH_TIMEOUT_MS = 1_500;
const SLOW_MS = 4_000;

const layout = (title: string, main: string) => `<!doctype html>
<html><head><meta charset="utf-8"><title>${title}</title>
<meta name="description" content="${title} on the Linkbase test site"></head>
<body>
<header><a href="/">Test Site</a> <nav><a href="/a">Home</a> <a href="/b">Blog</a> <a href="/c">About us</a></nav></header>
<nav class="sidebar"><ul><li><a href="/x">Sidebar link one</a></li><li><a href="/y">Sidebar link two</a></li></ul></nav>
<main><article>${main}</article></main>
<aside>Related: subscribe to our newsletter for weekly boilerplate.</aside>
<footer>Copyright 2026 Test Site. All rights reserved. <a href="/privacy">Privacy</a></footer>
<script>window.tracking = "should never be indexed";</script>
</body></html>`;

const ARTICLE = layout(
  "Gardening Guide",
  `<h1>Gardening Guide</h1>
<p>This guide explains how to grow tomatoes on a sunny balcony without much effort.</p>
<h2>Soil</h2>
<p>Tomatoes want loose, well-drained soil rich in compost. Mix in perlite for aeration.</p>
<h3>Acidity</h3>
<p>A soil acidity between pH 6.2 and 6.8 keeps calcium available and prevents blossom-end rot.</p>
<h2>Watering schedule</h2>
<table><tr><th>Month</th><th>Litres per week</th></tr>
<tr><td>May</td><td>4</td></tr><tr><td>July</td><td>9</td></tr></table>
<h2>Automation</h2>
<p>A tiny script can switch the irrigation valve on.</p>
<pre><code>def water(plant):
    valve.open(seconds=plant.thirst)</code></pre>`,
);

const LATIN1_TEXT = "Café crème brûlée: naïve façade, Straße and ½ of £5 ©";
const LATIN1 = Buffer.from(
  `<html><head><meta http-equiv="content-type" content="text/html; charset=iso-8859-1">
<title>Dessert français</title></head><body><main><h1>Dessert français</h1>
<p>${LATIN1_TEXT}.</p></main></body></html>`,
  "latin1",
);

const generated = (n: number) =>
  layout(
    `Generated page ${n}`,
    `<h1>Generated page ${n}</h1><p>This is generated page number ${n}, marker gen${n}marker.</p>
<h2>Details of ${n}</h2><p>Every generated page has distinct text: ${"lorem ".repeat(n % 7)}${n * 37}.</p>`,
  );

/**
 * A text-heavy documentation page of about `bytes` bytes: sections of distinct sentences, each
 * section's first paragraph naming it (`section17marker`), so a test can search for any part.
 * Pages of different `seed`s share no paragraph.
 */
export function bigPage(bytes: number, seed = 0): string {
  const parts: string[] = [];
  let size = 0;
  for (let section = 0; size < bytes; section++) {
    let body = `<h2>Section ${section}</h2><p>This is section${section}marker of the reference.</p>`;
    for (let p = 0; p < 8; p++) {
      const words: string[] = [];
      for (let w = 0; w < 60; w++) {
        words.push(`term${(seed * 7919 + section * 131 + p * 17 + w * 7) % 5003}`);
      }
      body += `<p>Paragraph ${p} of section ${section}: ${words.join(" ")}.</p>`;
    }
    parts.push(body);
    size += body.length;
  }
  return layout(`Reference ${seed}`, `<h1>Reference ${seed}</h1>${parts.join("\n")}`);
}

interface Hit {
  count: number;
  ifNoneMatch: string[];
}

/**
 * Starts the site on an ephemeral port of 127.0.0.1.
 *
 * @example
 * const site = await startTestSite(); // site.url === "http://127.0.0.1:41234"
 */
export async function startTestSite(): Promise<TestSite> {
  const pages = new Map<string, string>();
  const hits = new Map<string, Hit>();
  const log: { path: string; start: number; end: number | null }[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const hooks = new Map<
    string,
    { status: number; received: { headers: unknown; body: string }[] }
  >();

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://site");
    const path = url.pathname;
    const hit = hits.get(path) ?? { count: 0, ifNoneMatch: [] };
    hit.count += 1;
    const inm = req.headers["if-none-match"];
    if (inm) hit.ifNoneMatch.push(String(inm));
    if (!path.startsWith("/_")) {
      hits.set(path, hit);
      const entry = { path, start: Date.now(), end: null as number | null };
      log.push(entry);
      res.on("close", () => {
        entry.end = Date.now();
      });
    }
    const delay = Math.min(Number(url.searchParams.get("delay") ?? 0), 3000);
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    await route(path, req, res, url.searchParams);
  });

  async function route(
    path: string,
    req: IncomingMessage,
    res: ServerResponse,
    query: URLSearchParams,
  ) {
    const send = (type: string, body: string | Buffer, status = 200, extra = {}) =>
      res.writeHead(status, { "content-type": type, ...extra }).end(body);
    const html = (body: string) => send("text/html; charset=utf-8", body);
    const redirect = (location: string) => res.writeHead(302, { location }).end();
    const generator = /^\/gen\/(\d+)$/.exec(path);
    const named = /^\/pages\/([\w-]+)$/.exec(path);
    if (req.method === "PUT" && path.startsWith("/_pages/")) {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      pages.set(path.slice("/_pages/".length), Buffer.concat(chunks).toString("utf8"));
      return send("application/json", "{}");
    }
    if (path === "/_log") {
      const prefix = query.get("prefix") ?? "/";
      return send("application/json", JSON.stringify(log.filter((e) => e.path.startsWith(prefix))));
    }
    const status = /^\/status\/(\d{3})$/.exec(path);
    if (status) {
      const retryAfter = query.get("retry_after");
      const headers = retryAfter ? { "retry-after": retryAfter } : {};
      return send("text/html", "<p>status page</p>", Number(status[1]), headers);
    }
    const hook = /^\/(_?)hooks\/([\w-]+)$/.exec(path);
    if (hook) {
      const [, control, name = ""] = hook;
      const entry = hooks.get(name) ?? { status: 204, received: [] };
      hooks.set(name, entry);
      if (control && req.method === "GET") return send("application/json", JSON.stringify(entry));
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const body = Buffer.concat(chunks).toString("utf8");
      if (control) entry.status = (JSON.parse(body) as { status: number }).status;
      else entry.received.push({ headers: req.headers, body });
      return res.writeHead(control ? 200 : entry.status).end();
    }
    if (path.startsWith("/_hits/")) {
      const hit = hits.get(path.slice("/_hits".length)) ?? { count: 0, ifNoneMatch: [] };
      return send("application/json", JSON.stringify(hit));
    }
    if (path === "/article") return html(ARTICLE);
    if (path === "/latin1") return send("text/html; charset=iso-8859-1", LATIN1);
    if (path === "/notes.txt") return send("text/plain", "First note.\n\nSecond note.");
    if (path === "/readme.md")
      return send("text/markdown", "# Readme\n\nIntro.\n\n## Usage\n\nRun it.");
    const hop = /^\/redirect\/(\d)$/.exec(path);
    if (hop) return redirect(hop[1] === "1" ? "/article" : `/redirect/${Number(hop[1]) - 1}`);
    if (path === "/to-loopback") return redirect("http://127.0.0.1:1/");
    if (path === "/to-metadata") return redirect("http://169.254.169.254/latest/meta-data/");
    if (path === "/huge")
      return html(layout("Huge", `<p>${"x".repeat(TEST_FETCH_MAX_BYTES * 3)}</p>`));
    if (path === "/slow") {
      const timer = setTimeout(() => {
        timers.delete(timer);
        html(layout("Slow", "<p>finally</p>"));
      }, SLOW_MS);
      timers.add(timer);
      return;
    }
    if (path === "/reset") {
      res.socket?.destroy();
      return;
    }
    if (path === "/doc.pdf")
      return send("application/pdf", Buffer.from("%PDF-1.4\n%âãÏÓ\n1 0 obj\n"));
    if (path === "/etag")
      return conditional(req, res, layout("Etag", "<h1>Etag</h1><p>Stable content.</p>"));
    if (generator) return html(generated(Number(generator[1])));
    const big = /^\/big\/(\d+)$/.exec(path);
    if (big) return html(bigPage(Number(big[1])));
    const stored = named?.[1] ? pages.get(named[1]) : undefined;
    if (stored !== undefined) return conditional(req, res, stored);
    return send("text/html", "<h1>Not found</h1>", 404);
  }

  return listenLocally(server, () => {
    for (const timer of timers) clearTimeout(timer);
  });
}

/**
 * Starts `server` on an ephemeral port of 127.0.0.1. `close` runs `beforeClose`, then drops open
 * (keep-alive) connections so the server stops at once.
 */
export async function listenLocally(server: Server, beforeClose?: () => void): Promise<TestSite> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      beforeClose?.();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Serves `body` with a strong ETag, answering 304 when the client already has it. */
function conditional(req: IncomingMessage, res: ServerResponse, body: string) {
  const etag = `"${createHash("sha256").update(body).digest("hex").slice(0, 16)}"`;
  if (req.headers["if-none-match"] === etag) return res.writeHead(304, { etag }).end();
  res.writeHead(200, { "content-type": "text/html; charset=utf-8", etag }).end(body);
}
