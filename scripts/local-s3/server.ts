import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { S3Error } from "./errors";
import type { S3Reply } from "./objects";
import { route } from "./router";
import { DiskStore } from "./store";
import { verifySigV4 } from "./verify";

export interface LocalS3Options {
  port?: number; // default 4569; 0 = ephemeral
  host?: string; // default "127.0.0.1"
  dataDir: string; // objects on disk here
  bucket: string; // created at start if missing, e.g. "linkbase"
  region: string; // e.g. "us-east-1"
  accessKeyId: string;
  secretAccessKey: string;
}

export interface LocalS3 {
  endpoint: string; // e.g. "http://127.0.0.1:4569" (path-style: endpoint/bucket/key)
  port: number;
  stop(): Promise<void>; // lets tests simulate S3 being down
  start(): Promise<void>; // restart on the same port after stop()
  close(): Promise<void>;
}

/** Single-request bodies above this are refused; the Worker stores page snapshots, not videos. */
const MAX_BODY_BYTES = 256 * 1024 * 1024;

/**
 * Starts a path-style S3-compatible server that verifies every request's SigV4 signature
 * (Authorization header or presigned query) before touching the objects on disk.
 *
 * @example
 * const s3 = await startLocalS3({ port: 0, dataDir: ".data/s3", bucket: "linkbase",
 *   region: "us-east-1", accessKeyId: "local", secretAccessKey: "local-secret" });
 * // aws4fetch: new AwsClient({ …, service: "s3" }).fetch(`${s3.endpoint}/linkbase/key`)
 * await s3.close();
 */
export async function startLocalS3(options: LocalS3Options): Promise<LocalS3> {
  if (!DiskStore.isValidBucketName(options.bucket)) {
    throw new TypeError(`startLocalS3: invalid bucket name ${JSON.stringify(options.bucket)}`);
  }
  if (!options.accessKeyId || !options.secretAccessKey || !options.region) {
    throw new TypeError("startLocalS3: accessKeyId, secretAccessKey and region are required");
  }
  const host = options.host ?? "127.0.0.1";
  const store = await DiskStore.open(options.dataDir);
  await store.createBucket(options.bucket);
  const config = {
    region: options.region,
    credentials: new Map([[options.accessKeyId, options.secretAccessKey]]),
  };
  const server = createServer((req, res) => {
    void serve(req, res, async (method, rawPath, rawQuery, headers, body) => {
      await verifySigV4({ method, rawPath, rawQuery, headers, body }, config);
      const [bucket = "", ...rest] = rawPath.slice(1).split("/");
      return route(store, options.region, {
        method,
        bucket: decode(bucket),
        key: decode(rest.join("/")),
        query: new URLSearchParams(rawQuery),
        headers,
        body,
      });
    });
  });

  let port = options.port ?? 4569;
  let listening = false;
  let closed = false;
  const start = async () => {
    if (closed) throw new Error("local S3 server was closed");
    if (listening) return;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, () => {
        server.off("error", reject);
        resolve();
      });
    });
    const address = server.address();
    if (address && typeof address === "object") port = address.port;
    listening = true;
  };
  const stop = async () => {
    if (!listening) return;
    listening = false;
    const done = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections(); // keep-alive sockets would otherwise outlive the "outage"
    await done;
  };
  await start();
  const endpointHost = host.includes(":") ? `[${host}]` : host;
  return {
    endpoint: `http://${endpointHost}:${port}`,
    port,
    start,
    stop,
    close: async () => {
      await stop();
      closed = true;
    },
  };
}

type Handler = (
  method: string,
  rawPath: string,
  rawQuery: string,
  headers: Record<string, string[]>,
  body: Uint8Array,
) => Promise<S3Reply>;

async function serve(req: IncomingMessage, res: ServerResponse, handler: Handler): Promise<void> {
  const requestId = randomBytes(8).toString("hex").toUpperCase();
  const method = (req.method ?? "GET").toUpperCase();
  const url = req.url ?? "/";
  const at = url.indexOf("?");
  const rawPath = at < 0 ? url : url.slice(0, at);
  const rawQuery = at < 0 ? "" : url.slice(at + 1);
  let reply: S3Reply;
  try {
    const body = await readBody(req);
    reply = await handler(
      method,
      rawPath,
      rawQuery,
      req.headersDistinct as Record<string, string[]>,
      body,
    );
  } catch (error) {
    const s3Error =
      error instanceof S3Error
        ? error
        : new S3Error(500, "InternalError", "We encountered an internal error. Please try again.");
    if (!(error instanceof S3Error)) console.error("local S3:", error);
    reply = {
      status: s3Error.status,
      headers: { "content-type": "application/xml" },
      body: s3Error.toXml(safeDecode(rawPath), requestId),
    };
  }
  const body = method === "HEAD" ? undefined : reply.body;
  res.statusCode = reply.status;
  for (const [name, value] of Object.entries(reply.headers)) res.setHeader(name, value);
  res.setHeader("x-amz-request-id", requestId);
  res.setHeader("server", "LinkbaseLocalS3");
  if (body !== undefined && !res.hasHeader("content-length")) {
    res.setHeader("content-length", Buffer.byteLength(body));
  }
  res.end(body);
}

function readBody(req: IncomingMessage): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        req.destroy();
        reject(
          new S3Error(
            400,
            "EntityTooLarge",
            "Your proposed upload exceeds the maximum allowed size",
          ),
        );
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new S3Error(400, "InvalidURI", "Couldn't parse the specified URI.");
  }
}

function safeDecode(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}
