import { createHash } from "node:crypto";
import { crc32 } from "node:zlib";
import { S3Error } from "./errors";

type Headers = Record<string, string[]>;

const CHECKSUMS: Record<string, (body: Uint8Array) => string> = {
  "x-amz-checksum-sha256": (body) => createHash("sha256").update(body).digest("base64"),
  "x-amz-checksum-sha1": (body) => createHash("sha1").update(body).digest("base64"),
  "x-amz-checksum-crc32": (body) => {
    const out = Buffer.alloc(4);
    out.writeUInt32BE(crc32(body));
    return out.toString("base64");
  },
};

/** True when the request carries an integrity header S3 accepts for DeleteObjects. */
export function hasIntegrityHeader(headers: Headers): boolean {
  return (
    headers["content-md5"] !== undefined ||
    Object.keys(headers).some((name) => name.startsWith("x-amz-checksum-"))
  );
}

/**
 * Checks `Content-MD5` and the `x-amz-checksum-{sha256,sha1,crc32}` headers against the body
 * and throws S3's `InvalidDigest` / `BadDigest`. CRC32C and CRC64NVME need libraries Node lacks,
 * so they are accepted unchecked.
 *
 * @example checkDigests({ "content-md5": ["1B2M2Y8AsgTpgAmY7PhCfg=="] }, new Uint8Array());
 */
export function checkDigests(headers: Headers, body: Uint8Array): void {
  const md5 = headers["content-md5"]?.[0];
  if (md5 !== undefined) {
    if (Buffer.from(md5, "base64").length !== 16) {
      throw new S3Error(400, "InvalidDigest", "The Content-MD5 you specified was invalid.");
    }
    if (createHash("md5").update(body).digest("base64") !== md5) {
      throw new S3Error(
        400,
        "BadDigest",
        "The Content-MD5 you specified did not match what we received.",
      );
    }
  }
  for (const [name, compute] of Object.entries(CHECKSUMS)) {
    const claimed = headers[name]?.[0];
    if (claimed !== undefined && compute(body) !== claimed) {
      const algorithm = name.slice("x-amz-checksum-".length).toUpperCase();
      throw new S3Error(
        400,
        "BadDigest",
        `The ${algorithm} you specified did not match the calculated checksum.`,
      );
    }
  }
}
