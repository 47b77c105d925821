import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startDevServer } from "../../scripts/dev-server";

/** A port nothing listens on now: a fixed one may be another checkout's dev server. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/**
 * `wrangler dev` on a fresh local stack (on `port`, else a free one) plus a local site serving
 * `page(path)` as HTML for the pipeline to fetch (its host is allowed through FETCH_ALLOW_HOSTS).
 *
 * @example
 * const bench = await startBenchServer({ name: "load", page: (path) => `<p>${path}</p>` });
 * await fetch(`${bench.url}/v1/system/info`);
 * await bench.stop();
 */
export async function startBenchServer(options: {
  name: string;
  port?: number;
  page: (path: string) => string;
  vars?: Record<string, string>;
}) {
  const site = createServer((req, res) => {
    res.setHeader("Content-Type", "text/html; charset=utf-8");
    res.end(options.page(req.url ?? "/"));
  });
  await new Promise<void>((resolve) => site.listen(0, "127.0.0.1", resolve));
  const siteHost = `127.0.0.1:${(site.address() as AddressInfo).port}`;
  const dataDir = mkdtempSync(join(tmpdir(), `linkbase-${options.name}-`));
  const server = await startDevServer({
    port: options.port ?? (await freePort()),
    dataDir,
    dbPort: 0,
    s3Port: 0,
    vars: { FETCH_ALLOW_HOSTS: siteHost, ...options.vars },
  });
  const stop = async () => {
    await server.stop();
    site.close();
    rmSync(dataDir, { recursive: true, force: true });
  };
  return { url: server.url, siteHost, stop };
}

let addresses = 0;
/** A client address (CF-Connecting-IP) no other request used; 198.18.0.0/15 is for benchmarks. */
export function freshIp(): string {
  addresses += 1;
  return `198.18.${Math.floor(addresses / 250) % 250}.${addresses % 250}`;
}
