import { checkDigests } from "./digests";
import { noSuchKey, S3Error } from "./errors";
import type { DiskStore, ObjectMeta } from "./store";

/** A routed S3 request, after its signature was verified. */
export interface S3Request {
  method: string;
  bucket: string;
  key: string;
  query: URLSearchParams;
  headers: Record<string, string[]>;
  body: Uint8Array;
}

/** What the server writes back. */
export interface S3Reply {
  status: number;
  headers: Record<string, string>;
  body?: string | Uint8Array;
}

/** Representation headers S3 stores with an object and returns on GET/HEAD. */
const STORED_HEADERS = [
  "cache-control",
  "content-disposition",
  "content-encoding",
  "content-language",
  "expires",
];
const OVERRIDES = [
  "response-content-type",
  "response-content-language",
  "response-expires",
  "response-cache-control",
  "response-content-disposition",
  "response-content-encoding",
];

/**
 * PutObject: checks digests, honours `If-None-Match: *`, stores headers and user metadata.
 *
 * @example await putObject(store, { method: "PUT", bucket: "b", key: "k", query, headers, body });
 */
export async function putObject(store: DiskStore, req: S3Request): Promise<S3Reply> {
  if (req.headers["x-amz-copy-source"]) {
    throw new S3Error(501, "NotImplemented", "CopyObject is not implemented here.");
  }
  checkDigests(req.headers, req.body);
  const first = (name: string) => req.headers[name]?.[0];
  if (first("if-none-match") === "*" && store.head(req.bucket, req.key)) {
    throw new S3Error(
      412,
      "PreconditionFailed",
      "At least one of the pre-conditions you specified did not hold",
    );
  }
  const headers: Record<string, string> = {};
  const metadata: Record<string, string> = {};
  for (const [name, values] of Object.entries(req.headers)) {
    if (STORED_HEADERS.includes(name)) headers[name] = values.join(",");
    if (name.startsWith("x-amz-meta-")) metadata[name.slice(11)] = values.join(",");
  }
  const meta = await store.put(req.bucket, req.key, req.body, {
    contentType: first("content-type") ?? "binary/octet-stream",
    headers,
    metadata,
  });
  return { status: 200, headers: { etag: `"${meta.etag}"` } };
}

/** GetObject and HeadObject: single byte ranges, ETag conditionals, `response-*` overrides. */
export async function getObject(store: DiskStore, req: S3Request): Promise<S3Reply> {
  const found =
    req.method === "HEAD"
      ? withMeta(store.head(req.bucket, req.key))
      : await store.read(req.bucket, req.key);
  if (!found) throw noSuchKey();
  const { meta } = found;
  const headers = objectHeaders(meta, req.query);
  const ifMatch = req.headers["if-match"]?.[0];
  if (ifMatch !== undefined && !etagMatches(ifMatch, meta.etag)) {
    throw new S3Error(
      412,
      "PreconditionFailed",
      "At least one of the pre-conditions you specified did not hold",
    );
  }
  const ifNoneMatch = req.headers["if-none-match"]?.[0];
  if (ifNoneMatch !== undefined && etagMatches(ifNoneMatch, meta.etag)) {
    return { status: 304, headers: { etag: headers.etag ?? "" } };
  }
  const range = parseRange(req.headers.range?.[0], meta.size);
  if (range === "unsatisfiable") {
    throw new S3Error(416, "InvalidRange", "The requested range is not satisfiable");
  }
  const [start, end] = range ?? [0, meta.size - 1];
  headers["content-length"] = String(Math.max(0, end - start + 1));
  if (range) headers["content-range"] = `bytes ${start}-${end}/${meta.size}`;
  const body = found.body?.subarray(start, end + 1);
  return { status: range ? 206 : 200, headers, body: req.method === "HEAD" ? undefined : body };
}

/** DeleteObject: 204 whether or not the key existed, as on S3. */
export async function deleteObject(store: DiskStore, req: S3Request): Promise<S3Reply> {
  await store.delete(req.bucket, req.key);
  return { status: 204, headers: {} };
}

function withMeta(meta: ObjectMeta | undefined): { meta: ObjectMeta; body?: Buffer } | undefined {
  return meta ? { meta } : undefined;
}

function objectHeaders(meta: ObjectMeta, query: URLSearchParams): Record<string, string> {
  const headers: Record<string, string> = {
    "content-type": meta.contentType,
    etag: `"${meta.etag}"`,
    "last-modified": new Date(meta.lastModified).toUTCString(),
    "accept-ranges": "bytes",
    ...meta.headers,
  };
  for (const [name, value] of Object.entries(meta.metadata)) headers[`x-amz-meta-${name}`] = value;
  for (const param of OVERRIDES) {
    const value = query.get(param);
    if (value !== null) headers[param.slice("response-".length)] = value;
  }
  return headers;
}

function etagMatches(condition: string, etag: string): boolean {
  return condition
    .split(",")
    .map((tag) => tag.trim().replace(/^W\//, "").replace(/^"|"$/g, ""))
    .some((tag) => tag === "*" || tag === etag);
}

/** One `bytes=` range, as S3 supports; several ranges or a malformed header mean "whole object". */
function parseRange(
  header: string | undefined,
  size: number,
): [number, number] | "unsatisfiable" | undefined {
  const m = header ? /^bytes=(\d*)-(\d*)$/.exec(header.trim()) : null;
  if (!m || (m[1] === "" && m[2] === "")) return undefined;
  if (m[1] === "") {
    const suffix = Number(m[2]);
    if (suffix === 0) return "unsatisfiable";
    return [Math.max(0, size - suffix), size - 1];
  }
  const start = Number(m[1]);
  if (start >= size) return "unsatisfiable";
  const end = m[2] === "" ? size - 1 : Math.min(Number(m[2]), size - 1);
  return end < start ? undefined : [start, end];
}
