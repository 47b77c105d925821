import { createHash } from "node:crypto";
import { Sha256 } from "@aws-crypto/sha256-js";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import { XMLParser } from "fast-xml-parser";
import { beforeAll, describe, expect, it } from "vitest";
import { startLocalS3 } from "../../scripts/local-s3/server";
import { BUCKET, client, KEY_ID, OPTIONS, REGION, SECRET, useLocalS3 } from "./s3-setup";

const xml = new XMLParser({ parseTagValue: false });

const local = useLocalS3("local-s3-auth");
const aws = client();
const amzDate = (msAgo: number) =>
  new Date(Date.now() - msAgo).toISOString().replace(/[:-]|\.\d{3}/g, "");

async function expectError(res: Response, status: number, code: string): Promise<string> {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  expect((xml.parse(text) as { Error: { Code: string } }).Error.Code).toBe(code);
  return text;
}

async function presign(
  key: string,
  init: { expires?: number; datetime?: string; method?: string } = {},
) {
  const target = new URL(local.url(key));
  if (init.expires !== undefined) target.searchParams.set("X-Amz-Expires", String(init.expires));
  const signed = await aws.sign(target.toString(), {
    method: init.method ?? "GET",
    aws: { signQuery: true, ...(init.datetime ? { datetime: init.datetime } : {}) },
  });
  return signed.url;
}

beforeAll(async () => {
  const res = await aws.fetch(local.url("docs/ü ñ page.txt"), {
    method: "PUT",
    body: "secret page",
  });
  expect(res.status).toBe(200);
});

describe("Authorization header signatures", () => {
  it("a wrong secret is 403 SignatureDoesNotMatch with the string to sign for debugging", async () => {
    const res = await client({ secretAccessKey: "wrong" }).fetch(local.url("docs/ü ñ page.txt"));
    const text = await expectError(res, 403, "SignatureDoesNotMatch");
    expect(text).toContain("<StringToSign>AWS4-HMAC-SHA256");
  });

  it("an unknown access key is 403 InvalidAccessKeyId", async () => {
    const res = await client({ accessKeyId: "nobody" }).fetch(local.url("docs/ü ñ page.txt"));
    await expectError(res, 403, "InvalidAccessKeyId");
  });

  it("an unsigned request is 403 AccessDenied", async () => {
    await expectError(await fetch(local.url("docs/ü ñ page.txt")), 403, "AccessDenied");
  });

  it("a tampered x-amz-content-sha256 header is 403 SignatureDoesNotMatch and stores nothing", async () => {
    const body = "payload";
    const sha = createHash("sha256").update(body).digest("hex");
    const signed = await aws.sign(local.url("tampered.txt"), {
      method: "PUT",
      body,
      headers: { "x-amz-content-sha256": sha },
    });
    const headers = new Headers(signed.headers);
    headers.set("x-amz-content-sha256", createHash("sha256").update("evil").digest("hex"));
    const res = await fetch(signed.url, { method: "PUT", headers, body: "evil" });
    await expectError(res, 403, "SignatureDoesNotMatch");
    expect((await aws.fetch(local.url("tampered.txt"), { method: "HEAD" })).status).toBe(404);
  });

  it("a request replayed against another key, query or host is 403 SignatureDoesNotMatch", async () => {
    const signed = await aws.sign(local.url("docs/ü ñ page.txt"));
    const otherKey = await fetch(local.url("docs/other.txt"), { headers: signed.headers });
    await expectError(otherKey, 403, "SignatureDoesNotMatch");

    const list = await aws.sign(`${local.s3.endpoint}/${BUCKET}?list-type=2&prefix=docs/`);
    const otherQuery = await fetch(`${local.s3.endpoint}/${BUCKET}?list-type=2&prefix=private/`, {
      headers: list.headers,
    });
    await expectError(otherQuery, 403, "SignatureDoesNotMatch");

    // Signed for "localhost:<port>", sent to 127.0.0.1:<port>: the host header is signed with its port.
    const viaLocalhost = await aws.sign(
      local.url("docs/ü ñ page.txt").replace("127.0.0.1", "localhost"),
    );
    const res = await fetch(local.url("docs/ü ñ page.txt"), { headers: viaLocalhost.headers });
    await expectError(res, 403, "SignatureDoesNotMatch");
  });

  it("an x-amz-* header added after signing is 403 AccessDenied", async () => {
    const signed = await aws.sign(local.url("docs/ü ñ page.txt"));
    const headers = new Headers(signed.headers);
    headers.set("x-amz-meta-injected", "1");
    await expectError(await fetch(signed.url, { headers }), 403, "AccessDenied");
  });

  it("a stale x-amz-date is 403 RequestTimeTooSkewed and a wrong region is 400", async () => {
    const stale = await aws.sign(local.url("docs/ü ñ page.txt"), {
      aws: { datetime: amzDate(20 * 60_000) },
    });
    await expectError(await fetch(stale), 403, "RequestTimeTooSkewed");
    const wrongRegion = await client({ region: "eu-west-1" }).fetch(local.url("docs/ü ñ page.txt"));
    await expectError(wrongRegion, 400, "AuthorizationHeaderMalformed");
  });
});

describe("interoperability with the AWS SDK's signer", () => {
  it("a PUT signed by @smithy/signature-v4 with a real payload hash is accepted", async () => {
    const { port } = new URL(local.s3.endpoint);
    const signer = new SignatureV4({
      service: "s3",
      region: REGION,
      credentials: { accessKeyId: KEY_ID, secretAccessKey: SECRET },
      sha256: Sha256,
      uriEscapePath: false, // what the S3 client does: keys are encoded once
    });
    const body = "signed by smithy";
    const path = `/${BUCKET}/smithy/${encodeURIComponent("a b+c.txt")}`;
    const signed = await signer.sign(
      new HttpRequest({
        method: "PUT",
        protocol: "http:",
        hostname: "127.0.0.1",
        port: Number(port),
        path,
        headers: { host: `127.0.0.1:${port}`, "content-type": "text/plain" },
        body,
      }),
    );
    const res = await fetch(`${local.s3.endpoint}${path}`, {
      method: "PUT",
      headers: signed.headers as Record<string, string>,
      body,
    });
    expect(res.status, await res.text()).toBe(200);
    const got = await aws.fetch(local.url("smithy/a b+c.txt"));
    expect(await got.text()).toBe(body);
  });
});

describe("presigned URLs (aws4fetch signQuery)", () => {
  it("a presigned GET works with plain fetch and no headers, for a unicode key with spaces", async () => {
    const res = await fetch(await presign("docs/ü ñ page.txt"));
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("secret page");
  });

  it("signed response-content-disposition overrides the download header", async () => {
    const target = new URL(local.url("docs/ü ñ page.txt"));
    target.searchParams.set("response-content-disposition", 'attachment; filename="p.txt"');
    const signed = await aws.sign(target.toString(), { aws: { signQuery: true } });
    const res = await fetch(signed.url);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-disposition")).toBe('attachment; filename="p.txt"');
  });

  it("a presigned URL is 403 'Request has expired' once X-Amz-Expires has passed", async () => {
    const shortLived = await presign("docs/ü ñ page.txt", { expires: 1 });
    expect((await fetch(shortLived)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 2100));
    const text = await expectError(await fetch(shortLived), 403, "AccessDenied");
    expect(text).toContain("Request has expired");

    const old = await presign("docs/ü ñ page.txt", { expires: 3600, datetime: amzDate(3601_000) });
    await expectError(await fetch(old), 403, "AccessDenied");
  });

  it("a tampered presigned URL is 403 SignatureDoesNotMatch", async () => {
    const good = new URL(await presign("docs/ü ñ page.txt"));
    const otherKey = new URL(good);
    otherKey.pathname = `/${BUCKET}/docs/other.txt`;
    await expectError(await fetch(otherKey), 403, "SignatureDoesNotMatch");

    const longer = new URL(good);
    longer.searchParams.set("X-Amz-Expires", "604800");
    await expectError(await fetch(longer), 403, "SignatureDoesNotMatch");

    const badSig = new URL(good);
    const sig = badSig.searchParams.get("X-Amz-Signature") ?? "";
    badSig.searchParams.set(
      "X-Amz-Signature",
      `${sig.slice(0, -1)}${sig.endsWith("0") ? "1" : "0"}`,
    );
    await expectError(await fetch(badSig), 403, "SignatureDoesNotMatch");

    const forged = await client({ secretAccessKey: "wrong" }).sign(local.url("docs/ü ñ page.txt"), {
      aws: { signQuery: true },
    });
    await expectError(await fetch(forged.url), 403, "SignatureDoesNotMatch");
  });

  it("a presigned PUT uploads with UNSIGNED-PAYLOAD", async () => {
    const res = await fetch(await presign("uploads/presigned.txt", { method: "PUT" }), {
      method: "PUT",
      body: "via presigned put",
    });
    expect(res.status).toBe(200);
    expect(await (await aws.fetch(local.url("uploads/presigned.txt"))).text()).toBe(
      "via presigned put",
    );
  });
});

describe("availability", () => {
  it("stop() refuses connections, start() serves again on the same port with the data intact", async () => {
    const port = local.s3.port;
    await local.s3.stop();
    await expect(aws.fetch(local.url("docs/ü ñ page.txt"))).rejects.toThrow();
    await local.s3.start();
    expect(local.s3.port).toBe(port);
    const res = await aws.fetch(local.url("docs/ü ñ page.txt"));
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("secret page");
  });

  it("a new server on the same data directory finds the objects already stored", async () => {
    const second = await startLocalS3({ port: 0, dataDir: local.dataDir, ...OPTIONS });
    try {
      const res = await aws.fetch(
        `${second.endpoint}/${BUCKET}/docs/${encodeURIComponent("ü ñ page.txt")}`,
      );
      expect(res.status).toBe(200);
      expect(await res.text()).toBe("secret page");
    } finally {
      await second.close();
    }
  });
});
