import { createHash, timingSafeEqual } from "node:crypto";
import { Sha256 } from "@aws-crypto/sha256-js";
import { HttpRequest } from "@smithy/protocol-http";
import { ALGORITHM_IDENTIFIER, getCanonicalHeaders, SignatureV4 } from "@smithy/signature-v4";
import { S3Error } from "./errors";
import {
  canonicalUri,
  checkTime,
  fromHeader,
  fromQuery,
  parseAmzDate,
  parseQuery,
  payloadHashOf,
  str,
} from "./sigv4-parts";

/** What the verifier needs to know about one incoming request. */
export interface SignedRequest {
  method: string;
  /** Path exactly as received, still percent-encoded, without the query. */
  rawPath: string;
  /** Query string as received, without the leading "?". */
  rawQuery: string;
  /** Lower-case header names; repeated headers keep every value. */
  headers: Record<string, string[]>;
  body: Uint8Array;
}

export interface VerifierConfig {
  region: string;
  credentials: ReadonlyMap<string, string>;
  now?: () => Date;
}

/** Exposes smithy's own (protected) canonical-request and string-to-sign builders. */
class VerifyingSigner extends SignatureV4 {
  async recompute(
    request: HttpRequest,
    signed: Set<string>,
    payloadHash: string,
    longDate: string,
    scope: string,
  ) {
    const headers = getCanonicalHeaders(request, undefined, signed);
    const canonicalRequest = this.createCanonicalRequest(request, headers, payloadHash);
    const stringToSign = await this.createStringToSign(
      longDate,
      scope,
      canonicalRequest,
      ALGORITHM_IDENTIFIER,
    );
    return { canonicalRequest, stringToSign };
  }
}

/**
 * Recomputes the SigV4 signature of an S3 request (Authorization header or presigned query)
 * with @smithy/signature-v4 and throws the S3Error that S3 would answer on any mismatch.
 * Returns the access key id that signed the request.
 *
 * @example
 * const who = await verifySigV4(request, { region: "us-east-1", credentials: new Map([["AK", "SK"]]) });
 */
export async function verifySigV4(request: SignedRequest, config: VerifierConfig): Promise<string> {
  const now = config.now?.() ?? new Date();
  const query = parseQuery(request.rawQuery);
  const header = (name: string) => request.headers[name]?.join(",");
  const authorization = header("authorization");
  const presigned = "X-Amz-Algorithm" in query;
  if (authorization !== undefined && presigned) {
    throw new S3Error(400, "InvalidArgument", "Only one auth mechanism allowed");
  }
  if ("Signature" in query || authorization?.startsWith("AWS ")) {
    throw new S3Error(400, "InvalidRequest", "Signature Version 2 is not supported here.");
  }
  if (authorization === undefined && !presigned) {
    throw new S3Error(403, "AccessDenied", "Access Denied");
  }
  const parts = presigned ? fromQuery(query) : fromHeader(authorization ?? "");
  const malformed = presigned
    ? "AuthorizationQueryParametersError"
    : "AuthorizationHeaderMalformed";
  const [accessKeyId = "", scopeDate, region, service, terminator, ...extra] =
    parts.credential.split("/");
  if (extra.length > 0 || terminator !== "aws4_request") {
    throw new S3Error(400, malformed, `Error parsing the Credential: ${parts.credential}`);
  }
  const secret = config.credentials.get(accessKeyId);
  if (secret === undefined) {
    throw new S3Error(
      403,
      "InvalidAccessKeyId",
      "The AWS Access Key Id you provided does not exist in our records.",
      { AWSAccessKeyId: accessKeyId },
    );
  }
  const dateText = presigned ? str(query["X-Amz-Date"]) : header("x-amz-date");
  const signingDate = parseAmzDate(dateText);
  if (signingDate === undefined) {
    throw new S3Error(403, "AccessDenied", "AWS authentication requires a valid x-amz-date");
  }
  if (scopeDate !== dateText?.slice(0, 8)) {
    throw new S3Error(
      400,
      malformed,
      "Invalid credential date. Date is not the same as X-Amz-Date.",
    );
  }
  if (region !== config.region) {
    throw new S3Error(
      400,
      malformed,
      `The region '${region}' is wrong; expecting '${config.region}'`,
      {
        Region: config.region,
      },
    );
  }
  if (service !== "s3") {
    throw new S3Error(400, malformed, `The service '${service}' is wrong; expecting 's3'`);
  }
  checkTime(presigned, signingDate, now, query);

  const signed = new Set(parts.signedHeaders.split(";"));
  if (!signed.has("host")) {
    throw new S3Error(403, "AccessDenied", "The host header must be signed.");
  }
  const unsigned = Object.keys(request.headers).filter(
    (name) => name.startsWith("x-amz-") && !signed.has(name),
  );
  if (unsigned.length > 0) {
    throw new S3Error(
      403,
      "AccessDenied",
      "There were headers present in the request which were not signed",
      {
        HeadersNotSigned: unsigned.join(", "),
      },
    );
  }
  if (query["X-Amz-Security-Token"] !== undefined || header("x-amz-security-token") !== undefined) {
    throw new S3Error(
      403,
      "InvalidToken",
      "Session tokens are not supported by the local S3 server.",
    );
  }
  const payloadHash = payloadHashOf(presigned, query, header("x-amz-content-sha256"));

  const headers: Record<string, string> = {};
  for (const name of signed)
    headers[name] = request.headers[name]?.map((v) => v.trim()).join(",") ?? "";
  const unsignedQuery = { ...query };
  delete unsignedQuery["X-Amz-Signature"];
  const httpRequest = new HttpRequest({
    method: request.method.toUpperCase(),
    protocol: "http:",
    hostname: (header("host") ?? "").replace(/:\d+$/, ""),
    path: canonicalUri(request.rawPath),
    query: unsignedQuery,
    headers,
  });
  const scope = `${scopeDate}/${region}/s3/aws4_request`;
  const signer = new VerifyingSigner({
    service: "s3",
    region: config.region,
    credentials: { accessKeyId, secretAccessKey: secret },
    sha256: Sha256,
    uriEscapePath: false, // S3 encodes each path segment once; canonicalUri did it.
    applyChecksum: false,
  });
  const { canonicalRequest, stringToSign } = await signer.recompute(
    httpRequest,
    signed,
    payloadHash,
    dateText ?? "",
    scope,
  );
  const expected = await signer.sign(stringToSign, { signingDate, signingRegion: region });
  if (!sameHex(expected, parts.signature)) {
    throw new S3Error(
      403,
      "SignatureDoesNotMatch",
      "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
      {
        AWSAccessKeyId: accessKeyId,
        StringToSign: stringToSign,
        CanonicalRequest: canonicalRequest,
      },
    );
  }
  if (/^[0-9a-f]{64}$/.test(payloadHash)) {
    const actual = createHash("sha256").update(request.body).digest("hex");
    if (actual !== payloadHash) {
      throw new S3Error(
        400,
        "XAmzContentSHA256Mismatch",
        "The provided 'x-amz-content-sha256' header does not match what was computed.",
        {
          ClientComputedContentSHA256: payloadHash,
          S3ComputedContentSHA256: actual,
        },
      );
    }
  }
  return accessKeyId;
}

function sameHex(a: string, b: string): boolean {
  const x = Buffer.from(a, "utf8");
  const y = Buffer.from(b, "utf8");
  return x.length === y.length && timingSafeEqual(x, y);
}
