import { createHash } from "node:crypto";
import { XMLParser } from "fast-xml-parser";
import { describe, expect, it } from "vitest";
import { BUCKET, client, REGION, useLocalS3 } from "./s3-setup";

const xml = new XMLParser({
  parseTagValue: false,
  isArray: (n) => n === "Contents" || n === "Deleted",
});

const local = useLocalS3("local-s3");
const aws = client();
const errorCode = async (res: Response) =>
  (xml.parse(await res.text()) as { Error: { Code: string; Message: string } }).Error;
const md5 = (body: string) => createHash("md5").update(body).digest("base64");

async function put(key: string, body: string, headers: Record<string, string> = {}) {
  const res = await aws.fetch(local.url(key), { method: "PUT", body, headers });
  expect(res.status).toBe(200);
  return res;
}

async function listKeys(query: string) {
  const res = await aws.fetch(`${local.s3.endpoint}/${BUCKET}?list-type=2&${query}`);
  expect(res.status).toBe(200);
  const result = xml.parse(await res.text()).ListBucketResult as {
    Contents?: { Key: string }[];
    IsTruncated: string;
    NextContinuationToken?: string;
    KeyCount: string;
  };
  return { ...result, keys: (result.Contents ?? []).map((c) => c.Key) };
}

describe("signed object operations through aws4fetch", () => {
  it("PUT, GET, HEAD and DELETE an object keep its bytes, type and metadata", async () => {
    const put1 = await put("docs/page.html", "<h1>hi</h1>", {
      "content-type": "text/html; charset=utf-8",
      "x-amz-meta-source": "https://example.com/",
    });
    expect(put1.headers.get("etag")).toBe(
      `"${createHash("md5").update("<h1>hi</h1>").digest("hex")}"`,
    );

    const got = await aws.fetch(local.url("docs/page.html"));
    expect(got.status).toBe(200);
    expect(got.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(got.headers.get("x-amz-meta-source")).toBe("https://example.com/");
    expect(await got.text()).toBe("<h1>hi</h1>");

    const head = await aws.fetch(local.url("docs/page.html"), { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.headers.get("content-length")).toBe("11");

    expect((await aws.fetch(local.url("docs/page.html"), { method: "DELETE" })).status).toBe(204);
    const gone = await aws.fetch(local.url("docs/page.html"));
    expect(gone.status).toBe(404);
    expect((await errorCode(gone)).Code).toBe("NoSuchKey");
    expect((await aws.fetch(local.url("docs/page.html"), { method: "HEAD" })).status).toBe(404);
  });

  it("keys with spaces, unicode, '+', '&' and nested slashes round-trip and list verbatim", async () => {
    const keys = ["a dir/ü ñ 日本.txt", "plus+sign/x&y.txt", "odd/(quote)'!*~.txt", "deep/a/b/c/d"];
    for (const key of keys) await put(key, `body of ${key}`);
    for (const key of keys) {
      const res = await aws.fetch(local.url(key));
      expect(res.status, key).toBe(200);
      expect(await res.text()).toBe(`body of ${key}`);
    }
    const listed = await listKeys("");
    for (const key of keys) expect(listed.keys).toContain(key);
  });

  it("PUT with a signed payload hash stores the body; a body that does not match it is 400", async () => {
    const body = "hashed body";
    const sha = createHash("sha256").update(body).digest("hex");
    const ok = await aws.fetch(local.url("hashed.txt"), {
      method: "PUT",
      body,
      headers: { "x-amz-content-sha256": sha },
    });
    expect(ok.status).toBe(200);
    const signed = await aws.sign(local.url("hashed.txt"), {
      method: "PUT",
      body,
      headers: { "x-amz-content-sha256": sha },
    });
    const swapped = await fetch(signed.url, {
      method: "PUT",
      headers: signed.headers,
      body: "other body!",
    });
    expect(swapped.status).toBe(400);
    expect((await errorCode(swapped)).Code).toBe("XAmzContentSHA256Mismatch");
  });

  it("a wrong Content-MD5 on PUT is 400 BadDigest and stores nothing", async () => {
    const res = await aws.fetch(local.url("md5.txt"), {
      method: "PUT",
      body: "abc",
      headers: { "content-md5": md5("xyz") },
    });
    expect(res.status).toBe(400);
    expect((await errorCode(res)).Code).toBe("BadDigest");
    expect((await aws.fetch(local.url("md5.txt"), { method: "HEAD" })).status).toBe(404);
  });

  it("Range requests return 206 with the slice", async () => {
    await put("range.txt", "0123456789");
    const res = await aws.fetch(local.url("range.txt"), { headers: { range: "bytes=2-4" } });
    expect(res.status).toBe(206);
    expect(res.headers.get("content-range")).toBe("bytes 2-4/10");
    expect(await res.text()).toBe("234");
  });
});

describe("bucket operations", () => {
  it("HEAD bucket is 200 and an unknown bucket is 404", async () => {
    const ok = await aws.fetch(`${local.s3.endpoint}/${BUCKET}`, { method: "HEAD" });
    expect(ok.status).toBe(200);
    expect(ok.headers.get("x-amz-bucket-region")).toBe(REGION);
    expect(
      (await aws.fetch(`${local.s3.endpoint}/no-such-bucket`, { method: "HEAD" })).status,
    ).toBe(404);
  });

  it("ListObjectsV2 pages by prefix with continuation tokens and folds delimiters", async () => {
    const keys = Array.from({ length: 7 }, (_, i) => `list/p${i}.txt`);
    for (const key of keys) await put(key, key);
    await put("list/sub/one.txt", "1");
    await put("listing-other.txt", "x");

    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const q = `prefix=list/&max-keys=3${token ? `&continuation-token=${encodeURIComponent(token)}` : ""}`;
      const page = await listKeys(q);
      seen.push(...page.keys);
      token = page.IsTruncated === "true" ? page.NextContinuationToken : undefined;
      pages++;
    } while (token);
    expect(pages).toBe(3);
    expect(seen).toEqual([...keys, "list/sub/one.txt"]);

    const folded = await fetchText(
      `${local.s3.endpoint}/${BUCKET}?list-type=2&prefix=list/&delimiter=/`,
    );
    expect(folded).toContain("<CommonPrefixes><Prefix>list/sub/</Prefix></CommonPrefixes>");
    expect(folded).not.toContain("<Key>list/sub/one.txt</Key>");
  });

  it("DeleteObjects (POST ?delete) with Content-MD5 deletes the batch, numeric and XML-escaped keys included", async () => {
    const keys = ["batch/1", "batch/123", "batch/a&b <c>.txt", "batch/1e3"];
    for (const key of keys) await put(key, "x");
    const escapeXml = (k: string) =>
      k.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
    const body = `<?xml version="1.0" encoding="UTF-8"?><Delete>${keys
      .map((k) => `<Object><Key>${escapeXml(k)}</Key></Object>`)
      .join("")}</Delete>`;
    const res = await aws.fetch(`${local.s3.endpoint}/${BUCKET}?delete`, {
      method: "POST",
      body,
      headers: { "content-md5": md5(body), "content-type": "application/xml" },
    });
    expect(res.status).toBe(200);
    const deleted = xml.parse(await res.text()).DeleteResult.Deleted as { Key: string }[];
    expect(deleted.map((d) => d.Key)).toEqual(keys);
    expect((await listKeys("prefix=batch/")).keys).toEqual([]);
  });

  it("DeleteObjects accepts x-amz-checksum-sha256 instead of Content-MD5 and rejects neither", async () => {
    await put("batch2/k", "x");
    const body = "<Delete><Object><Key>batch2/k</Key></Object></Delete>";
    const missing = await aws.fetch(`${local.s3.endpoint}/${BUCKET}?delete`, {
      method: "POST",
      body,
    });
    expect(missing.status).toBe(400);
    const checksum = createHash("sha256").update(body).digest("base64");
    const res = await aws.fetch(`${local.s3.endpoint}/${BUCKET}?delete`, {
      method: "POST",
      body,
      headers: { "x-amz-checksum-sha256": checksum },
    });
    expect(res.status).toBe(200);
    expect((await aws.fetch(local.url("batch2/k"), { method: "HEAD" })).status).toBe(404);
  });
});

async function fetchText(target: string): Promise<string> {
  const res = await aws.fetch(target);
  expect(res.status).toBe(200);
  return res.text();
}
