import { XMLParser } from "fast-xml-parser";
import { checkDigests, hasIntegrityHeader } from "./digests";
import { S3Error, xmlDocument } from "./errors";
import type { S3Reply, S3Request } from "./objects";
import type { DiskStore } from "./store";

const XMLNS = "http://s3.amazonaws.com/doc/2006-03-01/";
const xml = (tree: Record<string, unknown>): S3Reply => ({
  status: 200,
  headers: { "content-type": "application/xml" },
  body: xmlDocument(tree),
});
// Keys are text, never numbers, and their surrounding spaces are part of the key.
const parser = new XMLParser({
  parseTagValue: false,
  trimValues: false,
  isArray: (name) => name === "Object",
});

/**
 * ListObjectsV2 with prefix, delimiter, max-keys, start-after, continuation-token and
 * encoding-type=url. The continuation token is opaque (base64url JSON of the last item).
 *
 * @example await listObjectsV2(store, { …, query: new URLSearchParams("list-type=2&prefix=a/") });
 */
export function listObjectsV2(store: DiskStore, req: S3Request): S3Reply {
  const q = req.query;
  const prefix = q.get("prefix") ?? "";
  const delimiter = q.get("delimiter") ?? "";
  const maxKeysText = q.get("max-keys") ?? "1000";
  if (!/^\d+$/.test(maxKeysText)) {
    throw new S3Error(
      400,
      "InvalidArgument",
      "Provided max-keys not an integer or within integer range",
    );
  }
  const maxKeys = Math.min(Number(maxKeysText), 1000);
  const token = q.get("continuation-token");
  const startAfter = q.get("start-after") ?? "";
  const resume = token === null ? { k: startAfter, p: false } : decodeToken(token);
  const encode = q.get("encoding-type") === "url" ? encodeKey : (s: string) => s;

  const contents: Record<string, unknown>[] = [];
  const prefixes: string[] = [];
  let last: { k: string; p: boolean } | undefined;
  let truncated = false;
  for (const meta of store.list(req.bucket)) {
    if (!meta.key.startsWith(prefix) || !after(meta.key, resume)) continue;
    const cut = delimiter ? meta.key.indexOf(delimiter, prefix.length) : -1;
    const common = cut >= 0 ? meta.key.slice(0, cut + delimiter.length) : undefined;
    if (common !== undefined && common === prefixes.at(-1)) continue;
    if (contents.length + prefixes.length >= maxKeys) {
      truncated = true;
      break;
    }
    if (common !== undefined) {
      prefixes.push(common);
      last = { k: common, p: true };
    } else {
      contents.push({
        Key: encode(meta.key),
        LastModified: meta.lastModified,
        ETag: `"${meta.etag}"`,
        Size: meta.size,
        StorageClass: "STANDARD",
      });
      last = { k: meta.key, p: false };
    }
  }
  return xml({
    ListBucketResult: {
      "@_xmlns": XMLNS,
      Name: req.bucket,
      Prefix: encode(prefix),
      ...(delimiter ? { Delimiter: encode(delimiter) } : {}),
      MaxKeys: maxKeys,
      KeyCount: contents.length + prefixes.length,
      IsTruncated: truncated,
      ...(token !== null ? { ContinuationToken: token } : {}),
      ...(truncated && last ? { NextContinuationToken: encodeToken(last) } : {}),
      ...(startAfter ? { StartAfter: encode(startAfter) } : {}),
      ...(q.get("encoding-type") === "url" ? { EncodingType: "url" } : {}),
      Contents: contents,
      CommonPrefixes: prefixes.map((p) => ({ Prefix: encode(p) })),
    },
  });
}

/**
 * DeleteObjects (POST ?delete): requires Content-MD5 or an x-amz-checksum-* header, as S3 does,
 * verifies it, and answers every key as deleted (S3 reports missing keys as deleted too).
 */
export async function deleteObjects(store: DiskStore, req: S3Request): Promise<S3Reply> {
  if (!hasIntegrityHeader(req.headers)) {
    throw new S3Error(
      400,
      "InvalidRequest",
      "Missing required header for this request: Content-MD5",
    );
  }
  checkDigests(req.headers, req.body);
  const malformed = new S3Error(
    400,
    "MalformedXML",
    "The XML you provided was not well-formed or did not validate against our published schema",
  );
  let doc: { Delete?: { Object?: { Key?: unknown }[]; Quiet?: unknown } };
  try {
    doc = parser.parse(Buffer.from(req.body).toString("utf8"), true);
  } catch {
    throw malformed;
  }
  const objects = doc.Delete?.Object ?? [];
  if (objects.length === 0 || objects.length > 1000) throw malformed;
  const keys = objects.map((o) => o.Key);
  if (!keys.every((k): k is string => typeof k === "string" && k.length > 0)) throw malformed;
  for (const key of keys) await store.delete(req.bucket, key);
  const quiet = String(doc.Delete?.Quiet ?? "").trim() === "true";
  return xml({
    DeleteResult: { "@_xmlns": XMLNS, Deleted: quiet ? [] : keys.map((Key) => ({ Key })) },
  });
}

/** HeadBucket: 200 with the bucket's region, the usual S3 health probe. */
export function headBucket(region: string): S3Reply {
  return { status: 200, headers: { "x-amz-bucket-region": region } };
}

/** GetBucketLocation: us-east-1 is the empty constraint, as on S3. */
export function bucketLocation(region: string): S3Reply {
  return xml({
    LocationConstraint: { "@_xmlns": XMLNS, "#text": region === "us-east-1" ? "" : region },
  });
}

/** ListBuckets (GET /). */
export function listBuckets(store: DiskStore): S3Reply {
  return xml({
    ListAllMyBucketsResult: {
      "@_xmlns": XMLNS,
      Owner: { ID: "local", DisplayName: "local" },
      Buckets: {
        Bucket: store
          .bucketNames()
          .map((Name) => ({ Name, CreationDate: new Date(0).toISOString() })),
      },
    },
  });
}

function after(key: string, resume: { k: string; p: boolean }): boolean {
  if (resume.p && key.startsWith(resume.k)) return false;
  return Buffer.compare(Buffer.from(key), Buffer.from(resume.k)) > 0;
}

function encodeToken(last: { k: string; p: boolean }): string {
  return Buffer.from(JSON.stringify(last)).toString("base64url");
}

function decodeToken(token: string): { k: string; p: boolean } {
  try {
    const value = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as unknown;
    if (value && typeof value === "object" && "k" in value && typeof value.k === "string") {
      return { k: value.k, p: "p" in value && value.p === true };
    }
  } catch {
    // fall through to S3's error
  }
  throw new S3Error(400, "InvalidArgument", "The continuation token provided is incorrect");
}

/** encoding-type=url: percent-encode keys the way SDKs decode them, keeping "/" readable. */
function encodeKey(key: string): string {
  return encodeURIComponent(key).replace(/%2F/g, "/");
}
