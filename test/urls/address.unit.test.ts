import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { normalizeUrl, parseAllowHosts } from "../../src/urls/address";
import { FORBIDDEN, ipv4Spellings, METADATA_SPELLINGS } from "./ssrf-cases";

const INVALID: ReadonlyArray<readonly [name: string, url: string]> = [
  ["empty string", ""],
  ["whitespace only", "   "],
  ["no scheme", "example.com/page"],
  ["scheme-relative", "//example.com/"],
  ["ftp scheme", "ftp://example.com/"],
  ["file scheme", "file:///etc/passwd"],
  ["javascript scheme", "javascript:alert(1)"],
  ["data scheme", "data:text/html,hi"],
  ["websocket scheme", "ws://example.com/"],
  ["no host", "http://"],
  ["credentials", "http://user:pass@example.com/"],
  ["username only", "http://user@example.com/"],
  ["credentials that look like a host", "http://example.com@127.0.0.1/"],
  ["port 0", "http://example.com:0/"],
  ["port out of range", "http://example.com:65536/"],
  ["leading empty label", "http://.example.com/"],
  ["empty label inside", "http://a..example.com/"],
  ["label longer than 63", `http://${"a".repeat(64)}.com/`],
  ["five-part numeric host", "http://1.1.1.1.1/"],
  ["IPv6 zone id", "http://[fe80::1%25eth0]/"],
  ["space in host", "http://exa mple.com/"],
  ["2049 characters", `https://example.com/${"a".repeat(2049 - 20)}`],
];

const NORMALIZED: ReadonlyArray<readonly [input: string, expected: string]> = [
  ["https://example.com", "https://example.com/"],
  ["HTTP://EXAMPLE.COM/Path?Q=1", "http://example.com/Path?Q=1"],
  ["http://example.com:80/", "http://example.com/"],
  ["https://example.com:443/a", "https://example.com/a"],
  ["http://example.com:8080/", "http://example.com:8080/"],
  ["https://example.com:80/", "https://example.com:80/"],
  ["http://example.com/a#frag", "http://example.com/a"],
  ["http://example.com/#", "http://example.com/"],
  ["http://example.com./a", "http://example.com/a"],
  ["http://Example.COM../a", "http://example.com/a"],
  ["http://bücher.de/", "http://xn--bcher-kva.de/"],
  ["https://例え.jp/", "https://xn--r8jz45g.jp/"],
  ["  https://example.com/x  ", "https://example.com/x"],
  ["http://example.com/a b", "http://example.com/a%20b"],
  ["http://example.com/?b=2&a=1", "http://example.com/?b=2&a=1"],
  ["http://example.com/A/../B/./c", "http://example.com/B/c"],
  ["http://8.8.8.8/", "http://8.8.8.8/"],
  ["http://134744072/", "http://8.8.8.8/"],
  ["http://[2606:4700:4700::1111]/", "http://[2606:4700:4700::1111]/"],
  ["http://[::ffff:8.8.8.8]/", "http://[::ffff:808:808]/"],
  ["http://[64:ff9b::8.8.8.8]/", "http://[64:ff9b::808:808]/"],
  ["http://[2002:808:808::1]/", "http://[2002:808:808::1]/"],
  ["http://172.32.0.1/", "http://172.32.0.1/"],
  ["http://100.128.0.1/", "http://100.128.0.1/"],
  ["http://169.255.0.1/", "http://169.255.0.1/"],
  ["http://example.com#@127.0.0.1", "http://example.com/"],
  ["http://localhost.example.com/", "http://localhost.example.com/"],
  ["http://metadata.google.internal.example.com/", "http://metadata.google.internal.example.com/"],
];

describe("normalizeUrl rejects forbidden targets", () => {
  it.each(FORBIDDEN)("%s (%s) is URL_NOT_ALLOWED", (_name, url) => {
    const result = normalizeUrl(url);
    expect(result).toMatchObject({ ok: false, code: "URL_NOT_ALLOWED" });
    if (!result.ok) expect(result.message).toMatch(/is not allowed: \S+/);
  });

  it("covers at least 30 spellings", () => {
    expect(FORBIDDEN.length).toBeGreaterThanOrEqual(30);
  });
});

describe("normalizeUrl refuses every cloud metadata endpoint by name", () => {
  it.each(METADATA_SPELLINGS)("%s", (_name, url) => {
    const result = normalizeUrl(url);
    expect(result).toMatchObject({ ok: false, code: "URL_NOT_ALLOWED" });
    if (!result.ok) expect(result.message).toContain("cloud metadata endpoint");
  });

  it("covers Azure's WireServer, which no address range refuses", () => {
    const urls = METADATA_SPELLINGS.map(([, url]) => url);
    expect(urls).toContain("http://168.63.129.16:32526/");
    expect(urls).toContain("http://2822734096/");
  });
});

describe("normalizeUrl rejects malformed input", () => {
  it.each(INVALID)("%s is URL_INVALID", (_name, url) => {
    expect(normalizeUrl(url)).toMatchObject({ ok: false, code: "URL_INVALID" });
  });

  it("accepts exactly 2048 characters", () => {
    const url = `https://example.com/${"a".repeat(2048 - 20)}`;
    expect(url).toHaveLength(2048);
    expect(normalizeUrl(url)).toEqual({ ok: true, url });
  });

  it("rejects a URL that grows past 2048 characters when normalized", () => {
    const url = `https://example.com/${"é".repeat(1000)}`;
    expect(url.length).toBeLessThanOrEqual(2048);
    expect(normalizeUrl(url)).toMatchObject({ ok: false, code: "URL_INVALID" });
  });
});

describe("normalizeUrl normalizes allowed URLs", () => {
  it.each(NORMALIZED)("%s becomes %s", (input, expected) => {
    expect(normalizeUrl(input)).toEqual({ ok: true, url: expected });
  });
});

describe("FETCH_ALLOW_HOSTS exemption", () => {
  const allowHosts = parseAllowHosts("127.0.0.1:9000, LOCALHOST:8080,[::1]:8443 ,,localhost:80");

  it("parses entries into canonical host:port keys", () => {
    expect([...allowHosts].sort()).toEqual([
      "127.0.0.1:9000",
      "[::1]:8443",
      "localhost:80",
      "localhost:8080",
    ]);
    expect(parseAllowHosts(undefined).size).toBe(0);
    expect(parseAllowHosts(" ").size).toBe(0);
    expect([...parseAllowHosts("0x7f.1:9000")]).toEqual(["127.0.0.1:9000"]);
  });

  it.each([
    ["http://127.0.0.1:9000/page", "http://127.0.0.1:9000/page"],
    ["http://2130706433:9000/", "http://127.0.0.1:9000/"],
    ["http://localhost:8080/x#y", "http://localhost:8080/x"],
    ["https://LocalHost.:8080/", "https://localhost:8080/"],
    ["http://localhost/", "http://localhost/"],
    ["https://[::1]:8443/", "https://[::1]:8443/"],
  ])("exempts %s", (input, expected) => {
    expect(normalizeUrl(input, { allowHosts })).toEqual({ ok: true, url: expected });
  });

  it.each([
    "http://127.0.0.1:9001/",
    "http://127.0.0.1/",
    "https://localhost/",
    "http://api.localhost:8080/",
    "http://[::1]:8080/",
  ])("does not exempt other host:port pairs such as %s", (input) => {
    expect(normalizeUrl(input, { allowHosts })).toMatchObject({ code: "URL_NOT_ALLOWED" });
  });

  it("does not exempt malformed URLs", () => {
    const result = normalizeUrl("http://u:p@localhost:8080/", { allowHosts });
    expect(result).toMatchObject({ ok: false, code: "URL_INVALID" });
  });

  it.each(["localhost", "http://localhost:1", "localhost:8080/x", "a:b:c", "localhost:0", "u@h:1"])(
    "throws on the malformed entry %s",
    (entry) => {
      expect(() => parseAllowHosts(entry)).toThrow(/FETCH_ALLOW_HOSTS/);
    },
  );
});

describe("properties", () => {
  it("normalization is idempotent", () => {
    const url = fc.webUrl({
      validSchemes: ["http", "https"],
      authoritySettings: { withIPv4: true, withIPv6: true, withIPv4Extended: true, withPort: true },
      withQueryParameters: true,
      withFragments: true,
    });
    fc.assert(
      fc.property(url, (input) => {
        const once = normalizeUrl(input);
        if (!once.ok) return;
        expect(normalizeUrl(once.url)).toEqual(once);
        expect(once.url).not.toContain("#");
        expect(once.url.length).toBeLessThanOrEqual(2048);
      }),
      { numRuns: 2000 },
    );
  });

  it("normalization is idempotent for mixed-case, trailing-dot and IDN hosts", () => {
    const label = fc.oneof(
      fc.domain(),
      fc.string({ unit: "grapheme", minLength: 1, maxLength: 6 }).map((l) => `${l}.example`),
    );
    const input = fc
      .record({
        scheme: fc.constantFrom("http", "HTTPS", "hTTp"),
        host: label,
        upper: fc.boolean(),
        dots: fc.integer({ min: 0, max: 2 }),
        port: fc.option(fc.integer({ min: 1, max: 65535 })),
        path: fc.webPath(),
        query: fc.option(fc.webQueryParameters()),
        fragment: fc.option(fc.webFragments()),
      })
      .map((u) => {
        const host = (u.upper ? u.host.toUpperCase() : u.host) + ".".repeat(u.dots);
        const port = u.port === null ? "" : `:${u.port}`;
        const query = u.query === null ? "" : `?${u.query}`;
        const fragment = u.fragment === null ? "" : `#${u.fragment}`;
        return `${u.scheme}://${host}${port}${u.path}${query}${fragment}`;
      });
    fc.assert(
      fc.property(input, (raw) => {
        const once = normalizeUrl(raw);
        if (!once.ok) return;
        expect(normalizeUrl(once.url)).toEqual(once);
        expect(new URL(once.url).hostname).not.toMatch(/[A-Z]|\.$/);
      }),
      { numRuns: 2000 },
    );
  });

  const byte = fc.integer({ min: 0, max: 255 });
  const address = fc
    .tuple(byte, byte, byte, byte)
    .map(([a, b, c, d]) => ((a << 24) | (b << 16) | (c << 8) | d) >>> 0);

  it("the verdict on an IPv4 address does not depend on its spelling", () => {
    fc.assert(
      fc.property(address, (n) => {
        const results = ipv4Spellings(n).map((host) => normalizeUrl(`http://${host}/`));
        expect(new Set(results.map((r) => (r.ok ? "ok" : r.code))).size).toBe(1);
        const dotted = results.flatMap((r) => (r.ok && !r.url.includes("[") ? [r.url] : []));
        expect(new Set(dotted).size).toBeLessThanOrEqual(1);
      }),
      { numRuns: 1000 },
    );
  });

  it("every spelling of an address in a forbidden range is rejected", () => {
    const block = (base: number, bits: number) =>
      fc.integer({ min: 0, max: 2 ** (32 - bits) - 1 }).map((x) => (base + x) >>> 0);
    const forbidden = fc.oneof(
      block(0x00000000, 8),
      block(0x0a000000, 8),
      block(0x64400000, 10),
      block(0x7f000000, 8),
      block(0xa9fe0000, 16),
      block(0xac100000, 12),
      block(0xc0a80000, 16),
      block(0xe0000000, 4),
      block(0xf0000000, 4),
    );
    fc.assert(
      fc.property(forbidden, (n) => {
        for (const host of ipv4Spellings(n)) {
          expect(normalizeUrl(`http://${host}/`)).toMatchObject({ code: "URL_NOT_ALLOWED" });
        }
      }),
      { numRuns: 500 },
    );
  });
});
