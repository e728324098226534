// SSRF guard (RELIABILITY cases 9, 18–21): literal addresses, resolved addresses, every hop, rebinding.
import { createServer, type Server } from "node:http";
import type { LookupAddress } from "node:dns";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FetchSettings } from "../shared/config.js";
import { checkAddress, readFeed, type ReadResult, type ResolvedAddress } from "../shared/feeds/index.js";
import { guardedLookup } from "../shared/feeds/fetch-feed.js";

const FEED = '<rss version="2.0"><channel><item><title>One</title><guid>1</guid></item></channel></rss>';
const settings: FetchSettings = {
  timeoutMs: 1_000,
  connectTimeoutMs: 300,
  maxBodyBytes: 64 * 1024,
  maxRedirects: 5,
  concurrency: 1,
  userAgent: "newswatch-test/1.0",
  allowPrivateNetwork: false,
  maxItemsPerFeed: 50,
};
const NO_VALIDATORS = { etag: null, lastModified: null };
const codeOf = (r: ReadResult) => (r.kind === "error" ? r.error.code : r.kind);
/** Treats the loopback test server as public so later hops can be tested (the literal 127.0.0.1:9001 runtime-API case is covered above); everything else is real. */
const loopbackIsPublic = (ip: string) => (ip === "127.0.0.1" ? { blocked: false } : checkAddress(ip));
const resolveTo = (...addresses: string[]) => async (): Promise<ResolvedAddress[]> =>
  addresses.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));

let server: Server;
let port = 0;
let requests = 0;
const redirects = new Map<string, string>();

beforeAll(async () => {
  server = createServer((req, res) => {
    requests += 1;
    const to = redirects.get(req.url ?? "");
    if (to) res.writeHead(302, { Location: to }).end();
    else res.writeHead(200, { "Content-Type": "application/rss+xml" }).end(FEED);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  port = (server.address() as { port: number }).port;
});
afterAll(() => new Promise((r) => server.close(r)));

describe("checkAddress", () => {
  it.each([
    ["127.0.0.1", /loopback/],
    ["127.255.255.254", /loopback/],
    ["10.0.0.1", /private/],
    ["172.16.5.4", /private/],
    ["192.168.1.1", /private/],
    ["100.64.0.1", /carrier-grade NAT/],
    ["169.254.1.1", /link-local/],
    ["0.0.0.0", /unspecified/],
    ["224.0.0.1", /multicast/],
    ["255.255.255.255", /reserved/],
    ["169.254.169.254", /metadata/],
    ["169.254.170.2", /metadata/],
    ["169.254.170.23", /metadata/],
    ["100.100.100.200", /metadata/],
    ["::1", /loopback/],
    ["::", /unspecified/],
    ["fd00:ec2::254", /metadata/],
    ["fd12:3456::1", /unique-local/],
    ["fe80::1", /link-local/],
    ["fe80::1%eth0", /link-local/],
    ["ff02::1", /multicast/],
    ["::ffff:127.0.0.1", /IPv4-mapped.*loopback/],
    ["::ffff:7f00:1", /IPv4-mapped.*loopback/],
    ["::ffff:169.254.169.254", /IPv4-mapped.*metadata/],
    ["64:ff9b::a9fe:a9fe", /NAT64.*metadata/],
    ["64:ff9b::7f00:1", /NAT64.*loopback/],
    ["2002:7f00:1::1", /6to4.*loopback/],
    ["2002:a9fe:a9fe::", /6to4.*metadata/],
    ["2001:db8::1", /documentation/],
    ["[::1]", /loopback/],
    ["localhost", /not an IP/],
  ])("blocks %s (%s)", (ip, reason) => {
    const verdict = checkAddress(ip);

    expect(verdict.blocked).toBe(true);
    expect(verdict.reason).toMatch(reason);
  });

  it.each(["93.184.216.34", "8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "2a00:1450:4001:80b::200e", "::ffff:8.8.8.8", "64:ff9b::808:808", "2002:808:808::1"])(
    "allows public %s",
    (ip) => {
      expect(checkAddress(ip)).toEqual({ blocked: false });
    },
  );
});

describe("literal addresses in the feed URL are refused before connecting", () => {
  it.each([
    ["127.0.0.1", "127.0.0.1"],
    ["127.1", "127.0.0.1"],
    ["2130706433", "127.0.0.1"],
    ["0x7f.1", "127.0.0.1"],
    ["0177.0.0.1", "127.0.0.1"],
    ["012.0.0.1", "10.0.0.1"],
    ["[::ffff:127.0.0.1]", "[::ffff:7f00:1]"],
  ])("WHATWG URL parsing normalises %s to %s", (host, normalised) => {
    expect(new URL(`http://${host}/`).hostname).toBe(normalised);
  });

  it.each([
    "127.0.0.1", "127.1", "2130706433", "0x7f.1", "0177.0.0.1", "012.0.0.1", "[::1]", "[::ffff:127.0.0.1]", "[::ffff:7f00:1]",
    "[64:ff9b::a9fe:a9fe]", "0.0.0.0", "100.100.100.200", "169.254.170.2", "169.254.169.254", "[fd00:ec2::254]",
    "localhost", "localhost.", "feeds.localhost", "evil@127.0.0.1",
  ])("http://%s:PORT/ → BLOCKED_ADDRESS, no request made", async (host) => {
    requests = 0;

    const result = await readFeed(`http://${host}:${port}/feed`, NO_VALIDATORS, settings, { lookup: resolveTo("127.0.0.1") });

    expect(codeOf(result)).toBe("BLOCKED_ADDRESS");
    expect(requests).toBe(0);
  });

  it("allows loopback only with allowPrivateNetwork", async () => {
    const url = `http://127.0.0.1:${port}/feed`;

    expect(codeOf(await readFeed(url, NO_VALIDATORS, settings))).toBe("BLOCKED_ADDRESS");
    expect(codeOf(await readFeed(url, NO_VALIDATORS, { ...settings, allowPrivateNetwork: true }))).toBe("ok");
  });
});

describe("resolved addresses", () => {
  it.each([
    ["an A record to loopback (127.0.0.1.nip.io style)", ["127.0.0.1"]],
    ["AAAA-only ::1", ["::1"]],
    ["public and private A records mixed", ["93.184.216.34", "10.0.0.7"]],
    ["public A and IPv4-mapped metadata AAAA", ["93.184.216.34", "::ffff:169.254.169.254"]],
  ])("%s → BLOCKED_ADDRESS, no request made", async (_name, addresses) => {
    requests = 0;

    const result = await readFeed(`http://feeds.test:${port}/feed`, NO_VALIDATORS, settings, { lookup: resolveTo(...addresses) });

    expect(codeOf(result)).toBe("BLOCKED_ADDRESS");
    expect(requests).toBe(0);
  });

  it.each([
    ["literal metadata IP", "http://169.254.169.254/latest/meta-data/"],
    ["literal IPv6 metadata", "http://[fd00:ec2::254]/"],
    ["extensions API via localhost", "http://localhost:2773/"],
    ["a name resolving to metadata", "http://metadata.test/latest/"],
  ])("a redirect hop to the %s is refused", async (_name, target) => {
    redirects.set("/hop", target);

    const result = await readFeed(`http://public.test:${port}/hop`, NO_VALIDATORS, settings, {
      lookup: async (host) => (host === "metadata.test" ? [{ address: "169.254.169.254", family: 4 }] : [{ address: "127.0.0.1", family: 4 }]),
      checkAddress: loopbackIsPublic,
    });

    expect(codeOf(result)).toBe("BLOCKED_ADDRESS");
  });

  it("connects to the address it vetted and never resolves again (DNS rebinding)", async () => {
    const answers = ["127.0.0.1", "10.0.0.1"];
    let lookups = 0;

    const result = await readFeed(`http://rebind.test:${port}/feed`, NO_VALIDATORS, settings, {
      lookup: async () => [{ address: answers[Math.min(lookups++, 1)] as string, family: 4 }],
      checkAddress: loopbackIsPublic,
    });

    expect(codeOf(result)).toBe("ok");
    expect(lookups).toBe(1);
  });

  it("the lookup hook hands the socket exactly the vetted answer", async () => {
    let calls = 0;
    const hook = guardedLookup(async () => (calls++ === 0 ? [{ address: "93.184.216.34", family: 4 }] : [{ address: "127.0.0.1", family: 4 }]), checkAddress);

    const first = await new Promise<LookupAddress[]>((resolve, reject) =>
      hook("rebind.test", { all: true }, (err, addresses) => (err ? reject(err) : resolve(addresses as unknown as LookupAddress[]))),
    );
    const second = await new Promise<Error | null>((resolve) => hook("rebind.test", { all: true }, (err) => resolve(err)));

    expect(first).toEqual([{ address: "93.184.216.34", family: 4 }]);
    expect(second?.message).toMatch(/resolves to 127.0.0.1 \(loopback\)/);
  });
});
