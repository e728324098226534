// Link tokens: 32 random bytes, base64url (43 characters). Only their SHA-256 is stored, so
// a leaked table (or backup) cannot be used to confirm, unsubscribe or manage anyone.
import { createHash, randomBytes } from "node:crypto";

const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

export function newToken(): string {
  return randomBytes(32).toString("base64url");
}

export function hashToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

/** True for strings that could be a token we issued; anything else is rejected before a store read. */
export function isTokenShaped(value: unknown): value is string {
  return typeof value === "string" && TOKEN_SHAPE.test(value);
}
