// Human-readable run reports for the terminal. One summary line per stage, then details.
import type { DigestSummary } from "../shared/send-digests.js";
import type { PollSummary } from "../shared/poll.js";
import type { FeedState } from "../shared/types.js";

export function formatPoll(s: PollSummary): string {
  const f = s.feeds;
  const lines = [
    `poll: ${f.total} feeds: ${f.ok} fetched, ${f["not-modified"]} not modified, ${f.failed} failed, ` +
      `${f.skipped} backing off, ${f.disabled} disabled (${s.durationMs} ms)`,
    `items: ${s.items.new} new, ${s.items.seen} already seen, ${s.items.duplicates} same story elsewhere, ` +
      `${s.items.old} too old; matches: ${s.matches}`,
  ];
  if (f.skipped > 0) lines.push(`  ${f.skipped} feed(s) backing off after failures; \`--ignore-backoff\` polls them now`);
  for (const r of s.results.filter((r) => r.status === "failed")) {
    lines.push(`  failed ${r.feedId}: ${r.error?.code} ${r.error?.message ?? ""}`);
  }
  const unreachable = (s.errors.DNS_ERROR ?? 0) + (s.errors.CONNECT_TIMEOUT ?? 0) + (s.errors.NETWORK_ERROR ?? 0);
  if (f.total > 0 && unreachable === f.total) {
    lines.push("no feed could be reached: is this machine offline? (`npm run demo` runs the same job on recorded feeds)");
  }
  if (Object.keys(s.errors).length > 0) {
    lines.push(`errors by code: ${Object.entries(s.errors).map(([k, v]) => `${k}=${v}`).join(" ")}`);
  }
  for (const h of s.health) lines.push(`  health: ${h.feedId} is ${h.kind} (${h.consecutiveFailures} failures in a row)`);
  return lines.join("\n");
}

export function formatDigest(s: DigestSummary): string {
  if (s.outcomes.length === 0) return "digest: no recipients configured (set digest.to or add subscribers)";
  const lines = [
    `digest: ${s.sent} sent (${s.entries} entries), ${s.nothingNew} with nothing new, ` +
      `${s.failed} failed, ${s.inProgress} in progress elsewhere`,
  ];
  if (s.sent === 0 && s.failed === 0 && s.nothingNew > 0) lines.push("  no new matches since the last digest: nothing sent");
  for (const o of s.outcomes) {
    if (o.status === "sent") lines.push(`  sent ${o.digestId} (${o.entries} entries)${o.resent ? " [resend]" : ""}: ${o.messageId}`);
    if (o.status === "failed") lines.push(`  FAILED ${o.digestId}: ${o.error} (will retry next run)`);
  }
  return lines.join("\n");
}

export function formatFeedTable(
  feeds: { id: string; name: string; url: string }[],
  states: Map<string, FeedState>,
  now: Date = new Date(),
): string {
  const rows = feeds.map((f) => {
    const s = states.get(f.id);
    return [
      f.id,
      feedStatus(s, now),
      s?.lastSuccessAt?.slice(0, 16).replace("T", " ") ?? "-",
      s?.lastNewItemAt?.slice(0, 16).replace("T", " ") ?? "-",
      String(s?.consecutiveFailures ?? 0),
      s?.disabledReason ?? (s?.lastError ? `${s.lastError.code}: ${s.lastError.message}` : ""),
    ];
  });
  const head = ["feed", "status", "last success (UTC)", "last new item", "fails", "last error / reason"];
  const widths = head.map((h, i) => Math.min(40, Math.max(h.length, ...rows.map((r) => r[i]!.length))));
  const fmt = (r: string[]) => r.map((c, i) => (i < r.length - 1 ? c.slice(0, widths[i]).padEnd(widths[i]!) : c)).join("  ");
  return [fmt(head), ...rows.map(fmt)].join("\n");
}

function feedStatus(s: FeedState | undefined, now: Date): string {
  if (!s) return "never polled";
  if (s.disabledReason) return "DISABLED";
  if (s.nextCheckAfter && Date.parse(s.nextCheckAfter) > now.getTime()) {
    return `backing off to ${s.nextCheckAfter.slice(11, 16)}`;
  }
  if (s.lastError) return "failing";
  if (s.silentAlertedAt) return "silent";
  return s.pendingRedirect ? "ok (redirected once)" : "ok";
}
