// Domain errors for sending mail. Adapters translate SDK errors into these so that the
// digest use case decides on retry versus give-up without knowing SES error names.

/** Base class: `retryable` says whether the same message may be sent again later. */
export class MailSendError extends Error {
  override name = "MailSendError";
  readonly retryable: boolean;
  constructor(message: string, options: { cause?: unknown; retryable?: boolean } = {}) {
    super(message, { cause: options.cause });
    this.retryable = options.retryable ?? false;
  }
}

/** The message was built wrongly (bad address, bad header name); a bug or bad config, never retried. */
export class InvalidMailMessageError extends MailSendError {
  override name = "InvalidMailMessageError";
}

export type MailRejectReason =
  | "rejected"
  | "suppressed"
  | "mail-from-not-verified"
  | "account-suspended"
  | "sending-paused"
  | "invalid-request";

/**
 * Permanent refusal. `scope: "recipient"` means these recipients should be recorded as
 * failed and the rest of the run goes on; `scope: "account"` means every send will fail
 * the same way until an operator acts (unverified domain, suspended or paused account).
 */
export class MailRejectedError extends MailSendError {
  override name = "MailRejectedError";
  readonly reason: MailRejectReason;
  readonly scope: "recipient" | "account";
  readonly recipients: string[];
  constructor(
    message: string,
    options: { cause?: unknown; reason: MailRejectReason; scope: "recipient" | "account"; recipients: string[] },
  ) {
    super(message, { cause: options.cause, retryable: false });
    this.reason = options.reason;
    this.scope = options.scope;
    this.recipients = options.recipients;
  }
}

export type MailThrottleReason = "throttled" | "quota-exceeded" | "service-error" | "network";

/** Transient: rate limit, quota, 5xx or a network failure. Retry later with back-off and jitter. */
export class MailThrottledError extends MailSendError {
  override name = "MailThrottledError";
  readonly reason: MailThrottleReason;
  constructor(message: string, options: { cause?: unknown; reason: MailThrottleReason }) {
    super(message, { cause: options.cause, retryable: true });
    this.reason = options.reason;
  }
}

export function isRetryableMailError(err: unknown): boolean {
  return err instanceof MailSendError && err.retryable;
}
