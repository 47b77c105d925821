import { describe, expect, it, vi } from "vitest";
import { fetchPage } from "../../src/ingestion/fetcher";
import {
  backoffSeconds,
  DEFAULT_HOST_BACKOFF_SECONDS,
  MAX_HOST_BACKOFF_SECONDS,
} from "../../src/ingestion/host-slots";
import {
  ascii,
  bytes,
  fakeWeb,
  get,
  type Handler,
  html,
  page,
  redirect,
  START,
} from "../urls/fake-web";
import { METADATA_SPELLINGS } from "../urls/ssrf-cases";

describe("fetchPage: a plain fetch", () => {
  it("returns the decoded page, validators and the SHA-256 of the raw bytes", async () => {
    const { outcome, requests } = await get({
      [START]: () =>
        page("abc", {
          "content-type": "text/plain",
          etag: '"v1"',
          "last-modified": "Tue, 01 Jan 2030 00:00:00 GMT",
        }),
    });
    expect(outcome).toEqual({
      kind: "fetched",
      page: {
        finalUrl: START,
        status: 200,
        contentType: "text/plain",
        body: "abc",
        encoding: "utf-8",
        bytes: 3,
        etag: '"v1"',
        lastModified: "Tue, 01 Jan 2030 00:00:00 GMT",
        contentHash: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
        raw: bytes(97, 98, 99),
      },
    });
    expect(requests).toHaveLength(1);
    expect(requests[0]?.headers.get("user-agent")).toBe(
      "LinkbaseBot/test (+https://linkbase.local/bot)",
    );
    expect(requests[0]?.headers.get("accept")).toContain("text/html");
    expect(requests[0]?.redirect).toBe("manual");
    expect(requests[0]?.headers.has("if-none-match")).toBe(false);
  });

  it.each([
    ["text/html; charset=utf-8", "text/html"],
    ["TEXT/HTML", "text/html"],
    ["application/xhtml+xml", "text/html"],
    ["text/plain", "text/plain"],
    ["text/markdown; charset=utf-8", "text/markdown"],
    ["text/x-markdown", "text/markdown"],
  ])("accepts %s as %s", async (header, expected) => {
    const { outcome } = await get({ [START]: () => page("# hi", { "content-type": header }) });
    expect(outcome).toMatchObject({
      kind: "fetched",
      page: { contentType: expected, body: "# hi" },
    });
  });

  it.each([["application/pdf"], ["application/json"], ["image/png"], [""]])(
    "fails content type %j with UNSUPPORTED_CONTENT_TYPE without reading the body",
    async (type) => {
      const cancel = vi.fn();
      const pull = vi.fn((c: ReadableStreamDefaultController) => c.enqueue(bytes(37, 80, 68, 70)));
      const body = new ReadableStream({ pull, cancel }, { highWaterMark: 0 });
      const { outcome } = await get({
        [START]: () => page(body, type ? { "content-type": type } : {}),
      });
      expect(outcome).toMatchObject({
        kind: "failed",
        code: "UNSUPPORTED_CONTENT_TYPE",
        status: 200,
        retryable: false,
      });
      await vi.waitFor(() => expect(cancel).toHaveBeenCalled());
    },
  );

  it.each([
    [404, false],
    [410, false],
    [401, false],
    [403, false],
    [408, true],
    [429, true],
    [500, true],
    [502, true],
    [503, true],
  ])("fails HTTP %i with FETCH_HTTP_ERROR, retryable %s", async (status, retryable) => {
    const { outcome } = await get({
      [START]: () => page("nope", { "content-type": "text/html" }, status),
    });
    expect(outcome).toEqual({
      kind: "failed",
      code: "FETCH_HTTP_ERROR",
      message: `the page answered HTTP ${status}`,
      status,
      retryable,
    });
  });

  it("fails a network error with FETCH_FAILED, retryable", async () => {
    const { outcome } = await get({});
    expect(outcome).toMatchObject({
      kind: "failed",
      code: "FETCH_FAILED",
      status: null,
      retryable: true,
    });
  });

  it("fails a body that breaks off with FETCH_FAILED, retryable", async () => {
    const body = new ReadableStream({
      start(c) {
        c.enqueue(bytes(...ascii("<p>part")));
        c.error(new Error("connection reset"));
      },
    });
    const { outcome } = await get({ [START]: () => page(body, { "content-type": "text/html" }) });
    expect(outcome).toMatchObject({ code: "FETCH_FAILED", status: 200, retryable: true });
  });

  it("refuses forbidden and malformed start URLs before any request", async () => {
    const web = fakeWeb({});
    const options = {
      fetch: web.fetch,
      timeoutMs: 1000,
      maxBytes: 1024,
      maxRedirects: 1,
      userAgent: "t",
      allowHosts: new Set<string>(),
    };
    expect(await fetchPage("http://169.254.169.254/latest/meta-data/", options)).toMatchObject({
      code: "URL_NOT_ALLOWED",
      retryable: false,
    });
    expect(await fetchPage("ftp://site.example/", options)).toMatchObject({
      code: "URL_INVALID",
      retryable: false,
    });
    expect(web.requests).toHaveLength(0);
  });

  it.each([
    [{ timeoutMs: 0 }],
    [{ maxBytes: 0 }],
    [{ maxRedirects: -1 }],
    [{ timeoutMs: Number.NaN }],
  ])("throws RangeError on invalid options %j", async (bad) => {
    await expect(get({}, bad)).rejects.toThrow(RangeError);
  });
});

describe("fetchPage: conditional refresh", () => {
  const conditional: Handler = (request) =>
    request.headers.get("if-none-match") === '"v1"' ||
    request.headers.get("if-modified-since") === "Tue, 01 Jan 2030 00:00:00 GMT"
      ? page(null, { etag: '"v1"' }, 304)
      : html("<p>v2</p>", { etag: '"v2"' });

  it("answers not-modified to a matching If-None-Match", async () => {
    const { outcome, requests } = await get({ [START]: conditional }, { etag: '"v1"' });
    expect(outcome).toEqual({ kind: "not-modified", status: 304 });
    expect(requests[0]?.headers.get("if-none-match")).toBe('"v1"');
  });

  it("answers not-modified to a matching If-Modified-Since", async () => {
    const { outcome } = await get(
      { [START]: conditional },
      { lastModified: "Tue, 01 Jan 2030 00:00:00 GMT" },
    );
    expect(outcome).toEqual({ kind: "not-modified", status: 304 });
  });

  it("fetches the new version when the validator is stale", async () => {
    const { outcome } = await get({ [START]: conditional }, { etag: '"v0"' });
    expect(outcome).toMatchObject({ kind: "fetched", page: { body: "<p>v2</p>", etag: '"v2"' } });
  });

  it("treats a 304 to an unconditional request as FETCH_HTTP_ERROR", async () => {
    const { outcome } = await get({ [START]: () => page(null, {}, 304) });
    expect(outcome).toMatchObject({ code: "FETCH_HTTP_ERROR", status: 304, retryable: false });
  });
});

describe("fetchPage: character sets", () => {
  const cafe = ascii("caf\u00e9 na\u00efve"); // Latin-1 bytes
  it.each([
    [
      "Latin-1 declared as iso-8859-1",
      "text/plain; charset=iso-8859-1",
      bytes(...cafe),
      "café naïve",
      "windows-1252",
    ],
    [
      "windows-1252 smart quotes and euro",
      'text/html; charset="windows-1252"',
      bytes(0x93, 0x80, 0x35, 0x94),
      "“€5”",
      "windows-1252",
    ],
    [
      "a <meta charset> only page",
      "text/html",
      bytes(...ascii('<meta charset="windows-1252"><p>caf\u00e9')),
      '<meta charset="windows-1252"><p>café',
      "windows-1252",
    ],
    [
      "an http-equiv meta",
      "text/html",
      bytes(
        ...ascii('<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-2">\u00b1'),
      ),
      '<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-2">ą',
      "iso-8859-2",
    ],
    [
      "header over meta",
      "text/html; charset=utf-8",
      bytes(...ascii("<meta charset=windows-1252>caf"), 0xc3, 0xa9),
      "<meta charset=windows-1252>café",
      "utf-8",
    ],
    [
      "a UTF-8 BOM over the header",
      "text/plain; charset=windows-1252",
      bytes(0xef, 0xbb, 0xbf, 0xc3, 0xa9),
      "é",
      "utf-8",
    ],
    ["a UTF-16LE BOM", "text/plain", bytes(0xff, 0xfe, 0x68, 0x00, 0x69, 0x00), "hi", "utf-16le"],
    [
      "Shift_JIS",
      "text/plain; charset=Shift_JIS",
      bytes(0x93, 0xfa, 0x96, 0x7b),
      "日本",
      "shift_jis",
    ],
    [
      "KOI8-R",
      "text/plain; charset=koi8-r",
      bytes(0xf0, 0xd2, 0xc9, 0xd7, 0xc5, 0xd4),
      "Привет",
      "koi8-r",
    ],
    ["an unknown label, as UTF-8", "text/plain; charset=x-bogus", bytes(0xc3, 0xa9), "é", "utf-8"],
    [
      "a meta tag in plain text, ignored",
      "text/plain",
      bytes(...ascii("<meta charset=windows-1252>"), 0xc3, 0xa9),
      "<meta charset=windows-1252>é",
      "utf-8",
    ],
    [
      "no declaration, as UTF-8",
      "text/html",
      bytes(0x6e, 0x61, 0xc3, 0xaf, 0x76, 0x65),
      "naïve",
      "utf-8",
    ],
  ])("decodes %s", async (_name, type, raw, text, encoding) => {
    const { outcome } = await get({ [START]: () => page(raw, { "content-type": type }) });
    expect(outcome).toMatchObject({
      kind: "fetched",
      page: { body: text, encoding, bytes: raw.byteLength, raw },
    });
  });
});

describe("fetchPage: cloud metadata endpoints", () => {
  // The fake web has a route for START only: a request to any other address would throw, and
  // `requests` shows that none was made.
  it.each(METADATA_SPELLINGS)("refuses a redirect to %s", async (_name, url) => {
    const { outcome, requests } = await get({ [START]: () => redirect(url) });
    expect(outcome).toMatchObject({ code: "REDIRECT_NOT_ALLOWED", status: 302, retryable: false });
    if (outcome.kind === "failed") expect(outcome.message).toContain("cloud metadata endpoint");
    expect(requests.map((r) => r.url)).toEqual([START]);
  });

  it.each(METADATA_SPELLINGS)("refuses %s as the start URL", async (_name, url) => {
    const { outcome, requests } = await get({}, {}, url);
    expect(outcome).toMatchObject({ code: "URL_NOT_ALLOWED", retryable: false });
    expect(requests).toHaveLength(0);
  });
});

describe("fetchPage: checkHop", () => {
  const MOVED = "https://site.example/moved";
  const refusal = {
    kind: "failed",
    code: "ROBOTS_DISALLOWED",
    message: "disallowed",
    status: null,
    retryable: false,
  } as const;

  it("asks about each redirect hop before requesting it; a refusal ends the fetch", async () => {
    const asked: string[] = [];
    const { outcome, requests } = await get(
      { [START]: () => redirect(MOVED, 301), [MOVED]: () => html("<p>moved</p>") },
      {
        checkHop: async (url) => {
          asked.push(url);
          return refusal;
        },
      },
    );
    expect(outcome).toEqual({ ...refusal, status: 301 });
    expect(asked).toEqual([MOVED]);
    expect(requests.map((r) => r.url)).toEqual([START]);
  });

  it("follows a hop it allows, and throws on what the check threw", async () => {
    const routes = { [START]: () => redirect(MOVED), [MOVED]: () => html("<p>moved</p>") };
    const allowed = await get(routes, { checkHop: async () => null });
    expect(allowed.outcome).toMatchObject({ kind: "fetched", page: { finalUrl: MOVED } });
    const trouble = new Error("database unreachable");
    await expect(
      get(routes, {
        checkHop: async () => {
          throw trouble;
        },
      }),
    ).rejects.toBe(trouble);
  });
});

describe("fetchPage: Retry-After of 429 and 503", () => {
  it.each([
    [429, "120", 120],
    [503, "0", 0],
    [429, new Date(Date.now() + 30_500).toUTCString(), 30],
    [503, "Thu, 01 Jan 1970 00:00:00 GMT", 0],
  ])("HTTP %i with Retry-After %s waits %i s", async (status, header, seconds) => {
    const { outcome } = await get({
      [START]: () =>
        page("slow down", { "content-type": "text/html", "retry-after": header }, status),
    });
    expect(outcome).toMatchObject({ code: "FETCH_HTTP_ERROR", status, retryable: true });
    const wait = outcome.kind === "failed" ? outcome.retryAfterSeconds : undefined;
    expect(wait).toBeGreaterThanOrEqual(seconds - 1);
    expect(wait).toBeLessThanOrEqual(seconds + 1);
  });

  it.each([
    [429, "soon"],
    [500, "120"],
    [404, "120"],
  ])("HTTP %i with Retry-After %j carries no wait", async (status, header) => {
    const { outcome } = await get({
      [START]: () => page("no", { "content-type": "text/html", "retry-after": header }, status),
    });
    expect(outcome).toMatchObject({ kind: "failed", status });
    expect(outcome).not.toHaveProperty("retryAfterSeconds");
  });
});

describe("host backoff after a fetch", () => {
  const failure = (status: number, retryAfterSeconds?: number) =>
    ({
      kind: "failed",
      code: "FETCH_HTTP_ERROR",
      message: "",
      status,
      retryable: true,
      ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
    }) as const;

  it.each([
    ["429 with Retry-After 120", failure(429, 120), 120],
    ["503 without Retry-After", failure(503), DEFAULT_HOST_BACKOFF_SECONDS],
    ["429 asking for a day", failure(429, 86_400), MAX_HOST_BACKOFF_SECONDS],
    ["429 asking for 0 s", failure(429, 0), 1],
    ["500", failure(500, 120), null],
    ["no outcome (the fetch threw)", null, null],
  ])("%s pauses the host for %s s", (_name, outcome, seconds) => {
    expect(backoffSeconds(outcome)).toBe(seconds);
  });
});
