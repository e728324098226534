// Retry-After (RFC 9110 §10.2.3) is either delay-seconds or an HTTP-date. Servers send absurd
// values (ten years, negative, garbage); the result is clamped so a feed is neither hammered
// nor forgotten.
const HOUR_MS = 60 * 60 * 1000;
export const MIN_RETRY_AFTER_MS = HOUR_MS;
export const MAX_RETRY_AFTER_MS = 24 * HOUR_MS;

/** When to try again, in [now + 1 h, now + 24 h]; a missing or unreadable header means the minimum. */
export function retryAfterDate(header: string | undefined, now: Date): Date {
  const value = header?.trim() ?? "";
  let delayMs = MIN_RETRY_AFTER_MS;
  if (/^\d+$/.test(value)) delayMs = Number(value) * 1000;
  else if (value) {
    const at = Date.parse(value);
    if (!Number.isNaN(at)) delayMs = at - now.getTime();
  }
  const clamped = Math.min(Math.max(delayMs, MIN_RETRY_AFTER_MS), MAX_RETRY_AFTER_MS);
  return new Date(now.getTime() + clamped);
}
