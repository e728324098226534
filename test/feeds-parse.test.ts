// Decode → parse → normalise on bytes in hand (RELIABILITY cases 22–52), through readFeedBytes.
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { gzipSync } from "node:zlib";
import iconv from "iconv-lite";
import { describe, expect, it } from "vitest";
import { canonicalUrl, readFeedBytes } from "../shared/feeds/index.js";
import type { ReadFeedBytesResult } from "../shared/feeds/index.js";

const fixture = (name: string) => readFileSync(new URL(`./fixtures/synthetic/${name}`, import.meta.url));
const FEED_URL = "https://feeds.example.com/rss.xml";
const read = (body: Buffer | string, contentType?: string | null, maxItems = 200) =>
  readFeedBytes(typeof body === "string" ? Buffer.from(body, "utf8") : body, { url: FEED_URL, contentType, maxItems });

function ok(result: ReadFeedBytesResult) {
  if ("error" in result) throw new Error(`expected items, got ${result.error.code}: ${result.error.message}`);
  return result;
}
function errorCode(result: ReadFeedBytesResult): string | null {
  return "error" in result ? result.error.code : null;
}

const CYRILLIC_TITLE = "Охрана труда: новые правила с 1 марта";
const cyrillicFeed = (declaration: string | null) =>
  `${declaration === null ? "" : `<?xml version="1.0" encoding="${declaration}"?>\n`}<rss version="2.0"><channel><title>Лента</title>` +
  `<item><title>${CYRILLIC_TITLE}</title><guid>1</guid><description>охрана труда&#8212;итоги</description></item></channel></rss>`;
const encode = (text: string, encoding: string, bom = false) => iconv.encode(text, encoding, { addBOM: bom });

describe("decoding precedence: BOM > XML declaration > HTTP charset > UTF-8", () => {
  it.each([
    ["windows-1251 declared (fixture)", fixture("cyrillic/cp1251-declared.xml"), null],
    ["KOI8-R declared (fixture)", fixture("cyrillic/koi8r-declared.xml"), null],
    ["windows-1251 with the charset only in HTTP", encode(cyrillicFeed(null), "windows-1251"), "text/xml; charset=windows-1251"],
    ["KOI8-R with the charset only in HTTP", encode(cyrillicFeed(null), "koi8-r"), "application/rss+xml; charset=KOI8-R"],
    ["declaration windows-1251 beats header utf-8", encode(cyrillicFeed("windows-1251"), "windows-1251"), "text/xml; charset=utf-8"],
    ["declaration utf-8 beats header windows-1251", Buffer.from(cyrillicFeed("utf-8")), "text/xml; charset=windows-1251"],
    ["UTF-8 BOM beats declaration windows-1251", Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(cyrillicFeed("windows-1251"))]), null],
    ["UTF-16LE with BOM", encode(cyrillicFeed("utf-16"), "utf-16le", true), null],
    ["UTF-16BE with BOM", encode(cyrillicFeed("utf-16"), "utf-16be", true), null],
    ["UTF-16LE without BOM (XML Appendix F sniffing)", encode(cyrillicFeed("utf-16le"), "utf-16le"), null],
    ["UTF-16BE without BOM", encode(cyrillicFeed("utf-16be"), "utf-16be"), null],
    ["UTF-32LE with BOM", encode(cyrillicFeed("utf-32"), "utf-32le", true), null],
    ["bogus declared encoding falls back to the header", encode(cyrillicFeed("x-no-such-charset"), "windows-1251"), "text/xml; charset=windows-1251"],
    ["declared utf-16 over ASCII-compatible bytes is ignored", Buffer.from(cyrillicFeed("utf-16")), null],
    ["no declaration, no header: UTF-8", Buffer.from(cyrillicFeed(null)), null],
  ])("%s decodes the Cyrillic title", (_name, body, contentType) => {
    const feed = ok(read(body, contentType));

    expect(feed.items[0]?.title).toBe(CYRILLIC_TITLE);
    expect(feed.items[0]?.summary).toMatch(/охран. труда—/);
  });

  it("decodes the KOI8-R fixture's &#8212; and a Russian watch term is findable", () => {
    const feed = ok(read(fixture("cyrillic/koi8r-declared.xml")));

    expect(feed.feedTitle).toBe("Новости охраны труда");
    expect(feed.items[0]?.summary).toBe("Минтруд утвердил правила по охране труда—подробности.");
  });

  it.each([
    ["undeclared windows-1251 without a header", encode(cyrillicFeed(null), "windows-1251"), /invalid UTF-8/],
    ["a declaration that lies (utf-8 over windows-1251 bytes)", encode(cyrillicFeed("utf-8"), "windows-1251"), /invalid UTF-8/],
    ["an unknown declared encoding", Buffer.from(cyrillicFeed("x-bogus")), /unknown encoding "x-bogus"/],
  ])("%s still parses, with U+FFFD or a fallback, and a warning", (_name, body, warning) => {
    const feed = ok(read(body));

    expect(feed.items).toHaveLength(1);
    expect(feed.warnings.join("\n")).toMatch(warning);
  });

  it("treats ISO-8859-1 as windows-1252, so 0x93/0x94 are curly quotes (WHATWG)", () => {
    const body = Buffer.concat([
      Buffer.from('<?xml version="1.0" encoding="ISO-8859-1"?><rss version="2.0"><channel><item><title>'),
      Buffer.from([0x93, 0x43, 0x61, 0x66, 0xe9, 0x94]),
      Buffer.from("</title></item></channel></rss>"),
    ]);

    expect(ok(read(body)).items[0]?.title).toBe("“Café”");
  });
});

describe("format and structure", () => {
  it.each([
    ["empty body", "", "EMPTY_BODY"],
    ["whitespace only", " \n\t ", "EMPTY_BODY"],
    ["empty fixture", fixture("attacks/empty.xml"), "EMPTY_BODY"],
    ["an HTML page (Cloudflare-style)", fixture("attacks/html-page.xml"), "NOT_A_FEED"],
    ["<html> without doctype", "<html><body>login</body></html>", "NOT_A_FEED"],
    ["plain text", "Service temporarily unavailable", "NOT_A_FEED"],
    ["<rss> without <channel>", fixture("attacks/no-channel.xml"), "NOT_A_FEED"],
    ["an unrelated XML document", "<?xml version='1.0'?><catalog><book/></catalog>", "NOT_A_FEED"],
    ["a truncated feed", fixture("attacks/truncated.xml"), "PARSE_ERROR"],
    ["mismatched tags", "<rss><channel><item><title>a</item></channel></rss>", "PARSE_ERROR"],
    ["JSON that is not a JSON Feed", '{"status":"ok"}', "UNSUPPORTED_FORMAT"],
    ["broken JSON", '{"version": ', "UNSUPPORTED_FORMAT"],
    ["gzip bytes that are not gzip", Buffer.from([0x1f, 0x8b, 0x00, 0x01, 0x02]), "NOT_A_FEED"],
  ])("%s → %s", (_name, body, code) => {
    expect(errorCode(read(body))).toBe(code);
  });

  it.each([
    ["<rss> without version (defaultRSS: 2)", "<rss><channel><item><title>A</title><guid>1</guid></item></channel></rss>"],
    ["RSS 0.91", '<rss version="0.91"><channel><item><title>A</title><link>https://e.com/a</link></item></channel></rss>'],
    ["RSS 1.0 / RDF", '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"><channel rdf:about="x"><title>t</title></channel><item rdf:about="https://e.com/a"><title>A</title><link>https://e.com/a</link></item></rdf:RDF>'],
    ["Atom 1.0", '<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>A</title><id>1</id><link href="https://e.com/a"/></entry></feed>'],
    ["blank lines before <?xml", '\n\n  <?xml version="1.0"?><rss version="2.0"><channel><item><title>A</title></item></channel></rss>'],
    ["JSON Feed", '{"version":"https://jsonfeed.org/version/1.1","title":"j","items":[{"id":"1","url":"https://e.com/a","title":"A","content_html":"<p>x</p>"}]}'],
  ])("%s yields the item titled A", (_name, body) => {
    expect(ok(read(body)).items[0]?.title).toBe("A");
  });

  it("decompresses gzip bytes that arrived without Content-Encoding", () => {
    const body = gzipSync(Buffer.from('<rss version="2.0"><channel><item><title>A</title></item></channel></rss>'));

    const feed = ok(read(body));

    expect(feed.items[0]?.title).toBe("A");
    expect(feed.warnings.join()).toMatch(/gzip/);
  });

  it("keeps the other entries when Atom dates are invalid, leaving those entries undated", () => {
    const feed = ok(read(fixture("attacks/atom-bad-dates.xml")));

    expect(feed.items.map((i) => [i.title, i.published])).toEqual([
      ["good", "2024-05-01T10:00:00.000Z"],
      ["garbage", null],
      ["russian", null],
      ["bad hour", null],
    ]);
  });

  it("removes NUL and control characters from titles and summaries", () => {
    const [item] = ok(read(fixture("attacks/nul-and-control.xml"))).items;

    expect(item?.title).toBe("Null here and[31m ansi");
    expect(item?.summary).toBe("bell done");
  });

  it("does not pollute prototypes through __proto__ / constructor element names", () => {
    const feed = ok(read(fixture("attacks/proto-keys.xml")));

    expect(feed.items[0]?.title).toBe("first");
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((Object.prototype as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("retries once with stray ampersands escaped: unknown entities stay literal, known ones decode", () => {
    const feed = ok(read(fixture("attacks/undefined-entity.xml")));

    expect(feed.items.map((i) => i.title)).toEqual(["Tom &bogus; Jerry", "Second & also"]);
    expect(feed.items[0]?.summary).toBe("Fish & chips — AT&T");
    expect(feed.warnings.join()).toMatch(/unknown entity or bare "&" escaped/);
  });

  it.each([
    ["billion laughs", fixture("attacks/billion-laughs.xml"), "lol"],
    ["XXE file", fixture("attacks/xxe-file.xml"), "root:"],
  ])("%s is neither expanded nor followed, and is fast", (_name, body, forbidden) => {
    const started = performance.now();
    const result = read(body);
    const elapsedMs = performance.now() - started;

    const text = "error" in result ? result.error.message : result.items.map((i) => i.title).join();
    expect(text.split(forbidden).length - 1).toBeLessThan(5);
    expect(elapsedMs).toBeLessThan(200);
  });

  it("quadratic blowup (one 100 KB entity used 10,000 times) is not expanded", () => {
    const entity = "A".repeat(100_000);
    const body = `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "${entity}">]><rss version="2.0"><channel><item><title>${"&a;".repeat(10_000)}</title></item></channel></rss>`;

    const result = read(body);

    const text = "error" in result ? result.error.message : (result.items[0]?.title ?? "");
    expect(text.length).toBeLessThan(200_000);
  });

  it("makes no request for an external entity or DTD", async () => {
    let requests = 0;
    const server = createServer((_req, res) => {
      requests += 1;
      res.end("secret");
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const { port } = server.address() as { port: number };
    const body = `<?xml version="1.0"?><!DOCTYPE rss SYSTEM "http://127.0.0.1:${port}/dtd" [<!ENTITY x SYSTEM "http://127.0.0.1:${port}/x">]><rss version="2.0"><channel><item><title>t &x;</title></item></channel></rss>`;

    const result = read(body);
    await new Promise((r) => setTimeout(r, 50));
    server.close();

    expect(requests).toBe(0);
    expect("error" in result ? "" : result.items[0]?.title).not.toContain("secret");
  });

  it.each([
    [1_000, null],
    [10_000, "PARSE_ERROR"],
  ])("nesting %i levels deep → %s", (depth, code) => {
    const body = `<rss version="2.0"><channel><item><title>deep</title><description>${"<d>".repeat(depth)}x${"</d>".repeat(depth)}</description></item></channel></rss>`;

    expect(errorCode(read(body))).toBe(code);
  });

  it("reads only the first maxItems items", () => {
    const items = Array.from({ length: 1_500 }, (_, i) => `<item><title>n${i}</title><guid>${i}</guid></item>`).join("");

    const feed = ok(read(`<rss version="2.0"><channel>${items}</channel></rss>`, null, 50));

    expect(feed.items).toHaveLength(50);
    expect(feed.items.at(-1)?.title).toBe("n49");
    expect(feed.warnings.join()).toMatch(/first 50 of 1500/);
  });
});

describe("items: links, text, dates, duplicates", () => {
  it("resolves relative links against the channel link, drops unsafe ones, falls back to a URL guid, dedups guids", () => {
    const feed = ok(read(fixture("attacks/relative-links.xml")));

    expect(feed.items.map((i) => [i.title, i.link])).toEqual([
      ["relative", "https://news.example.com/section/story/1?id=7"],
      ["root relative", "https://news.example.com/story/2"],
      ["script", null],
      ["guid permalink", "https://news.example.com/story/4"],
    ]);
    expect(feed.warnings.join()).toMatch(/1 items with a repeated guid dropped/);
  });

  it("ignores an unsafe channel link as base and resolves against the feed URL", () => {
    const feed = ok(read(fixture("attacks/unsafe-base.xml")));

    expect(feed.items[0]?.link).toBe("https://feeds.example.com/story/1");
  });

  it("turns CDATA markup into plain text and caps the summary at 2,000 characters", () => {
    const long = "word ".repeat(1_000);
    const body = `<rss version="2.0"><channel><item><title><![CDATA[<b>Bold</b> &amp; <img src=x onerror=alert(1)>news]]></title><description><![CDATA[<p>Hello <script>evil()</script><a href="#">world</a></p>${long}]]></description></item></channel></rss>`;

    const [item] = ok(read(body)).items;

    expect(item?.title).toBe("Bold & news");
    expect(item?.summary.startsWith("Hello world word word")).toBe(true);
    expect(item?.summary.length).toBeLessThanOrEqual(2_000);
    expect(item?.summary).not.toMatch(/evil|</);
  });

  it.each([
    ["RFC 822 with zone name", "Tue, 04 Mar 2025 09:00:00 GMT", "2025-03-04T09:00:00.000Z"],
    ["no weekday, no seconds", "4 Mar 2025 09:00 +0300", "2025-03-04T06:00:00.000Z"],
    ["garbage", "yesterday-ish", null],
    ["pre-Y2K", "Fri, 31 Dec 1999 23:59:59 GMT", "1999-12-31T23:59:59.000Z"],
  ])("RSS pubDate %s → %s", (_name, pubDate, expected) => {
    const body = `<rss version="2.0"><channel><item><title>t</title><pubDate>${pubDate}</pubDate></item></channel></rss>`;

    expect(ok(read(body)).items[0]?.published).toBe(expected);
  });

  it("drops a date more than a day after the fetch time it is given", () => {
    const body = `<rss version="2.0"><channel><item><title>future</title><pubDate>Sat, 01 Jan 2095 00:00:00 GMT</pubDate></item><item><title>near</title><pubDate>Thu, 27 Nov 2025 18:00:00 GMT</pubDate></item></channel></rss>`;

    const feed = ok(readFeedBytes(Buffer.from(body), { url: FEED_URL, maxItems: 10, now: new Date("2025-11-27T12:00:00Z") }));

    expect(feed.items.map((i) => i.published)).toEqual([null, "2025-11-27T18:00:00.000Z"]);
  });
});

describe("canonicalUrl", () => {
  it.each([
    ["HTTPS://News.Example.COM/a/b", undefined, "https://news.example.com/a/b"],
    ["https://e.com/a?utm_source=rss&utm_medium=feed&id=3", undefined, "https://e.com/a?id=3"],
    ["https://e.com/a?fbclid=x&gclid=y&msclkid=z", undefined, "https://e.com/a"],
    ["https://e.com/a?b=1%202&c=%E2%9C%93", undefined, "https://e.com/a?b=1%202&c=%E2%9C%93"],
    ["https://e.com/a#comments", undefined, "https://e.com/a"],
    ["http://e.com:80/a", undefined, "http://e.com/a"],
    ["http://bank.example@evil.example/x", undefined, "http://evil.example/x"],
    ["story/1", "https://e.com/news/", "https://e.com/news/story/1"],
    ["/story/1", "https://e.com/news/", "https://e.com/story/1"],
    ["//cdn.e.com/x", "https://e.com/", "https://cdn.e.com/x"],
    ["/story/1", "javascript:alert(1)", null],
    ["/story/1", undefined, null],
    ["javascript:alert(1)", undefined, null],
    ["JaVaScRiPt:alert(1)", undefined, null],
    ["java\tscript:alert(1)", undefined, null],
    ["  \u0001javascript:alert(1)", undefined, null],
    ["data:text/html;base64,PHNjcmlwdD4=", undefined, null],
    ["vbscript:msgbox", undefined, null],
    ["mailto:a@b.c", undefined, null],
    ["ftp://e.com/file", undefined, null],
    ["", "https://e.com/", null],
    ["http://[::1", undefined, null],
  ])("canonicalUrl(%j, %j) → %j", (link, base, expected) => {
    expect(canonicalUrl(link, base)).toBe(expected);
  });
});
