import { ALGORITHM_IDENTIFIER } from "@smithy/signature-v4";
import { S3Error } from "./errors";

const SKEW_MS = 15 * 60 * 1000;
const MAX_EXPIRES_S = 7 * 24 * 3600;
const DATE_RE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/**
 * S3's canonical URI: every path segment decoded once, then encoded with RFC 3986 rules.
 * No dot-segment or double-slash normalisation: S3 keys may contain both.
 *
 * @example canonicalUri("/b/a%20b/%C3%BC") // "/b/a%20b/%C3%BC"
 */
export function canonicalUri(rawPath: string): string {
  return rawPath
    .split("/")
    .map((segment) => {
      let decoded: string;
      try {
        decoded = decodeURIComponent(segment);
      } catch {
        throw new S3Error(400, "InvalidURI", "Couldn't parse the specified URI.");
      }
      return encodeURIComponent(decoded).replace(
        /[!'()*]/g,
        (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
      );
    })
    .join("/");
}

/** Parses a raw query string into smithy's query shape; repeated keys become arrays. */
export function parseQuery(rawQuery: string): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const [key, value] of new URLSearchParams(rawQuery)) {
    const prior = query[key];
    query[key] = prior === undefined ? value : [...(Array.isArray(prior) ? prior : [prior]), value];
  }
  return query;
}

/** The three fields of a SigV4 authorization, from the header or the query. */
export interface AuthParts {
  credential: string;
  signedHeaders: string;
  signature: string;
}

/** Parses `AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…`. */
export function fromHeader(authorization: string): AuthParts {
  const [algorithm, ...rest] = authorization.trim().split(/\s+/);
  if (algorithm !== ALGORITHM_IDENTIFIER) {
    throw new S3Error(400, "InvalidArgument", "Unsupported Authorization Type");
  }
  const fields = new Map(
    rest
      .join("")
      .split(",")
      .map((field) => {
        const at = field.indexOf("=");
        return [field.slice(0, at), field.slice(at + 1)] as const;
      }),
  );
  const credential = fields.get("Credential");
  const signedHeaders = fields.get("SignedHeaders");
  const signature = fields.get("Signature");
  if (!credential || !signedHeaders || !signature) {
    throw new S3Error(
      400,
      "AuthorizationHeaderMalformed",
      "The authorization header is malformed; it requires Credential, SignedHeaders and Signature.",
    );
  }
  return { credential, signedHeaders, signature };
}

/** Reads the presigned-URL parameters, all of which S3 requires. */
export function fromQuery(query: Record<string, string | string[]>): AuthParts {
  const credential = str(query["X-Amz-Credential"]);
  const signedHeaders = str(query["X-Amz-SignedHeaders"]);
  const signature = str(query["X-Amz-Signature"]);
  if (
    str(query["X-Amz-Algorithm"]) !== ALGORITHM_IDENTIFIER ||
    !credential ||
    !signedHeaders ||
    !signature ||
    str(query["X-Amz-Date"]) === undefined ||
    str(query["X-Amz-Expires"]) === undefined
  ) {
    throw new S3Error(
      400,
      "AuthorizationQueryParametersError",
      "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.",
    );
  }
  return { credential, signedHeaders, signature };
}

/** Header form: ±15 minutes of clock skew. Presigned form: X-Amz-Expires from X-Amz-Date. */
export function checkTime(
  presigned: boolean,
  signingDate: Date,
  now: Date,
  query: Record<string, string | string[]>,
): void {
  const age = now.getTime() - signingDate.getTime();
  if (!presigned) {
    if (Math.abs(age) > SKEW_MS) {
      throw new S3Error(
        403,
        "RequestTimeTooSkewed",
        "The difference between the request time and the current time is too large.",
      );
    }
    return;
  }
  const expiresText = str(query["X-Amz-Expires"]) ?? "";
  const expires = /^\d+$/.test(expiresText) ? Number(expiresText) : Number.NaN;
  if (!(expires >= 1 && expires <= MAX_EXPIRES_S)) {
    throw new S3Error(
      400,
      "AuthorizationQueryParametersError",
      "X-Amz-Expires must be between 1 and 604800 seconds.",
    );
  }
  if (age > expires * 1000) {
    throw new S3Error(403, "AccessDenied", "Request has expired", {
      Expires: new Date(signingDate.getTime() + expires * 1000).toISOString(),
      ServerTime: now.toISOString(),
    });
  }
  if (-age > SKEW_MS) {
    throw new S3Error(403, "AccessDenied", "Request is not valid yet");
  }
}

/** The payload hash the client signed: the header, or UNSIGNED-PAYLOAD for presigned URLs. */
export function payloadHashOf(
  presigned: boolean,
  query: Record<string, string | string[]>,
  headerValue: string | undefined,
): string {
  const value = presigned
    ? (str(query["X-Amz-Content-Sha256"]) ?? "UNSIGNED-PAYLOAD")
    : headerValue;
  if (value === undefined) {
    throw new S3Error(
      400,
      "InvalidRequest",
      "Missing required header for this request: x-amz-content-sha256",
    );
  }
  if (value.startsWith("STREAMING-")) {
    throw new S3Error(
      501,
      "NotImplemented",
      "Chunked (streaming) payload signing is not supported here.",
    );
  }
  if (value !== "UNSIGNED-PAYLOAD" && !/^[0-9a-f]{64}$/.test(value)) {
    throw new S3Error(
      400,
      "InvalidArgument",
      "x-amz-content-sha256 must be UNSIGNED-PAYLOAD or a SHA-256 hex digest.",
    );
  }
  return value;
}

/** Strict `YYYYMMDDTHHMMSSZ`, the only form SigV4 signs. */
export function parseAmzDate(text: string | undefined): Date | undefined {
  const m = text ? DATE_RE.exec(text) : null;
  if (!m) return undefined;
  const date = new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** First value of a possibly repeated query parameter. */
export function str(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
