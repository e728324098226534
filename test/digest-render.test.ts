import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { renderDigest, safeHref, makeSnippet, type RenderDigestOptions } from "../shared/digest/index.js";
import type { PendingEntry, TermHit, TopicMatch } from "../shared/types.js";

const NOW = new Date("2024-03-05T14:07:00Z");
const OPTS: RenderDigestOptions = { title: "newswatch", now: NOW, snippetChars: 120, digestId: "dg-2024-03-05-1407" };
const SANITIZE_DIR = join(import.meta.dirname, "../../shared/corpus/feedparser/wellformed/sanitize");

let seq = 0;
function hit(term: string, field: TermHit["field"], matched: string[], positions: number[] = [0]): TermHit {
  return { term, field, matched, positions };
}
function topic(topicId: string, score: number, hits: TermHit[] = [], topicName = topicId.toUpperCase()): TopicMatch {
  return { topicId, topicName, score, hits };
}
function entry(over: Partial<PendingEntry["item"]> & { matches?: TopicMatch[] } = {}): PendingEntry {
  seq += 1;
  const { matches, ...item } = over;
  return {
    item: {
      key: `k${seq}`,
      feedId: "kathimerini",
      source: "Kathimerini",
      title: `Item ${seq}`,
      link: `https://example.com/news/${seq}`,
      guid: null,
      published: "2024-03-05T10:00:00Z",
      firstSeen: "2024-03-05T10:05:00Z",
      summary: "",
      ...item,
    },
    matches: matches ?? [topic("russia", 1, [hit("diplomat", "title", ["diplomat"])])],
    matchedAt: "2024-03-05T10:05:00Z",
  };
}

/** Only tags the renderer itself writes may appear in the body; feed text is always escaped. */
const ALLOWED_BODY_TAGS = new Set(["html", "body", "table", "tr", "td", "h1", "h2", "p", "div", "span", "a", "mark", "strong"]);
const TAG = /<\/?([a-zA-Z][a-zA-Z0-9]*)\b([^>]*)>/g;

function assertNoLiveFeedMarkup(html: string): void {
  const body = html.slice(html.indexOf("<body"));
  for (const m of body.matchAll(TAG)) {
    expect(ALLOWED_BODY_TAGS, `tag <${m[1]}>`).toContain(m[1]!.toLowerCase());
    const attrsWithoutValues = m[2]!.replace(/"[^"]*"/g, '""');
    expect(attrsWithoutValues, `attributes of <${m[1]}>`).not.toMatch(/(^|\s)on\w+\s*=/i);
    expect(attrsWithoutValues).toMatch(/^(\s+[a-z-]+="")*\s*\/?$/i);
  }
  // Every "<" in the output starts one of the renderer's own tags or the doctype.
  expect(html.replace(TAG, "").replace("<!DOCTYPE html>", "")).not.toContain("<");
  for (const m of html.matchAll(/href="([^"]*)"/g)) expect(m[1]).toMatch(/^https?:\/\//);
  expect(body).not.toMatch(/<(script|iframe|object|embed|meta|style|link|base|form|svg|img|applet|frame)\b/i);
}

function textOf(html: string): string {
  return html.replace(TAG, "").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, "&");
}

describe("renderDigest grouping", () => {
  it("lists an entry under its best topic only and names the other topics", () => {
    const e = entry({ title: "Greece expels diplomats", matches: [topic("energy", 1), topic("russia", 3.5), topic("nato", 2)] });
    const { html, text } = renderDigest([e, entry({ title: "Pipeline talks", matches: [topic("energy", 2)] })], OPTS);

    expect(html.split("Greece expels diplomats")).toHaveLength(2);
    const russia = text.indexOf("== RUSSIA (1) ==");
    const energy = text.indexOf("== ENERGY (1) ==");
    const item = text.indexOf("Greece expels diplomats");
    expect(russia).toBeGreaterThanOrEqual(0);
    expect(energy).toBeGreaterThanOrEqual(0);
    expect(item > russia && (energy < russia || item < energy)).toBe(true);
    expect(text).toContain("Also: NATO (2), ENERGY (1)");
  });

  it("orders entries newest first within a topic, using first-seen when published is missing", () => {
    const entries = [
      entry({ title: "middle", published: "2024-03-05T09:00:00Z" }),
      entry({ title: "oldest", published: "2024-03-04T09:00:00Z" }),
      entry({ title: "no date, seen last", published: null, firstSeen: "2024-03-05T12:00:00Z" }),
      entry({ title: "bad date", published: "not a date", firstSeen: "2024-03-05T11:00:00Z" }),
      entry({ title: "claims the future", published: "2099-01-01T00:00:00Z", firstSeen: "2024-03-05T08:00:00Z" }),
    ];
    const { text } = renderDigest(entries, OPTS);
    const order = ["no date, seen last", "bad date", "middle", "claims the future", "oldest"].map((t) => text.indexOf(`* ${t}`));
    expect(order.every((pos) => pos >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  it("puts the same item in the digest once", () => {
    const e = entry({ title: "Twice queued" });
    const { html, subject } = renderDigest([e, { ...e }], OPTS);
    expect(html.split("Twice queued")).toHaveLength(2);
    expect(subject).toContain("1 new match —");
  });

  it("shows counts in the header and the digest id and links in the footer", () => {
    const entries = [entry({ feedId: "a" }), entry({ feedId: "b" }), entry({ feedId: "b", matches: [topic("nato", 1)] })];
    const { html, text } = renderDigest(entries, {
      ...OPTS,
      links: { unsubscribeUrl: "https://nw.example/u?t=a&b=1", manageUrl: "javascript:alert(1)" },
    });
    expect(textOf(html)).toContain("3 new matches in 2 topics from 2 sources");
    expect(html).toContain("Digest dg-2024-03-05-1407");
    expect(html).toContain('href="https://nw.example/u?t=a&amp;b=1"');
    expect(html).not.toContain("Manage subscription");
    expect(text).toContain("Unsubscribe: https://nw.example/u?t=a&b=1");
    expect(text).toContain("Digest dg-2024-03-05-1407");
  });

  it("renders an empty digest", () => {
    const { subject, html } = renderDigest([], OPTS);
    expect(subject).toBe("newswatch: no new matches");
    expect(textOf(html)).toContain("No new matches.");
  });
});

describe("renderDigest times", () => {
  it.each([
    { timeZone: undefined, published: "2024-03-05T10:00:00Z", firstSeen: "2024-03-05T10:05:00Z", expected: "2024-03-05 10:00 UTC" },
    { timeZone: "Europe/Athens", published: "2024-03-05T10:00:00Z", firstSeen: "2024-03-05T10:05:00Z", expected: "2024-03-05 12:00 EET" },
    { timeZone: "Europe/Athens", published: "2024-03-04T23:30:00Z", firstSeen: "2024-03-05T00:00:00Z", expected: "2024-03-05 01:30 EET" },
    { timeZone: "Europe/Moscow", published: "2024-03-05T10:00:00Z", firstSeen: "2024-03-05T10:05:00Z", expected: "2024-03-05 13:00 GMT+3" },
    { timeZone: "UTC", published: null, firstSeen: "2024-03-05T10:05:00Z", expected: "first seen 2024-03-05 10:05 UTC" },
  ])("formats $published in $timeZone as $expected", ({ timeZone, published, firstSeen, expected }) => {
    const { html, text } = renderDigest([entry({ published, firstSeen })], { ...OPTS, timeZone });
    expect(html).toContain(expected);
    expect(text).toContain(expected);
  });

  it("rejects an unknown time zone with a named error", () => {
    expect(() => renderDigest([], { ...OPTS, timeZone: "Mars/Olympus" })).toThrow(/unknown time zone/);
  });
});

describe("renderDigest highlighting and why-line", () => {
  it.each([
    {
      name: "marks the surface words in the title",
      title: "Greece expels 12 Russian diplomats",
      hits: [hit("expel NEAR/5 diplomat", "title", ["expels", "diplomats"])],
      marked: ["expels", "diplomats"],
      unmarked: [],
    },
    {
      name: "matches whole words only",
      title: "War veterans win award",
      hits: [hit("war", "title", ["war"])],
      marked: ["War"],
      unmarked: ["award"],
    },
    {
      name: "is case-insensitive for Cyrillic",
      title: "МИД России выслал ДИПЛОМАТОВ",
      hits: [hit("дипломат*", "title", ["дипломатов"])],
      marked: ["ДИПЛОМАТОВ"],
      unmarked: [],
    },
    {
      name: "marks a phrase across whitespace",
      title: "Declared persona non grata today",
      hits: [hit('"persona non grata"', "title", ["persona  non\tgrata"])],
      marked: ["persona non grata"],
      unmarked: [],
    },
    {
      name: "escapes a surface word that looks like markup",
      title: "a <b> tag",
      hits: [hit("b", "title", ["<b>"])],
      marked: ["&lt;b&gt;"],
      unmarked: [],
    },
  ])("$name", ({ title, hits, marked, unmarked }) => {
    const { html } = renderDigest([entry({ title, matches: [topic("t", 1, hits)] })], OPTS);
    for (const word of marked) expect(html).toMatch(new RegExp(`<mark[^>]*>${word}</mark>`));
    for (const word of unmarked) expect(html).not.toMatch(new RegExp(`<mark[^>]*>[^<]*${word}`));
    assertNoLiveFeedMarkup(html);
  });

  it.each([
    {
      hits: [hit('"persona non grata"', "title", ["persona non grata"]), hit("expel NEAR/5 diplomat", "summary", ["expelled", "diplomats"])],
      expected: 'RUSSIA (score 3.5): "persona non grata" in title; expel NEAR/5 diplomat in summary',
    },
    {
      hits: [hit("sanction*", "title", ["sanctions"]), hit("sanction*", "summary", ["sanctioned"])],
      expected: "RUSSIA (score 3.5): sanction* in title and summary",
    },
    { hits: [], expected: "RUSSIA (score 3.5)" },
  ])("explains the match as: $expected", ({ hits, expected }) => {
    const { html, text } = renderDigest([entry({ matches: [topic("russia", 3.5, hits)] })], OPTS);
    expect(text).toContain(`Why: ${expected}`);
    expect(textOf(html)).toContain(`Why: ${expected}`);
  });
});

describe("snippets", () => {
  const words = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `word${i + from}`).join(" ");

  it.each([
    { name: "keeps a short summary whole", summary: "Short summary.", matched: [], starts: "Short summary.", ends: "Short summary." },
    { name: "cuts a long summary on a word boundary", summary: words(60), matched: [], starts: "word0 ", ends: "…" },
    { name: "moves to a hit late in the text", summary: `${words(60)} Lavrov spoke ${words(20, 60)}`, matched: ["Lavrov"], starts: "…word", ends: "…" },
    { name: "stays at the start when the hit is early", summary: `Lavrov ${words(60)}`, matched: ["Lavrov"], starts: "Lavrov", ends: "…" },
  ])("$name", ({ summary, matched, starts, ends }) => {
    const s = makeSnippet(summary, matched, 120);
    expect(s.text.startsWith(starts)).toBe(true);
    expect(s.text.endsWith(ends)).toBe(true);
    expect(s.text.length).toBeLessThanOrEqual(122);
    expect(s.text.replace(/…/g, "").trim().split(" ").every((w) => /^word\d+$|^Lavrov$|^spoke$|^Short$|^summary\.$/.test(w))).toBe(true);
    for (const word of matched) {
      const r = s.ranges[0]!;
      expect(s.text.slice(r.start, r.end)).toBe(word);
    }
  });

  it("highlights the hit inside the rendered snippet", () => {
    const summary = `${words(60)} Moscow expelled the diplomats on Monday. ${words(10, 60)}`;
    const e = entry({ summary, matches: [topic("russia", 2, [hit("expel NEAR/5 diplomat", "summary", ["expelled", "diplomats"])])] });
    const { html } = renderDigest([e], OPTS);
    expect(html).toMatch(/<mark[^>]*>expelled<\/mark> the <mark[^>]*>diplomats<\/mark>/);
  });

  it("never splits an emoji surrogate pair", () => {
    const s = makeSnippet("😀".repeat(100), [], 51);
    expect(s.text.endsWith("😀…")).toBe(true);
  });
});

describe("escaping hostile feed text (RELIABILITY 55–57)", () => {
  it.each([
    { title: "<img src=x onerror=alert(1)>", shown: "&lt;img src=x onerror=alert(1)&gt;" },
    { title: '"><script>alert(1)</script>', shown: "&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;" },
    { title: "</a><a href=javascript:alert(1)>x", shown: "&lt;/a&gt;&lt;a href=javascript:alert(1)&gt;x" },
    { title: "<svg/onload=alert(1)>", shown: "&lt;svg/onload=alert(1)&gt;" },
    { title: "&lt;script&gt; already encoded", shown: "&amp;lt;script&amp;gt; already encoded" },
    { title: "<iframe src=//evil>", shown: "&lt;iframe src=//evil&gt;" },
    { title: "<meta http-equiv=refresh content=0;url=//evil>", shown: "&lt;meta http-equiv=refresh content=0;url=//evil&gt;" },
    { title: "it's <b>bold</b>", shown: "it&#39;s &lt;b&gt;bold&lt;/b&gt;" },
  ])("shows $title as text", ({ title, shown }) => {
    const e = entry({ title, summary: title, source: title, matches: [topic("t", 1, [hit(title, "title", [title])], title)] });
    const { html, text } = renderDigest([e], OPTS);
    expect(html).toContain(shown);
    expect(text).toContain(title);
    assertNoLiveFeedMarkup(html);
  });

  it("strips control and bidi-override characters from feed text", () => {
    const { html, text, subject } = renderDigest([entry({ title: "evil\u202etxt.exe\u0000\u0007 name" })], OPTS);
    for (const out of [html, text, subject]) expect(out).not.toMatch(/[\u202e\u0000\u0007]/);
    expect(subject).toContain("eviltxt.exe name");
  });
});

describe("link schemes (RELIABILITY 56)", () => {
  it.each([
    { link: "javascript:alert(1)", href: null },
    { link: "JaVaScRiPt:alert(1)", href: null },
    { link: "java\tscript:alert(1)", href: null },
    { link: "java\nscript:alert(1)", href: null },
    { link: "&#106;avascript:alert(1)", href: null },
    { link: "&#x6A;avascript:alert(1)", href: null },
    { link: "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==", href: null },
    { link: "vbscript:msgbox(1)", href: null },
    { link: " javascript:alert(1)", href: null },
    { link: "\u0001javascript:alert(1)", href: null },
    { link: "  https://example.com/leading-spaces", href: null },
    { link: "\u0000https://example.com/nul", href: null },
    { link: "https://exa mple.com/", href: null },
    { link: "//example.com/protocol-relative", href: null },
    { link: "/relative/path", href: null },
    { link: "mailto:a@example.com", href: null },
    { link: "file:///etc/passwd", href: null },
    { link: "https://", href: null },
    { link: "https://example.com/a?b=1&c=\"x\"", href: "https://example.com/a?b=1&c=%22x%22" },
    { link: "HTTPS://Example.COM/Path", href: "https://example.com/Path" },
    { link: "http://example.com/", href: "http://example.com/" },
  ])("$link → $href", ({ link, href }) => {
    expect(safeHref(link)).toBe(href);
    const { html, text } = renderDigest([entry({ title: "Linked title", link })], OPTS);
    assertNoLiveFeedMarkup(html);
    if (href) {
      expect(html).toContain(`href="${href.replace(/&/g, "&amp;")}"`);
      expect(text).toContain(href);
    } else {
      expect(html).not.toMatch(/<a [^>]*>Linked title/);
      expect(html).toContain("Linked title");
    }
  });
});

/** The hostile markup of a feedparser sanitize fixture, as raw text (entities and base64 undone). */
function hostilePayload(xml: string): string {
  const doc = xml.replace(/^<!--[\s\S]*?-->/, "");
  const m = /<(description|content:encoded|content|summary|body|fullitem)\b([^>]*)>([\s\S]*?)<\/\1>/.exec(doc);
  if (!m) return doc;
  let payload = m[3]!.replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, "$1");
  if (/mode="base64"/.test(m[2]!)) return Buffer.from(payload, "base64").toString("utf8");
  payload = payload
    .replace(/&#x([0-9a-f]+);/gi, (_, h: string) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, "&");
  return payload;
}

describe("feedparser sanitize corpus (RELIABILITY 55)", () => {
  const files = readdirSync(SANITIZE_DIR).filter((f) => f.endsWith(".xml")).sort();

  it("has the corpus", () => {
    expect(files.length).toBeGreaterThan(150);
  });

  it.each(files)("%s renders with no live markup from the feed", (file) => {
    const payload = hostilePayload(readFileSync(join(SANITIZE_DIR, file), "utf8"));
    expect(payload.length).toBeGreaterThan(0);
    const words = payload.split(/\s+/).filter(Boolean).slice(0, 5);
    const e = entry({
      title: payload,
      summary: payload,
      source: payload,
      link: "javascript:alert(document.cookie)",
      matches: [topic("xss", 1, [hit(payload, "title", words), hit(payload, "summary", words)], payload)],
    });
    const { html, text, subject } = renderDigest([e], { ...OPTS, snippetChars: 2000 });
    assertNoLiveFeedMarkup(html);
    expect(html).not.toMatch(/href="\s*javascript:/i);
    expect(subject).not.toMatch(/[\r\n]/);
    expect(text).not.toContain("javascript:alert(document.cookie)");
  });
});

describe("subject", () => {
  it.each([
    { n: 7, title: "Greece expels 12 Russian diplomats", expected: "newswatch: 7 new matches — Greece expels 12 Russian diplomats (+6)" },
    { n: 1, title: "Greece expels 12 Russian diplomats", expected: "newswatch: 1 new match — Greece expels 12 Russian diplomats" },
    { n: 2, title: "Line one\r\nBcc: attacker@example.com", expected: "newswatch: 2 new matches — Line one Bcc: attacker@example.com (+1)" },
    { n: 3, title: "Греция высылает российских дипломатов", expected: "newswatch: 3 new matches — Греция высылает российских дипломатов (+2)" },
    { n: 1, title: "", expected: "newswatch: 1 new match — (untitled)" },
  ])("$n entries led by $title → $expected", ({ n, title, expected }) => {
    const entries = Array.from({ length: n }, (_, i) =>
      entry({ title: i === 0 ? title : `Other ${i}`, matches: [topic("russia", i === 0 ? 5 : 1)] }),
    );
    expect(renderDigest(entries, OPTS).subject).toBe(expected);
  });

  it("caps a long subject and keeps the count suffix", () => {
    const entries = [entry({ title: "word ".repeat(100), matches: [topic("a", 9)] }), entry({}), entry({})];
    const { subject } = renderDigest(entries, OPTS);
    expect(subject.length).toBeLessThanOrEqual(150);
    expect(subject).toMatch(/ word… \(\+2\)$/);
  });
});
