// Subscription domain types. Pure data.

export const FREQUENCIES = ["instant", "daily", "weekly"] as const;
export type Frequency = (typeof FREQUENCIES)[number];

/**
 * pending: asked to subscribe, has not clicked the confirmation link; nothing but confirmation
 * mail is ever sent to it. confirmed: receives digests. unsubscribed: asked to stop.
 * suppressed: bounced permanently or complained; never mailed again, whatever else happens.
 */
export type SubscriberStatus = "pending" | "confirmed" | "unsubscribed" | "suppressed";

export interface Subscriber {
  /** Normalised (lower-cased) address; also the record's sort key. */
  address: string;
  status: SubscriberStatus;
  /** Topic ids; null = every topic, including ones added later. */
  topics: string[] | null;
  frequency: Frequency;
  createdAt: string;
  updatedAt: string;
  confirmedAt: string | null;
  unsubscribedAt: string | null;
  suppressedAt: string | null;
  suppressReason: string | null;
  /** Last subscription mail (confirmation, "already subscribed"); rate-limits those mails. */
  lastMailAt: string | null;
  /** Last digest sent to this subscriber; decides when a daily or weekly digest is due. */
  lastSentAt: string | null;
  /** Who created the subscription: the web form, the operator (CLI), or an SES event (suppression). */
  source: "form" | "operator" | "ses";
}

export type TokenPurpose = "confirm" | "unsubscribe" | "manage";

export interface TokenRecord {
  purpose: TokenPurpose;
  address: string;
  createdAt: string;
  expiresAt: string;
  usedAt: string | null;
}

export interface Preferences {
  topics: string[] | null;
  frequency: Frequency;
}
