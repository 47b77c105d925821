import { describe, expect, it, vi } from "vitest";
import { fetchPage } from "../../src/ingestion/fetcher";
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
  sleep,
} from "../urls/fake-web";
import { FORBIDDEN } from "../urls/ssrf-cases";

describe("fetchPage: redirects", () => {
  it("follows a chain of relative, absolute and scheme-relative Locations", async () => {
    const { outcome, requests } = await get({
      [START]: () => redirect("/b", 301),
      "https://site.example/b": () => redirect("https://other.example/c", 302),
      "https://other.example/c": () => redirect("//third.example/d?x=1#frag", 307),
      "https://third.example/d?x=1": () => redirect("e", 308),
      "https://third.example/e": () => html("<p>done</p>"),
    });
    expect(outcome).toMatchObject({
      kind: "fetched",
      page: { finalUrl: "https://third.example/e", body: "<p>done</p>" },
    });
    expect(requests.map((r) => r.url)).toEqual([
      START,
      "https://site.example/b",
      "https://other.example/c",
      "https://third.example/d?x=1",
      "https://third.example/e",
    ]);
    expect(requests.every((r) => r.redirect === "manual")).toBe(true);
  });

  it("fails a redirect loop with TOO_MANY_REDIRECTS after maxRedirects hops", async () => {
    const { outcome, requests } = await get(
      { [START]: () => redirect(START) },
      { maxRedirects: 3 },
    );
    expect(outcome).toMatchObject({ code: "TOO_MANY_REDIRECTS", status: 302, retryable: false });
    expect(requests).toHaveLength(4);
  });

  it("follows no redirect when maxRedirects is 0", async () => {
    const { outcome } = await get({ [START]: () => redirect("/b") }, { maxRedirects: 0 });
    expect(outcome).toMatchObject({ code: "TOO_MANY_REDIRECTS" });
  });

  it("fails a redirect without Location with FETCH_HTTP_ERROR", async () => {
    const { outcome } = await get({ [START]: () => page(null, {}, 302) });
    expect(outcome).toMatchObject({ code: "FETCH_HTTP_ERROR", status: 302, retryable: false });
  });

  // Header values are byte strings, so the Unicode spellings cannot travel in a Location.
  const redirectable = FORBIDDEN.filter(([, url]) => /^[\x21-\x7e]+$/.test(url.trim()));
  it.each(redirectable)(
    "fails a redirect to %s (%s) with REDIRECT_NOT_ALLOWED",
    async (_name, url) => {
      const { outcome, requests } = await get({ [START]: () => redirect(url.trim()) });
      expect(outcome).toMatchObject({
        kind: "failed",
        code: "REDIRECT_NOT_ALLOWED",
        status: 302,
        retryable: false,
      });
      if (outcome.kind === "failed") expect(outcome.message).toContain("URL_NOT_ALLOWED");
      expect(requests).toHaveLength(1);
    },
  );

  it.each([
    "file:///etc/passwd",
    "ftp://site.example/x",
    "javascript:alert(1)",
    "http://user:pw@site.example/",
  ])("fails a redirect to the invalid URL %s with REDIRECT_NOT_ALLOWED", async (location) => {
    const { outcome, requests } = await get({ [START]: () => redirect(location) });
    expect(outcome).toMatchObject({ code: "REDIRECT_NOT_ALLOWED", retryable: false });
    if (outcome.kind === "failed") expect(outcome.message).toContain("URL_INVALID");
    expect(requests).toHaveLength(1);
  });

  it("lets FETCH_ALLOW_HOSTS pairs through, hop by hop", async () => {
    const web = fakeWeb({
      "http://127.0.0.1:9000/a": () => redirect("/b"),
      "http://127.0.0.1:9000/b": () => redirect("http://localhost:9001/c"),
    });
    const options = {
      fetch: web.fetch,
      timeoutMs: 1000,
      maxBytes: 1024,
      maxRedirects: 5,
      userAgent: "t",
      allowHosts: new Set(["127.0.0.1:9000"]),
    };
    const outcome = await fetchPage("http://127.0.0.1:9000/a", options);
    expect(outcome).toMatchObject({ code: "REDIRECT_NOT_ALLOWED" });
    expect(web.requests.map((r) => r.url)).toEqual([
      "http://127.0.0.1:9000/a",
      "http://127.0.0.1:9000/b",
    ]);
  });
});

describe("fetchPage: time and size limits", () => {
  it("fails with FETCH_TIMEOUT when headers never arrive", async () => {
    const started = Date.now();
    const { outcome } = await get(
      { [START]: () => new Promise<Response>(() => {}) },
      { timeoutMs: 100 },
    );
    expect(outcome).toMatchObject({ code: "FETCH_TIMEOUT", status: null, retryable: true });
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it.each([true, false])(
    "fails a body that never ends with FETCH_TIMEOUT (stream honours abort: %s)",
    async (honours) => {
      const handler: Handler = (request) => {
        const body = new ReadableStream<Uint8Array>({
          start(c) {
            c.enqueue(bytes(...ascii("<html><body>")));
            if (honours)
              request.signal.addEventListener("abort", () => c.error(request.signal.reason));
          },
        });
        return page(body, { "content-type": "text/html" });
      };
      const { outcome } = await get({ [START]: handler }, { timeoutMs: 100 });
      expect(outcome).toMatchObject({ code: "FETCH_TIMEOUT", status: 200, retryable: true });
    },
  );

  it("counts the whole redirect chain against one timeout", async () => {
    const slowHop = (to: string) => async () => {
      await sleep(40);
      return redirect(to);
    };
    const { outcome, requests } = await get(
      {
        [START]: slowHop("/1"),
        "https://site.example/1": slowHop("/2"),
        "https://site.example/2": slowHop("/3"),
        "https://site.example/3": slowHop(START),
      },
      { timeoutMs: 100 },
    );
    expect(outcome).toMatchObject({ code: "FETCH_TIMEOUT" });
    expect(requests.length).toBeLessThan(5);
  });

  it("cuts off a streamed body past maxBytes with FETCH_TOO_LARGE", async () => {
    let pulled = 0;
    const cancel = vi.fn();
    const body = new ReadableStream<Uint8Array>({
      pull(c) {
        c.enqueue(new Uint8Array(4096).fill(97));
        pulled += 4096;
      },
      cancel,
    });
    const { outcome } = await get(
      { [START]: () => page(body, { "content-type": "text/plain" }) },
      { maxBytes: 10_000 },
    );
    expect(outcome).toMatchObject({ code: "FETCH_TOO_LARGE", status: 200, retryable: false });
    await vi.waitFor(() => expect(cancel).toHaveBeenCalled());
    expect(pulled).toBeLessThan(10_000 + 5 * 4096);
  });

  it("fails a declared Content-Length over maxBytes without reading", async () => {
    const pull = vi.fn();
    const body = new ReadableStream({ pull }, { highWaterMark: 0 });
    const { outcome } = await get(
      { [START]: () => page(body, { "content-type": "text/html", "content-length": "20000" }) },
      { maxBytes: 10_000 },
    );
    expect(outcome).toMatchObject({ code: "FETCH_TOO_LARGE", retryable: false });
    expect(pull).not.toHaveBeenCalled();
  });

  it("accepts a body of exactly maxBytes", async () => {
    const { outcome } = await get(
      { [START]: () => page(new Uint8Array(1000).fill(120), { "content-type": "text/plain" }) },
      { maxBytes: 1000 },
    );
    expect(outcome).toMatchObject({ kind: "fetched", page: { bytes: 1000 } });
  });
});
