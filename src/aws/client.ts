import { AwsClient } from "aws4fetch";
import type { S3Settings } from "./config";
import { escapeXml, xmlElements } from "./xml";

/** An S3 answer other than the one asked for; `code` is S3's own (`NoSuchBucket`, …). */
export class S3Error extends Error {
  override name = "S3Error";
  constructor(
    readonly operation: string,
    readonly status: number,
    readonly code: string,
  ) {
    super(`S3 ${operation} failed: ${status} ${code}`);
  }
}

// S3 accepts at most 1000 keys per DeleteObjects request.
const DELETE_BATCH = 1000;

function encodeKey(key: string): string {
  return key.split("/").map(encodeURIComponent).join("/");
}

async function md5Base64(body: string): Promise<string> {
  // Workers' WebCrypto offers MD5, which S3 still requires for DeleteObjects.
  const digest = await crypto.subtle.digest("MD5", new TextEncoder().encode(body));
  return btoa(String.fromCharCode(...new Uint8Array(digest)));
}

async function errorCode(response: Response): Promise<string> {
  const text = await response.text().catch(() => "");
  return xmlElements(text, "Code")[0] ?? (response.statusText || "Unknown");
}

/**
 * S3 through aws4fetch: AWS S3, Cloudflare R2 and the local server alike, path-style or virtual.
 *
 * @example
 * const s3 = new S3Client(s3Settings(getConfig(env)));
 * await s3.put("projects/p/urls/u/abc.html", html, "text/html");
 */
export class S3Client {
  private readonly aws: AwsClient;

  constructor(
    private readonly settings: S3Settings,
    // Wrapped: workerd rejects `fetch` called as a method of another object.
    private readonly fetchImpl: typeof fetch = (input, init) => fetch(input, init),
  ) {
    this.aws = new AwsClient({
      accessKeyId: settings.accessKeyId,
      secretAccessKey: settings.secretAccessKey,
      region: settings.region,
      service: "s3",
    });
  }

  private url(key = "", query: Record<string, string> = {}): string {
    const endpoint = new URL(this.settings.endpoint);
    const path = key ? `/${encodeKey(key)}` : "/";
    const url = this.settings.forcePathStyle
      ? new URL(`${endpoint.origin}/${this.settings.bucket}${key ? path : ""}`)
      : new URL(`${endpoint.protocol}//${this.settings.bucket}.${endpoint.host}${path}`);
    for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
    return url.toString();
  }

  private async send(url: string, init: RequestInit = {}): Promise<Response> {
    const request = await this.aws.sign(url, init);
    return this.fetchImpl(request);
  }

  async put(key: string, body: Uint8Array | string, contentType: string): Promise<void> {
    const response = await this.send(this.url(key), {
      method: "PUT",
      body,
      headers: { "Content-Type": contentType },
    });
    if (!response.ok) throw new S3Error("PutObject", response.status, await errorCode(response));
    await response.body?.cancel();
  }

  /** The object, or null when there is none. */
  async get(key: string): Promise<Response | null> {
    const response = await this.send(this.url(key));
    if (response.status === 404) {
      await response.body?.cancel();
      return null;
    }
    if (!response.ok) throw new S3Error("GetObject", response.status, await errorCode(response));
    return response;
  }

  async delete(key: string): Promise<void> {
    const response = await this.send(this.url(key), { method: "DELETE" });
    if (!response.ok && response.status !== 404) {
      throw new S3Error("DeleteObject", response.status, await errorCode(response));
    }
    await response.body?.cancel();
  }

  /** One page of keys under `prefix`. */
  async list(
    prefix: string,
    continuationToken?: string,
  ): Promise<{ keys: string[]; nextToken: string | null }> {
    const query: Record<string, string> = { "list-type": "2", prefix };
    if (continuationToken) query["continuation-token"] = continuationToken;
    const response = await this.send(this.url("", query));
    if (!response.ok)
      throw new S3Error("ListObjectsV2", response.status, await errorCode(response));
    const xml = await response.text();
    const truncated = xmlElements(xml, "IsTruncated")[0] === "true";
    return {
      keys: xmlElements(xml, "Contents").flatMap((contents) => xmlElements(contents, "Key")),
      nextToken: truncated ? (xmlElements(xml, "NextContinuationToken")[0] ?? null) : null,
    };
  }

  /** Deletes every object under `prefix`, a thousand per request; returns how many. */
  async deletePrefix(prefix: string): Promise<number> {
    let deleted = 0;
    let token: string | undefined;
    do {
      const page = await this.list(prefix, token);
      for (let start = 0; start < page.keys.length; start += DELETE_BATCH) {
        const keys = page.keys.slice(start, start + DELETE_BATCH);
        await this.deleteMany(keys);
        deleted += keys.length;
      }
      token = page.nextToken ?? undefined;
    } while (token);
    return deleted;
  }

  private async deleteMany(keys: string[]): Promise<void> {
    const objects = keys.map((key) => `<Object><Key>${escapeXml(key)}</Key></Object>`).join("");
    const body = `<Delete><Quiet>true</Quiet>${objects}</Delete>`;
    const response = await this.send(this.url("", { delete: "" }), {
      method: "POST",
      body,
      headers: { "Content-Type": "application/xml", "Content-MD5": await md5Base64(body) },
    });
    const text = await response.text();
    if (!response.ok) throw new S3Error("DeleteObjects", response.status, "DeleteFailed");
    const [failed] = xmlElements(text, "Error");
    if (failed)
      throw new S3Error(
        "DeleteObjects",
        response.status,
        xmlElements(failed, "Code")[0] ?? "Unknown",
      );
  }

  /** A GET URL that works without credentials for `expiresInSeconds`. */
  async presignGet(key: string, expiresInSeconds: number): Promise<string> {
    const url = new URL(this.url(key));
    url.searchParams.set("X-Amz-Expires", String(expiresInSeconds));
    const signed = await this.aws.sign(url.toString(), { aws: { signQuery: true } });
    return signed.url;
  }

  /** Throws unless the bucket exists and the credentials may use it. */
  async headBucket(signal?: AbortSignal): Promise<void> {
    const request = await this.aws.sign(this.url(), { method: "HEAD", signal });
    const response = await this.fetchImpl(request);
    if (!response.ok) throw new S3Error("HeadBucket", response.status, response.statusText);
  }
}
