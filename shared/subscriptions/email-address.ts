// Subscriber addresses are normalised once, at the edge, and used as the record key.
// Lower-casing the whole address is a deliberate simplification: RFC 5321 lets the local part be
// case-sensitive, but no mainstream mailbox provider treats it so, and one key per mailbox is
// what dedup and suppression need. IDN (non-ASCII) addresses are refused rather than half-supported.

const MAX_ADDRESS_CHARS = 254;
const MAX_LOCAL_CHARS = 64;
// Printable ASCII without the characters that would need quoting in a header (build-mime agrees).
const LOCAL = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+$/;
const DOMAIN = /^(?=.{1,253}$)([A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$/;

/** The normalised address, or null when `raw` is not a plain deliverable address. */
export function normaliseEmail(raw: unknown): string | null {
  if (typeof raw !== "string") return null;
  const value = raw.trim().toLowerCase();
  if (value.length === 0 || value.length > MAX_ADDRESS_CHARS) return null;
  const at = value.lastIndexOf("@");
  if (at <= 0 || value.indexOf("@") !== at) return null;
  const local = value.slice(0, at);
  const domain = value.slice(at + 1);
  if (local.length > MAX_LOCAL_CHARS || !LOCAL.test(local)) return null;
  if (local.startsWith(".") || local.endsWith(".") || local.includes("..")) return null;
  return DOMAIN.test(domain) ? value : null;
}
