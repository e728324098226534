// Renders a digest email from pending entries. Pure: the clock and the zone are arguments.
// Every string that came from a feed is escaped here even though items are already plain
// text (RELIABILITY 55–57): the renderer never emits feed-supplied markup, and only
// http(s) links pass into an href.
import escapeHtml from "escape-html";
import type { PendingEntry, TermHit, TopicMatch } from "../types.js";
import { cleanLine, cleanText, truncate } from "./clean-text.js";
import { timeFormatter } from "./format-time.js";
import { findRanges, highlightHtml } from "./highlight.js";
import { safeHref } from "./safe-href.js";
import { makeSnippet } from "./snippet.js";

export interface DigestLinks {
  unsubscribeUrl?: string;
  manageUrl?: string;
}

export interface RenderDigestOptions {
  /** Digest name, from config; starts the subject and heads the email. */
  title: string;
  now: Date;
  snippetChars: number;
  digestId: string;
  /** IANA zone for displayed times; UTC when absent. */
  timeZone?: string;
  links?: DigestLinks;
}

export interface RenderedDigest {
  subject: string;
  html: string;
  text: string;
}

export const MAX_SUBJECT_CHARS = 150;
const MAX_TITLE_CHARS = 300;
/** A feed that dates an item far in the future would pin it to the top of every digest. */
const MAX_FUTURE_SKEW_MS = 24 * 3600 * 1000;

interface DigestEntry {
  entry: PendingEntry;
  best: TopicMatch | null;
  others: TopicMatch[];
  when: Date | null;
  whenIsPublished: boolean;
}

interface TopicGroup {
  topicId: string;
  topicName: string;
  entries: DigestEntry[];
}

function parseTime(iso: string | null | undefined): Date | null {
  if (!iso) return null;
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? null : d;
}

function byScore(a: TopicMatch, b: TopicMatch): number {
  const sa = Number.isFinite(a.score) ? a.score : -Infinity;
  const sb = Number.isFinite(b.score) ? b.score : -Infinity;
  return sb - sa;
}

function toDigestEntry(entry: PendingEntry, now: Date): DigestEntry {
  const matches = [...entry.matches].sort(byScore);
  const published = parseTime(entry.item.published);
  const usable = published && published.getTime() <= now.getTime() + MAX_FUTURE_SKEW_MS ? published : null;
  const when = usable ?? parseTime(entry.item.firstSeen) ?? parseTime(entry.matchedAt);
  return { entry, best: matches[0] ?? null, others: matches.slice(1), when, whenIsPublished: usable !== null };
}

function timeOf(e: DigestEntry): number {
  return e.when?.getTime() ?? -Infinity;
}

/** Groups entries under their best topic; biggest topic first, newest entry first within a topic. */
function groupEntries(entries: readonly PendingEntry[], now: Date): TopicGroup[] {
  const seen = new Set<string>();
  const groups = new Map<string, TopicGroup>();
  for (const pending of entries) {
    if (seen.has(pending.item.key)) continue;
    seen.add(pending.item.key);
    const e = toDigestEntry(pending, now);
    const id = e.best?.topicId ?? "";
    let group = groups.get(id);
    if (!group) {
      group = { topicId: id, topicName: e.best?.topicName ?? "Other", entries: [] };
      groups.set(id, group);
    }
    group.entries.push(e);
  }
  const list = [...groups.values()];
  for (const g of list) g.entries.sort((a, b) => timeOf(b) - timeOf(a) || a.entry.item.title.localeCompare(b.entry.item.title));
  return list.sort((a, b) => b.entries.length - a.entries.length || a.topicName.localeCompare(b.topicName));
}

function formatScore(score: number): string {
  return Number.isFinite(score) ? String(Number(score.toFixed(2))) : "?";
}

/** `"persona non grata" in title; expel NEAR/5 diplomat in title and summary` */
export function describeHits(hits: readonly TermHit[]): string {
  const fields = new Map<string, Set<string>>();
  for (const h of hits) {
    const term = cleanLine(h.term);
    if (!fields.has(term)) fields.set(term, new Set());
    fields.get(term)!.add(h.field);
  }
  return [...fields].map(([term, f]) => `${term} in ${[...f].join(" and ")}`).join("; ");
}

/** The "why it matched" line, plain text: `Russia (score 3.5): "persona non grata" in title`. */
export function whyLine(best: TopicMatch | null, others: readonly TopicMatch[]): string {
  if (!best) return "no topic recorded";
  const hits = describeHits(best.hits);
  let line = `${cleanLine(best.topicName)} (score ${formatScore(best.score)})${hits ? `: ${hits}` : ""}`;
  if (others.length > 0) {
    line += `. Also: ${others.map((m) => `${cleanLine(m.topicName)} (${formatScore(m.score)})`).join(", ")}`;
  }
  return line;
}

function surfaceWords(match: TopicMatch | null, field: TermHit["field"]): string[] {
  return (match?.hits ?? []).filter((h) => h.field === field).flatMap((h) => h.matched.map(cleanLine));
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** `newswatch: 7 new matches — Greece expels 12 Russian diplomats (+6)`, one line, ≤ 150 chars. */
function digestSubject(title: string, groups: readonly TopicGroup[]): string {
  const all = groups.flatMap((g) => g.entries);
  const head = truncate(cleanLine(title) || "newswatch", 40);
  if (all.length === 0) return `${head}: no new matches`;
  const top = [...all].sort((a, b) => (b.best && a.best ? byScore(a.best, b.best) : 0) || timeOf(b) - timeOf(a))[0]!;
  const prefix = `${head}: ${plural(all.length, "new match", "new matches")} — `;
  const suffix = all.length > 1 ? ` (+${all.length - 1})` : "";
  const room = MAX_SUBJECT_CHARS - prefix.length - suffix.length;
  return `${prefix}${truncate(cleanLine(top.entry.item.title) || "(untitled)", room)}${suffix}`;
}

const FONT = "-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,sans-serif";
const S = {
  body: `margin:0;padding:0;background-color:#f4f4f5;`,
  outer: `width:100%;background-color:#f4f4f5;`,
  card: `width:100%;max-width:640px;background-color:#ffffff;border-radius:6px;font-family:${FONT};color:#1f2328;`,
  h1: "margin:0 0 4px 0;font-size:20px;line-height:1.3;font-weight:700;",
  counts: "margin:0;font-size:14px;line-height:1.5;color:#57606a;",
  h2: "margin:24px 0 12px 0;padding-bottom:4px;border-bottom:2px solid #d0d7de;font-size:17px;line-height:1.3;font-weight:700;",
  entry: "margin:0 0 20px 0;",
  title: "margin:0;font-size:16px;line-height:1.4;font-weight:600;",
  link: "color:#0550ae;text-decoration:underline;",
  meta: "margin:2px 0 0 0;font-size:12px;line-height:1.5;color:#57606a;",
  snippet: "margin:6px 0 0 0;font-size:14px;line-height:1.55;color:#1f2328;word-wrap:break-word;overflow-wrap:break-word;",
  why: "margin:6px 0 0 0;font-size:12px;line-height:1.5;color:#57606a;",
  footer: "margin:0;font-size:12px;line-height:1.6;color:#6e7781;",
  footerLink: "color:#6e7781;text-decoration:underline;",
};

function renderEntryHtml(e: DigestEntry, fmt: (d: Date) => string, snippetChars: number): string {
  const item = e.entry.item;
  const title = truncate(cleanLine(item.title) || "(untitled)", MAX_TITLE_CHARS);
  const titleHtml = highlightHtml(title, findRanges(title, surfaceWords(e.best, "title")));
  const href = safeHref(item.link);
  const heading = href ? `<a href="${escapeHtml(href)}" style="${S.link}">${titleHtml}</a>` : titleHtml;
  const when = e.when ? `${e.whenIsPublished ? "" : "first seen "}${fmt(e.when)}` : "time unknown";
  const source = cleanLine(item.source) || item.feedId;
  const summary = cleanLine(item.summary);
  const snip = makeSnippet(summary, surfaceWords(e.best, "summary"), snippetChars);
  return [
    `<div style="${S.entry}">`,
    `<p style="${S.title}">${heading}</p>`,
    `<p style="${S.meta}">${escapeHtml(source)} &middot; ${escapeHtml(when)}</p>`,
    snip.text ? `<p style="${S.snippet}">${highlightHtml(snip.text, snip.ranges)}</p>` : "",
    `<p style="${S.why}"><strong>Why:</strong> ${escapeHtml(whyLine(e.best, e.others))}</p>`,
    `</div>`,
  ].join("");
}

function renderEntryText(e: DigestEntry, fmt: (d: Date) => string, snippetChars: number): string {
  const item = e.entry.item;
  const lines = [`* ${truncate(cleanLine(item.title) || "(untitled)", MAX_TITLE_CHARS)}`];
  const href = safeHref(item.link);
  if (href) lines.push(`  ${href}`);
  const when = e.when ? `${e.whenIsPublished ? "" : "first seen "}${fmt(e.when)}` : "time unknown";
  lines.push(`  ${cleanLine(item.source) || item.feedId} · ${when}`);
  const snip = makeSnippet(cleanLine(item.summary), [], snippetChars);
  if (snip.text) lines.push(`  ${snip.text}`);
  lines.push(`  Why: ${whyLine(e.best, e.others)}`);
  return lines.join("\n");
}

function countLine(groups: readonly TopicGroup[]): string {
  const entries = groups.flatMap((g) => g.entries);
  const sources = new Set(entries.map((e) => e.entry.item.feedId));
  if (entries.length === 0) return "No new matches.";
  return `${plural(entries.length, "new match", "new matches")} in ${plural(groups.length, "topic", "topics")} from ${plural(sources.size, "source", "sources")}`;
}

export function renderDigest(entries: readonly PendingEntry[], opts: RenderDigestOptions): RenderedDigest {
  const fmt = timeFormatter(opts.timeZone);
  const groups = groupEntries(entries, opts.now);
  const title = cleanLine(opts.title) || "newswatch";
  const counts = countLine(groups);
  const generated = `Generated ${fmt(opts.now)}`;
  const digestId = cleanLine(opts.digestId);
  const unsubscribe = safeHref(opts.links?.unsubscribeUrl);
  const manage = safeHref(opts.links?.manageUrl);

  const sections = groups.map((g) =>
    [
      `<h2 style="${S.h2}">${escapeHtml(cleanLine(g.topicName))} <span style="font-weight:400;color:#57606a;">(${g.entries.length})</span></h2>`,
      ...g.entries.map((e) => renderEntryHtml(e, fmt, opts.snippetChars)),
    ].join("\n"),
  );
  const footerLinks = [
    unsubscribe ? `<a href="${escapeHtml(unsubscribe)}" style="${S.footerLink}">Unsubscribe</a>` : "",
    manage ? `<a href="${escapeHtml(manage)}" style="${S.footerLink}">Manage subscription</a>` : "",
  ].filter(Boolean);

  const html = [
    `<!DOCTYPE html>`,
    `<html lang="en">`,
    `<head>`,
    `<meta charset="utf-8">`,
    `<meta name="viewport" content="width=device-width, initial-scale=1">`,
    `<title>${escapeHtml(title)}</title>`,
    `</head>`,
    `<body style="${S.body}">`,
    `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="${S.outer}"><tr><td align="center" style="padding:16px 8px;">`,
    `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="${S.card}">`,
    `<tr><td style="padding:20px 20px 8px 20px;">`,
    `<h1 style="${S.h1}">${escapeHtml(title)}</h1>`,
    `<p style="${S.counts}">${escapeHtml(counts)} &middot; ${escapeHtml(generated)}</p>`,
    `</td></tr>`,
    `<tr><td style="padding:0 20px 8px 20px;">`,
    ...sections,
    `</td></tr>`,
    `<tr><td style="padding:12px 20px 20px 20px;border-top:1px solid #d0d7de;">`,
    `<p style="${S.footer}">Digest ${escapeHtml(digestId)}${footerLinks.length ? ` &middot; ${footerLinks.join(" &middot; ")}` : ""}</p>`,
    `</td></tr>`,
    `</table>`,
    `</td></tr></table>`,
    `</body>`,
    `</html>`,
    ``,
  ].join("\n");

  const text = [
    title,
    counts,
    generated,
    ...groups.map((g) =>
      [`\n== ${cleanLine(g.topicName)} (${g.entries.length}) ==`, ...g.entries.map((e) => `\n${renderEntryText(e, fmt, opts.snippetChars)}`)].join("\n"),
    ),
    "",
    "-- ",
    `Digest ${digestId}`,
    ...(unsubscribe ? [`Unsubscribe: ${unsubscribe}`] : []),
    ...(manage ? [`Manage subscription: ${manage}`] : []),
    "",
  ].join("\n");

  return { subject: digestSubject(opts.title, groups), html, text: cleanText(text) };
}
