import { XMLBuilder } from "fast-xml-parser";

const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: "@_" });

/**
 * An error answered the way S3 answers it: a status and an XML `<Error>` document.
 *
 * @example
 * throw new S3Error(403, "SignatureDoesNotMatch", "The request signature we calculated …");
 */
export class S3Error extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Extra `<Error>` children S3 adds for diagnosis, e.g. `StringToSign`. */
    readonly details: Record<string, string> = {},
  ) {
    super(message);
    this.name = "S3Error";
  }

  /** The XML body; `requestId` ties it to the `x-amz-request-id` header. */
  toXml(resource: string, requestId: string): string {
    return xmlDocument({
      Error: {
        Code: this.code,
        Message: this.message,
        ...this.details,
        Resource: resource,
        RequestId: requestId,
      },
    });
  }
}

/** Serialises an object tree to an XML document with S3's declaration line. */
export function xmlDocument(tree: Record<string, unknown>): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${builder.build(tree)}`;
}

export const noSuchKey = () => new S3Error(404, "NoSuchKey", "The specified key does not exist.");
export const noSuchBucket = () =>
  new S3Error(404, "NoSuchBucket", "The specified bucket does not exist");
export const notImplemented = (what: string) =>
  new S3Error(
    501,
    "NotImplemented",
    `${what} is not implemented by the local S3 server (scripts/local-s3).`,
  );
