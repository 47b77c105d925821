import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { TestProject } from "vitest/node";
import { startLocalStack } from "../../scripts/local-stack";
import { startDocsSite } from "./docs-site";
import { DOCS_SITE_SHAPE } from "./docs-site-shape";
import { FAULTS, type Fault, type FaultProxy, startFaultProxy } from "./fault-proxy";
import { startTestSite, TEST_FETCH_MAX_BYTES, TEST_FETCH_TIMEOUT_MS } from "./test-site";

declare module "vitest" {
  // Mirrored in test/env.d.ts for the Worker-side tests.
  export interface ProvidedContext {
    workerBindings: Record<string, string>;
    controlUrl: string;
    testSiteUrl: string;
    docsSiteUrl: string;
  }
}

/** Accounts registered with these emails become admins; each is registered by one test file. */
export const ADMIN_EMAILS = ["register-admin@linkbase.test"];

/**
 * Starts the local stack in memory for the `workers` tests, fronts the database and S3 with
 * fault proxies, and serves a control endpoint the tests (inside workerd) use to inject faults.
 */
export default async function setup(project: TestProject) {
  const stack = await startLocalStack({ pgUrl: process.env.LOCAL_PG_URL });
  const proxies: Record<string, FaultProxy> = {
    database: await startFaultProxy(stack.db.url),
    storage: await startFaultProxy(stack.s3.endpoint),
  };
  const site = await startTestSite();
  const docsSite = await startDocsSite(DOCS_SITE_SHAPE);
  const control = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://control");
    const [, resource, name, fault] = url.pathname.split("/");
    const proxy = resource === "fault" && name ? proxies[name] : undefined;
    if (req.method === "POST" && proxy && FAULTS.includes(fault as Fault)) {
      proxy.setFault(fault as Fault);
      res.end("{}");
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => control.listen(0, "127.0.0.1", resolve));

  project.provide("workerBindings", {
    ...stack.workerVars,
    DATABASE_HTTP_ENDPOINT: proxies.database?.url ?? stack.db.url,
    S3_ENDPOINT: proxies.storage?.url ?? stack.s3.endpoint,
    ADMIN_EMAILS: ADMIN_EMAILS.join(","),
    // Only the test sites are exempt from the address screen; S3 and the database are not.
    FETCH_ALLOW_HOSTS: `${new URL(site.url).host},${new URL(docsSite.url).host}`,
    FETCH_TIMEOUT_MS: String(TEST_FETCH_TIMEOUT_MS),
    FETCH_MAX_BYTES: String(TEST_FETCH_MAX_BYTES),
    // Retries come back at once in tests; production backs off from 30 s.
    INGEST_RETRY_BASE_SECONDS: "0",
    // Webhook retries 1 s, 2 s, 4 s…: a receiver can be down for a few attempts within a test.
    WEBHOOK_RETRY_BASE_SECONDS: "1",
  });
  project.provide("testSiteUrl", site.url);
  project.provide("docsSiteUrl", docsSite.url);
  project.provide("controlUrl", `http://127.0.0.1:${(control.address() as AddressInfo).port}`);

  return async () => {
    control.close();
    await site.close();
    await docsSite.close();
    await Promise.allSettled(Object.values(proxies).map((proxy) => proxy.close()));
    await stack.close();
  };
}
