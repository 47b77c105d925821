import { bucketLocation, deleteObjects, headBucket, listBuckets, listObjectsV2 } from "./buckets";
import { noSuchBucket, notImplemented, S3Error } from "./errors";
import { deleteObject, getObject, putObject, type S3Reply, type S3Request } from "./objects";
import { DiskStore } from "./store";

/** Query parameters that never select a different operation. */
const NEUTRAL_PARAMS = /^(x-amz-|x-id$|response-|versionId$)/i;

/**
 * Dispatches a verified path-style request (`/bucket/key`) to its operation. Operations outside
 * what the Worker uses (multipart, copy, tagging, ACLs, versioning…) answer 501 NotImplemented
 * so that a new call shows up loudly instead of half-working.
 *
 * @example await route(store, "us-east-1", { method: "HEAD", bucket: "linkbase", key: "", … });
 */
export async function route(store: DiskStore, region: string, req: S3Request): Promise<S3Reply> {
  const subresources = [...req.query.keys()].filter((name) => !NEUTRAL_PARAMS.test(name));
  const versionId = req.query.get("versionId");
  if (versionId !== null && versionId !== "null") throw notImplemented("Versioning");
  if (req.bucket === "") {
    if (req.method === "GET") return listBuckets(store);
    throw notImplemented(`${req.method} /`);
  }
  if (!store.hasBucket(req.bucket)) {
    if (req.method === "PUT" && req.key === "" && subresources.length === 0) {
      if (!DiskStore.isValidBucketName(req.bucket)) {
        throw new S3Error(400, "InvalidBucketName", "The specified bucket is not valid.");
      }
      await store.createBucket(req.bucket);
      return { status: 200, headers: { location: `/${req.bucket}` } };
    }
    throw noSuchBucket();
  }
  if (req.key === "") return bucketOperation(store, region, req, subresources);
  if (subresources.length > 0) throw notImplemented(`Object subresource ?${subresources[0]}`);
  switch (req.method) {
    case "PUT":
      return putObject(store, req);
    case "GET":
    case "HEAD":
      return getObject(store, req);
    case "DELETE":
      return deleteObject(store, req);
    default:
      throw methodNotAllowed();
  }
}

async function bucketOperation(
  store: DiskStore,
  region: string,
  req: S3Request,
  subresources: string[],
): Promise<S3Reply> {
  const op = `${req.method} ${subresources.join("&")}`;
  switch (op) {
    case "HEAD ":
      return headBucket(region);
    case "PUT ":
      return { status: 200, headers: { location: `/${req.bucket}` } };
    case "GET location":
      return bucketLocation(region);
    case "POST delete":
      return deleteObjects(store, req);
    default:
      if (req.method === "GET" && req.query.get("list-type") === "2") {
        const extra = subresources.filter((name) => !LIST_PARAMS.has(name));
        if (extra.length === 0) return listObjectsV2(store, req);
      }
      if (req.method === "GET" && subresources.every((name) => LIST_PARAMS.has(name))) {
        throw notImplemented("ListObjects v1 (use list-type=2)");
      }
      throw notImplemented(`Bucket operation ${op.trim() || req.method}`);
  }
}

const LIST_PARAMS = new Set([
  "list-type",
  "prefix",
  "delimiter",
  "max-keys",
  "continuation-token",
  "start-after",
  "encoding-type",
  "fetch-owner",
  "marker",
]);

function methodNotAllowed(): S3Error {
  return new S3Error(
    405,
    "MethodNotAllowed",
    "The specified method is not allowed against this resource.",
  );
}
