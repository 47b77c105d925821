/**
 * Shared setup of the Neon-protocol conformance tests (`neon-*.test.ts`): starts the local
 * endpoint on an ephemeral port and points the real driver at it.
 *
 * By default each test file gets a fresh in-memory PGlite. Set `LOCAL_PG_URL` to a scratch
 * database on a real Postgres server with pgvector (the tests drop and recreate their own
 * tables there) to run the same suite against it, e.g.
 *   LOCAL_PG_URL=postgres://postgres:postgres@127.0.0.1:5432/scratch npm run test:conformance
 */
import { createServer } from "node:net";
import { type NeonQueryFunction, neon, neonConfig } from "@neondatabase/serverless";
import { type LocalDb, startLocalDb } from "../../scripts/local-db/server";

// pg-types parses `date` and `timestamp` in the process's local zone; Node re-reads TZ on
// assignment, and nothing is parsed before the tests run.
process.env.TZ = "UTC";

/** What the driver sends: a percent-encoded password; it appends `application_name` itself. */
export const CONNECTION_STRING = "postgresql://alice:p%40ss@db.localtest.me/main?sslmode=require";

/** Connection host that `fetchEndpoint` maps to a closed port (the "endpoint is down" case). */
export const DOWN_HOST = "down.localtest.me";

/** The driver's headers, for requests sent with plain `fetch`. */
export const DRIVER_HEADERS = {
  "Neon-Connection-String": CONNECTION_STRING,
  "Neon-Raw-Text-Output": "true",
  "Neon-Array-Mode": "true",
};

export interface Endpoint {
  db: LocalDb;
  sql: NeonQueryFunction<false, false>;
  /** POSTs `body` (a JSON value, or a string sent as is) to /sql with `headers`. */
  post(body: unknown, headers?: Record<string, string>): Promise<Response>;
}

/**
 * Starts the endpoint (PGlite, or the server in `LOCAL_PG_URL`) and routes the driver to it.
 *
 * @example
 * const ep = await startEndpoint();
 * await ep.sql`select 1`;
 * await ep.db.close();
 */
export async function startEndpoint(): Promise<Endpoint> {
  const db = await startLocalDb({ port: 0, pgUrl: process.env.LOCAL_PG_URL || undefined });
  const downUrl = `http://127.0.0.1:${await closedPort()}/sql`;
  neonConfig.fetchEndpoint = (host) => (host === DOWN_HOST ? downUrl : db.url);
  return {
    db,
    sql: neon(CONNECTION_STRING),
    post: (body, headers = DRIVER_HEADERS) =>
      fetch(db.url, {
        method: "POST",
        headers,
        body: typeof body === "string" ? body : JSON.stringify(body),
      }),
  };
}

/** A port nothing listens on: bind an ephemeral one, then release it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (!address || typeof address === "string") throw new Error("no port");
  return address.port;
}
