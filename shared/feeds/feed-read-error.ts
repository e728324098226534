// The one exception type inside the feed reading path. It never leaves the module:
// readFeed/readFeedBytes turn it into a plain FeedError (data the store can keep).
import type { FeedError, FeedErrorCode } from "../types.js";

export class FeedReadError extends Error {
  override name = "FeedReadError";
  constructor(
    readonly code: FeedErrorCode,
    message: string,
    options: { cause?: unknown; status?: number; retryAfter?: string } = {},
  ) {
    super(message, { cause: options.cause });
    this.status = options.status;
    this.retryAfter = options.retryAfter;
  }
  readonly status: number | undefined;
  readonly retryAfter: string | undefined;

  toFeedError(): FeedError {
    return {
      code: this.code,
      message: this.message,
      ...(this.status !== undefined && { status: this.status }),
      ...(this.retryAfter !== undefined && { retryAfter: this.retryAfter }),
    };
  }
}
