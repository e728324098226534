// Stable identities for items. Pure functions: the dedup rule lives here and nowhere else.
import { createHash } from "node:crypto";
import type { FeedConfig, Item, NormalisedItem } from "./types.js";

const sha = (s: string) => createHash("sha256").update(s).digest("hex").slice(0, 32);

/**
 * The dedup key. The canonical link comes first because it is what outlets share when they
 * carry the same wire story; guids are only unique within one feed, so they are scoped by it.
 * An item with neither is keyed by its title and date, scoped by feed.
 */
export function itemKey(feedId: string, item: Pick<NormalisedItem, "link" | "guid" | "title" | "published">): string {
  if (item.link) return sha(`url:${item.link}`);
  if (item.guid) return sha(`guid:${feedId}:${item.guid}`);
  return sha(`title:${feedId}:${item.title}:${item.published ?? ""}`);
}

/** Title folded to lowercase letters and digits, for spotting the same story carried under another URL. */
export function normaliseTitle(title: string): string {
  return title
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/ё/g, "е")
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
}

/**
 * Hash of the normalised title, or null for titles too short to identify a story
 * ("Live updates", "Briefing") — those must never suppress each other.
 */
export function titleHash(title: string): string | null {
  const folded = normaliseTitle(title);
  return folded.split(" ").length >= 5 ? sha(`title:${folded}`) : null;
}

export function toItem(feed: FeedConfig, n: NormalisedItem, firstSeen: Date): Item {
  return {
    key: itemKey(feed.id, n),
    feedId: feed.id,
    source: feed.name,
    title: n.title,
    link: n.link,
    guid: n.guid,
    published: n.published,
    firstSeen: firstSeen.toISOString(),
    summary: n.summary,
  };
}
