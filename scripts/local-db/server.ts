/**
 * Local endpoint speaking Neon's "SQL over HTTP" protocol (see /work/shared/neon-http.md), so the
 * unmodified `@neondatabase/serverless` driver and drizzle's `neon-http` run against PGlite with
 * pgvector, or against a real Postgres server.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { HttpError, SIZE_LIMIT, toErrorResponse } from "./errors";
import { shapeResult } from "./output";
import { createPgBackend } from "./pg-backend";
import { createPgliteBackend } from "./pglite-backend";
import {
  type Backend,
  type BatchOptions,
  isTrue,
  parseBatchOptions,
  parseBody,
  parseConnectionString,
  ResponseBudget,
} from "./protocol";

export interface LocalDbOptions {
  /** Default 4444; 0 picks a free port. */
  port?: number;
  /** Default "127.0.0.1". */
  host?: string;
  /** PGlite data directory; undefined keeps the database in memory. */
  dataDir?: string;
  /** When set, front this Postgres server through node-postgres instead of PGlite. */
  pgUrl?: string;
}

export interface LocalDb {
  /** E.g. "http://127.0.0.1:4444/sql"; use it as `neonConfig.fetchEndpoint`. */
  url: string;
  port: number;
  /** POST /sql requests (single queries and batches, each counting 1) served since start. */
  requests(): number;
  close(): Promise<void>;
}

const CORS_HEADERS = {
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Allow-Methods": "OPTIONS, POST",
  "Access-Control-Allow-Headers": [
    "Authorization",
    "Content-Type",
    "Neon-Connection-String",
    "Neon-Raw-Text-Output",
    "Neon-Array-Mode",
    "Neon-Pool-Opt-In",
    "Neon-Batch-Read-Only",
    "Neon-Batch-Isolation-Level",
    "Neon-Batch-Deferrable",
  ].join(", "),
  "Access-Control-Max-Age": "86400",
};

/**
 * Starts the endpoint: POST /sql (queries and batches), OPTIONS /sql, GET /stats.
 *
 * @example
 * const db = await startLocalDb({ port: 0 });
 * neonConfig.fetchEndpoint = db.url;
 * const sql = neon("postgresql://user:pass@localhost/main");
 * await sql`select 1`;
 * await db.close();
 */
export async function startLocalDb(options: LocalDbOptions = {}): Promise<LocalDb> {
  const backend = options.pgUrl
    ? await createPgBackend(options.pgUrl)
    : await createPgliteBackend(options.dataDir);
  let requests = 0;
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    if (path === "/stats" && req.method === "GET") {
      send(res, 200, JSON.stringify({ requests }));
    } else if (path === "/sql" && req.method === "OPTIONS") {
      res.writeHead(200, { Allow: "OPTIONS, POST", ...CORS_HEADERS }).end();
    } else if (path === "/sql" && req.method === "POST") {
      requests++;
      void handleSql(backend, req, res);
    } else {
      send(res, 400, JSON.stringify("query is not supported"));
    }
  });
  // PGlite runs on this event loop, so a long statement holds every socket still; with Node's
  // 5 s keep-alive the timers then fire together and close connections clients are reusing
  // ("Network connection lost" under load). Idle connections are kept a minute instead.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  const host = options.host ?? "127.0.0.1";
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.port ?? 4444, host, () => resolve());
    });
  } catch (err) {
    await backend.close();
    throw err;
  }
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${port}/sql`,
    port,
    requests: () => requests,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await backend.close();
    },
  };
}

async function handleSql(backend: Backend, req: IncomingMessage, res: ServerResponse) {
  try {
    const text = await readBody(req);
    parseConnectionString(header(req, "neon-connection-string"));
    const batchOptions = parseBatchOptions({
      isolation: header(req, "neon-batch-isolation-level"),
      readOnly: header(req, "neon-batch-read-only"),
      deferrable: header(req, "neon-batch-deferrable"),
    });
    const body = parseBody(text);
    const arrayMode = isTrue(header(req, "neon-array-mode"));
    const rawText = isTrue(header(req, "neon-raw-text-output"));
    const budget = new ResponseBudget();
    if (body.kind === "query") {
      const raw = await backend.query(body.stmt, budget);
      send(res, 200, JSON.stringify(shapeResult(raw, body.stmt.arrayMode ?? arrayMode, rawText)));
    } else {
      const raws = await backend.batch(body.stmts, batchOptions, budget);
      const results = raws.map((raw, i) =>
        shapeResult(raw, body.stmts[i]?.arrayMode ?? arrayMode, rawText),
      );
      send(res, 200, JSON.stringify({ results }), batchEcho(batchOptions, req));
    }
  } catch (err) {
    const { status, body } = toErrorResponse(err);
    send(res, status, JSON.stringify(body));
  }
}

/** Reads the whole body; past 10 MiB it keeps draining (so the client sees the 413) then throws. */
async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= SIZE_LIMIT) chunks.push(chunk);
  }
  if (size > SIZE_LIMIT) {
    throw new HttpError(413, `request is too large (max is ${SIZE_LIMIT} bytes)`);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** Neon echoes the batch options it applied; the driver ignores them. */
function batchEcho(options: BatchOptions, req: IncomingMessage): Record<string, string> {
  const echo: Record<string, string> = {};
  const level = header(req, "neon-batch-isolation-level");
  if (options.isolationLevel && level) echo["Neon-Batch-Isolation-Level"] = level;
  if (options.readOnly) echo["Neon-Batch-Read-Only"] = "true";
  if (options.deferrable) echo["Neon-Batch-Deferrable"] = "true";
  return echo;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function send(
  res: ServerResponse,
  status: number,
  json: string,
  extra: Record<string, string> = {},
) {
  if (res.destroyed) return;
  res
    .writeHead(status, {
      "Content-Type": "application/json",
      "Access-Control-Allow-Origin": "*",
      "Neon-Request-Id": randomUUID(),
      ...extra,
    })
    .end(json);
}
