// SSRF classifier: is this IP address one a feed fetcher must never connect to?
// Pure: string in, verdict out. The fetcher calls it for literal-IP URLs (which a DNS
// lookup hook never sees) and for every address a hostname resolves to.
import { isIP } from "node:net";

export interface AddressVerdict {
  blocked: boolean;
  reason?: string;
}

interface Range {
  family: 4 | 6;
  base: bigint;
  bits: number;
  reason: string;
}

// Cloud metadata endpoints are named on their own so the error says what was at stake.
// AWS IMDS (v4 and v6), ECS task metadata and credentials, Alibaba Cloud.
const METADATA = ["169.254.169.254", "fd00:ec2::254", "169.254.170.2", "169.254.170.23", "100.100.100.200"];

// IANA special-purpose registries (RFC 6890 and successors). Order matters only for the reason text.
const RANGES: Range[] = [
  v4("0.0.0.0", 8, "unspecified / this network (RFC 1122)"),
  v4("10.0.0.0", 8, "private (RFC 1918)"),
  v4("100.64.0.0", 10, "carrier-grade NAT (RFC 6598)"),
  v4("127.0.0.0", 8, "loopback"),
  v4("169.254.0.0", 16, "link-local"),
  v4("172.16.0.0", 12, "private (RFC 1918)"),
  v4("192.0.0.0", 24, "IETF protocol assignments (RFC 6890)"),
  v4("192.0.2.0", 24, "documentation (RFC 5737)"),
  v4("192.88.99.0", 24, "6to4 relay anycast (RFC 7526)"),
  v4("192.168.0.0", 16, "private (RFC 1918)"),
  v4("198.18.0.0", 15, "benchmarking (RFC 2544)"),
  v4("198.51.100.0", 24, "documentation (RFC 5737)"),
  v4("203.0.113.0", 24, "documentation (RFC 5737)"),
  v4("224.0.0.0", 4, "multicast"),
  v4("240.0.0.0", 4, "reserved / broadcast"),
  v6("::", 128, "unspecified"),
  v6("::1", 128, "loopback"),
  v6("64:ff9b:1::", 48, "local-use NAT64 (RFC 8215)"),
  v6("100::", 64, "discard-only (RFC 6666)"),
  v6("2001::", 23, "IETF protocol assignments incl. Teredo (RFC 2928, 4380)"),
  v6("2001:db8::", 32, "documentation (RFC 3849)"),
  v6("fc00::", 7, "unique-local (RFC 4193)"),
  v6("fe80::", 10, "link-local"),
  v6("fec0::", 10, "site-local (deprecated, RFC 3879)"),
  v6("ff00::", 8, "multicast"),
];

// IPv6 forms that carry an IPv4 address: the embedded address decides.
// IPv4-mapped ::ffff:a.b.c.d, IPv4-compatible ::a.b.c.d (deprecated), NAT64 64:ff9b::/96 (RFC 6052),
// 6to4 2002:AABB:CCDD::/16 (RFC 3056).
const EMBEDDED_V4: { base: bigint; bits: number; shift: bigint; form: string }[] = [
  { base: parse6("::ffff:0:0"), bits: 96, shift: 0n, form: "IPv4-mapped" },
  { base: parse6("::"), bits: 96, shift: 0n, form: "IPv4-compatible" },
  { base: parse6("64:ff9b::"), bits: 96, shift: 0n, form: "NAT64" },
  { base: parse6("2002::"), bits: 16, shift: 80n, form: "6to4" },
];

export function checkAddress(ip: string): AddressVerdict {
  // Zone ids (fe80::1%eth0) do not change the address class.
  const address = ip.trim().replace(/^\[|\]$/g, "").split("%")[0] ?? "";
  const family = isIP(address);
  if (family === 0) return { blocked: true, reason: `not an IP address: ${JSON.stringify(ip)}` };
  const value = family === 4 ? parse4(address) : parse6(address);
  const metadata = METADATA.find((m) => isIP(m) === family && (family === 4 ? parse4(m) : parse6(m)) === value);
  if (metadata) return { blocked: true, reason: `cloud metadata endpoint ${metadata}` };

  if (family === 6) {
    for (const e of EMBEDDED_V4) {
      if (!inRange(value, e.base, e.bits, 128)) continue;
      const embedded = format4(Number((value >> e.shift) & 0xffffffffn));
      // ::/96 also holds :: and ::1, which are classified as IPv6 below.
      if (e.form === "IPv4-compatible" && value <= 1n) break;
      const inner = checkAddress(embedded);
      return inner.blocked ? { blocked: true, reason: `${e.form} form of ${embedded}: ${inner.reason}` } : inner;
    }
    for (const r of RANGES) if (r.family === 6 && inRange(value, r.base, r.bits, 128)) return { blocked: true, reason: r.reason };
    return { blocked: false };
  }

  for (const r of RANGES) if (r.family === 4 && inRange(value, r.base, r.bits, 32)) return { blocked: true, reason: r.reason };
  return { blocked: false };
}

function v4(base: string, bits: number, reason: string): Range {
  return { family: 4, base: parse4(base), bits, reason };
}

function v6(base: string, bits: number, reason: string): Range {
  return { family: 6, base: parse6(base), bits, reason };
}

function inRange(value: bigint, base: bigint, bits: number, width: number): boolean {
  const shift = BigInt(width - bits);
  return value >> shift === base >> shift;
}

function parse4(ip: string): bigint {
  return ip.split(".").reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
}

function format4(value: number): string {
  return [24, 16, 8, 0].map((s) => (value >>> s) & 0xff).join(".");
}

/** Expands an IPv6 address (with optional dotted IPv4 tail) into a 128-bit integer. */
function parse6(ip: string): bigint {
  let text = ip.toLowerCase();
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted?.[1]) {
    const n = Number(parse4(dotted[1]));
    text = text.slice(0, -dotted[1].length) + `${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const [head = "", tail] = text.split("::");
  const headParts = head ? head.split(":") : [];
  const tailParts = tail ? tail.split(":") : [];
  const missing = 8 - headParts.length - tailParts.length;
  const groups = tail === undefined ? headParts : [...headParts, ...Array<string>(missing).fill("0"), ...tailParts];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g || "0", 16)), 0n);
}
