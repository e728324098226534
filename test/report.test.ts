// The `feeds` table tells an operator, per feed, what state it is in and why.
import { describe, expect, it } from "vitest";
import { formatFeedTable } from "../cli/report.js";
import type { FeedState } from "../shared/types.js";

const now = new Date("2026-11-27T12:00:00Z");
const base: FeedState = {
  feedId: "",
  url: "https://example.org/feed",
  etag: null,
  lastModified: null,
  lastCheckedAt: "2026-11-27T11:45:00.000Z",
  lastSuccessAt: "2026-11-27T11:45:00.000Z",
  lastNewItemAt: "2026-11-27T11:45:00.000Z",
  consecutiveFailures: 0,
  lastError: null,
  disabledReason: null,
  nextCheckAfter: null,
  pendingRedirect: null,
};

describe("feeds table", () => {
  it.each([
    ["healthy", {}, /^healthy\s+ok\s/],
    ["gone", { disabledReason: "GONE: HTTP 410 Gone", consecutiveFailures: 1 }, /DISABLED .* GONE: HTTP 410 Gone$/],
    ["slow", { nextCheckAfter: "2026-11-27T12:30:00.000Z", consecutiveFailures: 2, lastError: { code: "TIMEOUT" as const, message: "no complete response within 15000 ms" } }, /backing off to 12:30 .* 2 +TIMEOUT: no complete response/],
    ["broken", { consecutiveFailures: 1, lastError: { code: "PARSE_ERROR" as const, message: "Unexpected close tag" } }, /failing .* PARSE_ERROR: Unexpected close tag$/],
    ["quiet", { silentAlertedAt: "2026-11-27T11:45:00.000Z" }, /^quiet\s+silent\s/],
  ])("shows a %s feed", (id, state, line) => {
    const table = formatFeedTable([{ id, name: id, url: "https://example.org/feed" }], new Map([[id, { ...base, ...state, feedId: id }]]), now);
    expect(table.split("\n")[1]).toMatch(line);
  });

  it("shows a feed that was never polled", () => {
    const table = formatFeedTable([{ id: "new", name: "New", url: "https://example.org/new" }], new Map(), now);
    expect(table.split("\n")[1]).toMatch(/^new\s+never polled/);
  });
});
