// Single-table layout. Every record has string keys `pk` and `sk`; records that may
// expire carry `ttl` (epoch seconds, DynamoDB TTL). The README's "Table layout" section
// mirrors this file: change both together.
//
//  record            pk                        sk                      access pattern
//  ----------------  ------------------------  ----------------------  ---------------------------------------------
//  seen item         ITEM#<itemKey>            ITEM                    conditional put = dedup; BatchGet = "seen?"
//  same-title mark   TITLE#<titleHash>         TITLE                   conditional put; a second outlet's copy of a
//                                                                      matched story is stored but not re-sent
//  match             MATCH#<yyyy-mm-dd>        <matchedAt>#<itemKey>   Query a day range after a recipient's cursor
//  feed state        FEED                      <feedId>                one Query loads every feed's state
//  recipient         RECIPIENT                 <address>               cursor + in-flight digest claim (lease)
//  digest log        DIGEST#<digestId>         DIGEST                  what was sent, when, message id
//  watch topic       WATCH                     TOPIC#<topicId>         one Query loads the live watch
//  subscriber        SUB                       <address>               status, topics, frequency; one Query lists all
//  token             TOKEN#<sha256 of token>   TOKEN                   confirm/unsubscribe/manage; single use; `ttl`
export const ITEM_SK = "ITEM";

/** A recipient cursor before any delivery. Sorts before every ISO timestamp; never empty (DynamoDB keys reject "" values). */
export const BEGINNING = "0";

export const keys = {
  item: (itemKey: string) => ({ pk: `ITEM#${itemKey}`, sk: ITEM_SK }),
  title: (titleHash: string) => ({ pk: `TITLE#${titleHash}`, sk: "TITLE" }),
  match: (matchedAt: string, itemKey: string) => ({ pk: matchPartition(matchedAt), sk: `${matchedAt}#${itemKey}` }),
  feedState: (feedId: string) => ({ pk: "FEED", sk: feedId }),
  recipient: (address: string) => ({ pk: "RECIPIENT", sk: address }),
  digest: (digestId: string) => ({ pk: `DIGEST#${digestId}`, sk: "DIGEST" }),
  watchTopic: (topicId: string) => ({ pk: "WATCH", sk: `TOPIC#${topicId}` }),
  subscriber: (address: string) => ({ pk: "SUB", sk: address }),
  token: (tokenHash: string) => ({ pk: `TOKEN#${tokenHash}`, sk: "TOKEN" }),
};

/** Matches are partitioned by UTC day so no partition grows without bound. */
export function matchPartition(matchedAt: string): string {
  return `MATCH#${matchedAt.slice(0, 10)}`;
}

/** The UTC days from `fromIso` to `toIso` inclusive, oldest first. */
export function daysBetween(fromIso: string, toIso: string): string[] {
  const days: string[] = [];
  const end = Date.parse(toIso.slice(0, 10));
  for (let t = Date.parse(fromIso.slice(0, 10)); t <= end; t += 86_400_000) {
    days.push(new Date(t).toISOString().slice(0, 10));
  }
  return days;
}

export function ttlFrom(now: Date, days: number): number {
  return Math.floor(now.getTime() / 1000 + days * 86_400);
}
