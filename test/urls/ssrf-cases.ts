import { METADATA_ENDPOINTS } from "../../src/urls/metadata";

/**
 * Spellings of forbidden targets (loopback, private, link-local, CGNAT, multicast, unspecified,
 * metadata), shared by the intake tests and the fetcher's redirect tests.
 */
export const FORBIDDEN: ReadonlyArray<readonly [name: string, url: string]> = [
  ["loopback dotted", "http://127.0.0.1/"],
  ["loopback with port and path", "http://127.0.0.1:8080/admin"],
  ["loopback https on 443", "https://127.0.0.1:443/"],
  ["loopback short form 127.1", "http://127.1/"],
  ["loopback short form 127.0.1", "http://127.0.1/"],
  ["loopback decimal 2130706433", "http://2130706433/"],
  ["loopback hex 0x7f000001", "http://0x7f000001/"],
  ["loopback upper-case hex 0X7F000001", "http://0X7F000001/"],
  ["loopback dotted hex", "http://0x7f.0x0.0x0.0x1/"],
  ["loopback octal 0177.0.0.1", "http://0177.0.0.1/"],
  ["loopback octal 017700000001", "http://017700000001/"],
  ["loopback mixed hex short 0x7f.1", "http://0x7f.1/"],
  ["loopback trailing dot", "http://127.0.0.1./"],
  ["loopback two trailing dots", "http://127.0.0.1../"],
  ["loopback hex short with trailing dots", "http://0x7f.1../"],
  ["loopback percent-encoded", "http://%31%32%37.0.0.1/"],
  ["loopback full-width digits", "http://１２７.０.０.１/"],
  ["loopback ideographic full stops", "http://127。0。0。1/"],
  ["loopback 127.255.255.254", "http://127.255.255.254/"],
  ["loopback upper-case scheme", "HTTP://127.0.0.1/"],
  ["loopback with backslashes", "http:\\\\127.0.0.1\\x"],
  ["loopback with a single slash", "http:/127.0.0.1/"],
  ["loopback hiding @host in the fragment", "http://127.0.0.1#@example.com/"],
  ["loopback padded with whitespace", "  http://127.0.0.1/  "],
  ["unspecified 0.0.0.0", "http://0.0.0.0/"],
  ["unspecified short 0", "http://0/"],
  ["unspecified hex 0x0", "http://0x0/"],
  ["private 10.0.0.1", "http://10.0.0.1/"],
  ["private 10.255.255.255", "http://10.255.255.255/"],
  ["private octal 012.0.0.1", "http://012.0.0.1/"],
  ["private 172.16.0.1", "http://172.16.0.1/"],
  ["private 172.31.255.255", "http://172.31.255.255/"],
  ["private 192.168.1.1", "http://192.168.1.1/"],
  ["private decimal 3232235777", "http://3232235777/"],
  ["private hex 0xc0a80101", "http://0xc0a80101/"],
  ["CGNAT 100.64.0.1", "http://100.64.0.1/"],
  ["CGNAT 100.127.255.254", "http://100.127.255.254/"],
  ["Alibaba metadata 100.100.100.200", "http://100.100.100.200/latest/meta-data/"],
  ["cloud metadata 169.254.169.254", "http://169.254.169.254/latest/meta-data/"],
  ["cloud metadata decimal 2852039166", "http://2852039166/"],
  ["cloud metadata dotted hex", "http://0xa9.0xfe.0xa9.0xfe/"],
  ["cloud metadata dotted octal", "http://0251.0376.0251.0376/"],
  ["cloud metadata short 169.254.43518", "http://169.254.43518/"],
  ["link-local 169.254.0.1", "http://169.254.0.1/"],
  ["Oracle metadata 192.0.0.192", "http://192.0.0.192/"],
  ["Azure WireServer 168.63.129.16", "http://168.63.129.16/"],
  ["Azure host agent 168.63.129.16:32526", "http://168.63.129.16:32526/vmSettings"],
  ["Azure WireServer decimal", "http://2822734096/"],
  ["AWS ECS task metadata 169.254.170.2", "http://169.254.170.2/v2/credentials"],
  ["benchmarking 198.18.0.1", "http://198.18.0.1/"],
  ["documentation 192.0.2.1", "http://192.0.2.1/"],
  ["multicast 224.0.0.1", "http://224.0.0.1/"],
  ["multicast SSDP 239.255.255.250", "http://239.255.255.250/"],
  ["reserved 240.0.0.1", "http://240.0.0.1/"],
  ["broadcast 255.255.255.255", "http://255.255.255.255/"],
  ["broadcast decimal 4294967295", "http://4294967295/"],
  ["IPv6 loopback ::1", "http://[::1]/"],
  ["IPv6 loopback with port", "http://[::1]:8080/"],
  ["IPv6 loopback long form", "http://[0:0:0:0:0:0:0:1]/"],
  ["IPv6 unspecified ::", "http://[::]/"],
  ["IPv4-mapped loopback dotted", "http://[::ffff:127.0.0.1]/"],
  ["IPv4-mapped loopback hex", "http://[::ffff:7f00:1]/"],
  ["IPv4-mapped metadata", "http://[::ffff:169.254.169.254]/"],
  ["IPv4-mapped private", "http://[::ffff:10.0.0.1]/"],
  ["IPv4-mapped unspecified", "http://[::ffff:0.0.0.0]/"],
  ["IPv4-translated loopback", "http://[::ffff:0:7f00:1]/"],
  ["IPv4-compatible loopback", "http://[::127.0.0.1]/"],
  ["NAT64 loopback", "http://[64:ff9b::127.0.0.1]/"],
  ["NAT64 metadata", "http://[64:ff9b::a9fe:a9fe]/"],
  ["NAT64 local-use prefix", "http://[64:ff9b:1::808:808]/"],
  ["6to4 loopback", "http://[2002:7f00:1::]/"],
  ["IPv6 unique-local fc00::1", "http://[fc00::1]/"],
  ["AWS IPv6 metadata fd00:ec2::254", "http://[fd00:ec2::254]/"],
  ["IPv6 link-local fe80::1", "http://[fe80::1]/"],
  ["IPv6 link-local upper edge febf::1", "http://[febf::1]/"],
  ["IPv6 site-local fec0::1", "http://[fec0::1]/"],
  ["IPv6 multicast ff02::1", "http://[ff02::1]/"],
  ["IPv6 documentation 2001:db8::1", "http://[2001:db8::1]/"],
  ["IPv6 Teredo 2001::1", "http://[2001::1]/"],
  ["IPv6 discard-only 100::1", "http://[100::1]/"],
  ["IPv6 outside global unicast 4000::1", "http://[4000::1]/"],
  ["localhost", "http://localhost/"],
  ["LOCALHOST upper-case", "http://LOCALHOST/"],
  ["localhost with port", "http://localhost:3000/"],
  ["localhost trailing dot", "http://localhost./"],
  ["localhost percent-encoded trailing dot", "http://localhost%2e/"],
  ["localhost with compatibility character", "http://ⓛocalhost/"],
  ["subdomain of localhost", "http://api.localhost/"],
  ["subdomain of localhost with trailing dot", "http://a.b.localhost./"],
  ["GCP metadata host", "http://metadata.google.internal/computeMetadata/v1/"],
  ["single-label metadata", "http://metadata/"],
  ["single-label AWS instance-data", "http://instance-data/latest/"],
  ["mDNS .local", "http://printer.local/"],
  ["home.arpa", "http://router.home.arpa/"],
];

/** Writes one IPv4 address in the many spellings the WHATWG parser accepts. */
export function ipv4Spellings(n: number): string[] {
  const o = [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255] as const;
  return [
    o.join("."),
    String(n),
    `0x${n.toString(16)}`,
    `0${n.toString(8)}`,
    o.map((x) => `0x${x.toString(16)}`).join("."),
    o.map((x) => `0${x.toString(8)}`).join("."),
    `${o[0]}.${o[1]}.${(o[2] << 8) | o[3]}`,
    `${o[0]}.${n & 0xffffff}`,
    `${o.join(".")}.`,
    `[::ffff:${o.join(".")}]`,
  ];
}

/** Eight 16-bit groups of IPv6 text (test input only, so no validation). */
function expandIpv6(text: string): string {
  const [head = "", tail = ""] = text.split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const zeros = Array<string>(8 - left.length - right.length).fill("0");
  return [...left, ...zeros, ...right].map((g) => g.padStart(4, "0")).join(":");
}

/**
 * Every entry of the metadata table (src/urls/metadata.ts) in its spellings: IPv4 in decimal,
 * hex, octal, short and IPv4-mapped forms, IPv6 expanded and upper-case, names upper-case and
 * with a trailing dot; each also with the ports the table names and with https.
 */
export const METADATA_SPELLINGS: ReadonlyArray<readonly [name: string, url: string]> =
  METADATA_ENDPOINTS.flatMap(([host, provider, ports = []]) => {
    const octets = host.split(".");
    const isV4 = octets.length === 4 && octets.every((o) => /^\d+$/.test(o));
    const hosts = isV4
      ? ipv4Spellings(octets.reduce((n, o) => n * 256 + Number(o), 0))
      : host.includes(":")
        ? [`[${host}]`, `[${expandIpv6(host)}]`, `[${host.toUpperCase()}]`]
        : [host, host.toUpperCase(), `${host}.`];
    const first = hosts[0] ?? host;
    const urls = [
      ...hosts.map((h) => `http://${h}/`),
      `https://${first}/`,
      ...ports.map((port) => `http://${first}:${port}/`),
    ];
    return urls.map((url) => [`${provider}: ${url}`, url] as const);
  });
