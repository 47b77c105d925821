import { ErrorCode, MAX_URL_LENGTH } from "./constants";
import { METADATA_ENDPOINTS } from "./metadata";

/**
 * URL intake: validation, normalization and SSRF screening of the target address.
 *
 * Parsing is left to the WHATWG `URL` parser, which already canonicalizes every IPv4 spelling
 * (decimal `2130706433`, octal `0177.0.0.1`, hex `0x7f.1`, short `127.1`, percent-encoded and
 * full-width digits), compresses IPv6, lower-cases hosts, maps IDN to punycode and drops default
 * ports. What remains here is the policy: the canonical host is classified against the IANA
 * special-purpose registries, default-deny for IPv6 outside global unicast.
 *
 * Decisions:
 * - Credentials (`http://user:pass@host`) are rejected, not stripped: stripping changes what the
 *   page answers, and keeping them would store a secret in the database.
 * - Trailing dots are removed (`example.com.` is the same DNS name as `example.com`).
 * - Cloud metadata and platform endpoints (`metadata.ts`) are refused by exact address or name,
 *   before the range tables, so the refusal names the endpoint.
 * - Single-label names (`http://metadata/`, `http://intranet/`) and names under TLDs reserved for
 *   private networks (`.localhost`, `.local`, `.internal` incl. `metadata.google.internal`,
 *   `.home.arpa`, `.lan`, ...) are rejected: they only resolve through a local resolver.
 * - DNS rebinding (a public name that resolves to a private address) cannot be checked here:
 *   Workers have no DNS API that runs before `fetch` connects. Cloudflare's edge does not route
 *   Worker subrequests to private ranges, which closes that gap in production.
 */

export type UrlCheck =
  | { ok: true; url: string }
  | { ok: false; code: "URL_INVALID" | "URL_NOT_ALLOWED"; message: string };

export interface NormalizeOptions {
  /** `host:port` pairs exempt from the address screen, for local testing only. */
  allowHosts?: ReadonlySet<string>;
}

const DEFAULT_PORTS: Readonly<Record<string, string>> = { "http:": "80", "https:": "443" };

/** TLDs (and the `home.arpa` zone) reserved for local or private networks. */
const PRIVATE_SUFFIXES = [
  "localhost",
  "local",
  "localdomain",
  "internal",
  "home.arpa",
  "lan",
  "intranet",
  "corp",
  "home",
  "private",
];

type Cidr4 = { base: number; bits: number; label: string };
type Cidr6 = { base: bigint; bits: bigint; label: string };

/** IPv4 blocks that are not globally reachable (IANA IPv4 special-purpose registry). */
const IPV4_BLOCKS: readonly Cidr4[] = (
  [
    ["0.0.0.0/8", "unspecified / this-network address"],
    ["10.0.0.0/8", "private address"],
    ["100.64.0.0/10", "carrier-grade NAT address"],
    ["127.0.0.0/8", "loopback address"],
    ["169.254.0.0/16", "link-local or cloud metadata address"],
    ["172.16.0.0/12", "private address"],
    ["192.0.0.0/24", "IETF protocol assignment"],
    ["192.0.2.0/24", "documentation address"],
    ["192.88.99.0/24", "6to4 relay anycast address"],
    ["192.168.0.0/16", "private address"],
    ["198.18.0.0/15", "benchmarking address"],
    ["198.51.100.0/24", "documentation address"],
    ["203.0.113.0/24", "documentation address"],
    ["224.0.0.0/4", "multicast address"],
    ["240.0.0.0/4", "reserved or broadcast address"],
  ] as const
).map(([cidr, label]) => {
  const [ip, bits] = cidr.split("/");
  return { base: ipv4ToInt(ip ?? "") ?? 0, bits: Number(bits), label };
});

/** IPv6 blocks refused outright; anything outside 2000::/3 is refused as well. */
const IPV6_BLOCKS: readonly Cidr6[] = (
  [
    ["64:ff9b:1::/48", "local-use NAT64 address"],
    ["100::/64", "discard-only address"],
    ["2001::/23", "IETF protocol assignment (Teredo, ORCHID, benchmarking)"],
    ["2001:db8::/32", "documentation address"],
    ["3fff::/20", "documentation address"],
    ["fc00::/7", "unique-local address"],
    ["fe80::/10", "link-local address"],
    ["fec0::/10", "site-local address"],
    ["ff00::/8", "multicast address"],
  ] as const
).map(([cidr, label]) => {
  const [ip, bits] = cidr.split("/");
  return { base: ipv6ToBigInt(parseIpv6(ip ?? "") ?? []), bits: BigInt(bits ?? 0), label };
});

/** The metadata table by canonical key: IPv4 as a number, IPv6 as a bigint, names as text. */
const METADATA = new Map<number | bigint | string, string>(
  METADATA_ENDPOINTS.map(([host, provider]) => {
    const v4 = ipv4ToInt(host);
    const v6 = v4 === null ? parseIpv6(host) : null;
    const key = v4 ?? (v6 ? ipv6ToBigInt(v6) : host);
    return [key, `cloud metadata endpoint (${provider})`];
  }),
);

function metadataVerdict(key: number | bigint | string): Verdict | null {
  const reason = METADATA.get(key);
  return reason === undefined ? null : { kind: "forbidden", reason };
}

/**
 * Validates and normalizes a URL submitted for ingestion (also used on every redirect hop).
 *
 * @example
 * ```ts
 * normalizeUrl("HTTP://Bücher.example:80/a?b#c"); // { ok: true, url: "http://xn--bcher-kva.example/a?b" }
 * normalizeUrl("http://0x7f.1/");                  // { ok: false, code: "URL_NOT_ALLOWED", ... }
 * ```
 */
export function normalizeUrl(input: string, options: NormalizeOptions = {}): UrlCheck {
  const trimmed = input.trim();
  if (trimmed.length === 0) return invalid("URL is empty");
  if (trimmed.length > MAX_URL_LENGTH) {
    return invalid(`URL is longer than ${MAX_URL_LENGTH} characters`);
  }
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    return invalid("not an absolute URL");
  }
  const defaultPort = DEFAULT_PORTS[url.protocol];
  if (defaultPort === undefined) return invalid("only http and https URLs are accepted");
  if (url.username !== "" || url.password !== "") {
    return invalid("URLs with credentials (user:password@) are not accepted");
  }
  if (url.port === "0") return invalid("port 0 is not a valid port");
  url.hash = "";

  const stripped = url.hostname.replace(/\.+$/, "");
  if (stripped !== url.hostname) {
    // The setter re-runs the host parser, so `0x7f.1..` becomes `127.0.0.1` here; it silently
    // keeps the old host when the new one does not parse, hence the check after it.
    url.hostname = stripped;
    if (url.hostname.endsWith(".")) return invalid("host name is malformed");
  }

  const host = url.hostname;
  const verdict = classifyHost(host);
  if (verdict.kind === "invalid") return invalid(verdict.reason);
  const exempt = options.allowHosts?.has(`${host}:${url.port || defaultPort}`) ?? false;
  if (verdict.kind === "forbidden" && !exempt) {
    return {
      ok: false,
      code: ErrorCode.URL_NOT_ALLOWED,
      message: `target ${host} is not allowed: ${verdict.reason}`,
    };
  }
  if (url.href.length > MAX_URL_LENGTH) {
    return invalid(`normalized URL is longer than ${MAX_URL_LENGTH} characters`);
  }
  return { ok: true, url: url.href };
}

/**
 * Parses `FETCH_ALLOW_HOSTS` (comma-separated `host:port` pairs) into the canonical keys that
 * `normalizeUrl` compares against. Throws on a malformed entry so a typo fails at startup.
 *
 * @example
 * ```ts
 * parseAllowHosts("127.0.0.1:9000, LOCALHOST:8080"); // Set { "127.0.0.1:9000", "localhost:8080" }
 * ```
 */
export function parseAllowHosts(value: string | undefined): ReadonlySet<string> {
  const hosts = new Set<string>();
  for (const part of (value ?? "").split(",")) {
    const entry = part.trim();
    if (entry === "") continue;
    const fail = () => new Error(`FETCH_ALLOW_HOSTS: "${entry}" is not a host:port pair`);
    if (!/:\d{1,5}$/.test(entry)) throw fail();
    let url: URL;
    try {
      url = new URL(`http://${entry}`);
    } catch {
      throw fail();
    }
    if (url.username !== "" || url.pathname !== "/" || url.search !== "") throw fail();
    if (url.port === "0") throw fail();
    const host = url.hostname.replace(/\.+$/, "");
    // Port 80 is the http default, which the parser drops from `url.port`.
    hosts.add(`${host}:${url.port || "80"}`);
  }
  return hosts;
}

type Verdict = { kind: "public" } | { kind: "invalid" | "forbidden"; reason: string };

const PUBLIC: Verdict = { kind: "public" };

function classifyHost(host: string): Verdict {
  if (host.startsWith("[")) {
    const groups = parseIpv6(host.slice(1, -1));
    // The parser only hands out canonical IPv6 text; anything else is refused, not guessed at.
    if (groups === null) return { kind: "forbidden", reason: "unrecognized IPv6 address" };
    return classifyIpv6(groups);
  }
  const v4 = /^\d+\.\d+\.\d+\.\d+$/.test(host) ? ipv4ToInt(host) : null;
  if (v4 !== null) return classifyIpv4(v4);
  return classifyName(host);
}

function classifyName(host: string): Verdict {
  const labels = host.split(".");
  if (host.length > 253 || labels.some((label) => label.length === 0 || label.length > 63)) {
    return { kind: "invalid", reason: "host name is malformed" };
  }
  const metadata = metadataVerdict(host);
  if (metadata) return metadata;
  for (const suffix of PRIVATE_SUFFIXES) {
    if (host === suffix || host.endsWith(`.${suffix}`)) {
      return { kind: "forbidden", reason: `host name reserved for local networks (.${suffix})` };
    }
  }
  if (labels.length === 1) {
    return { kind: "forbidden", reason: "single-label host name (resolves only locally)" };
  }
  return PUBLIC;
}

function classifyIpv4(ip: number): Verdict {
  const metadata = metadataVerdict(ip);
  if (metadata) return metadata;
  for (const block of IPV4_BLOCKS) {
    if ((ip ^ block.base) >>> (32 - block.bits) === 0) {
      return { kind: "forbidden", reason: block.label };
    }
  }
  return PUBLIC;
}

function classifyIpv6(g: readonly number[]): Verdict {
  const zeros = (from: number, to: number) => g.slice(from, to).every((x) => x === 0);
  const embedded = (hi: number, lo: number, kind: string): Verdict => {
    const inner = classifyIpv4(((hi << 16) | lo) >>> 0);
    return inner.kind === "public"
      ? inner
      : { kind: "forbidden", reason: `${kind} ${inner.reason}` };
  };
  if (zeros(0, 8)) return { kind: "forbidden", reason: "unspecified address" };
  if (zeros(0, 7) && g[7] === 1) return { kind: "forbidden", reason: "loopback address" };
  if (zeros(0, 5) && g[5] === 0xffff) return embedded(g[6] ?? 0, g[7] ?? 0, "IPv4-mapped");
  if (zeros(0, 4) && g[4] === 0xffff && g[5] === 0) {
    return embedded(g[6] ?? 0, g[7] ?? 0, "IPv4-translated");
  }
  if (zeros(0, 6)) return { kind: "forbidden", reason: "IPv4-compatible address (deprecated)" };
  if (g[0] === 0x64 && g[1] === 0xff9b && zeros(2, 6)) {
    return embedded(g[6] ?? 0, g[7] ?? 0, "NAT64-embedded");
  }
  if (g[0] === 0x2002) return embedded(g[1] ?? 0, g[2] ?? 0, "6to4-embedded");
  const ip = ipv6ToBigInt(g);
  const metadata = metadataVerdict(ip);
  if (metadata) return metadata;
  for (const block of IPV6_BLOCKS) {
    const shift = 128n - block.bits;
    if (ip >> shift === block.base >> shift) return { kind: "forbidden", reason: block.label };
  }
  if (ip >> 125n !== 1n) return { kind: "forbidden", reason: "reserved IPv6 address" };
  return PUBLIC;
}

function ipv4ToInt(text: string): number | null {
  const parts = text.split(".");
  if (parts.length !== 4) return null;
  let value = 0;
  for (const part of parts) {
    const octet = Number(part);
    if (!/^\d{1,3}$/.test(part) || octet > 255) return null;
    value = value * 256 + octet;
  }
  return value;
}

/** Parses canonical (URL-serialized) IPv6 text, without brackets, into eight 16-bit groups. */
function parseIpv6(text: string): number[] | null {
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const head = halves[0] ? halves[0].split(":") : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(":") : [];
  const gap = 8 - head.length - tail.length;
  if (halves.length === 1 ? gap !== 0 : gap < 1) return null;
  const groups = [...head, ...Array<string>(halves.length === 2 ? gap : 0).fill("0"), ...tail];
  if (!groups.every((group) => /^[0-9a-f]{1,4}$/i.test(group))) return null;
  return groups.map((group) => Number.parseInt(group, 16));
}

function ipv6ToBigInt(groups: readonly number[]): bigint {
  return groups.reduce((acc, group) => (acc << 16n) | BigInt(group), 0n);
}

function invalid(message: string): UrlCheck {
  return { ok: false, code: ErrorCode.URL_INVALID, message };
}
