// SES v2 mailer. Sends `Content.Raw` (our own MIME) rather than `Simple`, so that custom
// headers such as List-Unsubscribe / List-Unsubscribe-Post (RFC 8058) reach the recipient
// exactly as built, and SES errors are translated here into MailRejectedError (permanent)
// or MailThrottledError (retry later).
import { SendEmailCommand, type SESv2Client } from "@aws-sdk/client-sesv2";
import { buildMime, parseAddress } from "./build-mime.js";
import { MailRejectedError, MailSendError, MailThrottledError } from "./errors.js";
import type { MailMessage, Mailer } from "./mail-message.js";
import type { Clock } from "../types.js";

export interface SesMailerOptions {
  configurationSet?: string;
  /** Date header clock; the real clock by default (this is an adapter, not pure code). */
  now?: Clock;
}

interface AwsLikeError {
  name?: string;
  message?: string;
  code?: string;
  $fault?: "client" | "server";
  $metadata?: { httpStatusCode?: number };
}

const NETWORK_CODES = new Set(["ECONNRESET", "ECONNREFUSED", "ETIMEDOUT", "EPIPE", "ENOTFOUND", "EAI_AGAIN", "ENETUNREACH", "EHOSTUNREACH"]);

/** Maps an SES v2 SDK error to a domain error; `to` are the recipients of the failed send. */
export function translateSesError(err: unknown, to: readonly string[]): MailSendError {
  const e = (err ?? {}) as AwsLikeError;
  const name = e.name ?? "";
  const text = e.message ?? String(err);
  const recipients = [...to];
  const rejected = (reason: ConstructorParameters<typeof MailRejectedError>[1]["reason"], scope: "recipient" | "account") =>
    new MailRejectedError(`SES refused the message (${name}): ${text}`, { cause: err, reason, scope, recipients });
  const throttled = (reason: ConstructorParameters<typeof MailThrottledError>[1]["reason"]) =>
    new MailThrottledError(`SES send failed temporarily (${name || e.code}): ${text}`, { cause: err, reason });

  switch (name) {
    case "MessageRejected":
      // An address on the account suppression list is refused with this name; it is
      // permanent for that recipient, never worth retrying (RELIABILITY 62).
      return rejected(/suppress/i.test(text) ? "suppressed" : "rejected", "recipient");
    case "MailFromDomainNotVerifiedException":
      return rejected("mail-from-not-verified", "account");
    case "AccountSuspendedException":
      return rejected("account-suspended", "account");
    case "SendingPausedException":
      return rejected("sending-paused", "account");
    case "BadRequestException":
    case "NotFoundException":
      return rejected("invalid-request", "account");
    case "TooManyRequestsException":
    case "Throttling":
    case "ThrottlingException":
      return throttled("throttled");
    case "LimitExceededException":
      return throttled("quota-exceeded");
    case "InternalServiceErrorException":
      return throttled("service-error");
  }
  const status = e.$metadata?.httpStatusCode;
  if (e.$fault === "server" || (status !== undefined && status >= 500)) return throttled("service-error");
  if (status === 429) return throttled("throttled");
  if (name === "TimeoutError" || (e.code && NETWORK_CODES.has(e.code))) return throttled("network");
  return new MailSendError(`SES send failed (${name || "unknown error"}): ${text}`, { cause: err, retryable: false });
}

export class SesMailer implements Mailer {
  readonly #client: SESv2Client;
  readonly #opts: SesMailerOptions;

  constructor(client: SESv2Client, opts: SesMailerOptions = {}) {
    this.#client = client;
    this.#opts = opts;
  }

  async send(msg: MailMessage): Promise<{ messageId: string }> {
    const raw = buildMime(msg, { now: (this.#opts.now ?? (() => new Date()))() });
    // buildMime has validated the address; SES wants the bare, verified identity here.
    const from = parseAddress(msg.from).address;
    try {
      const res = await this.#client.send(
        new SendEmailCommand({
          FromEmailAddress: from,
          Destination: { ToAddresses: [...msg.to] },
          Content: { Raw: { Data: Buffer.from(raw, "utf8") } },
          ...(this.#opts.configurationSet ? { ConfigurationSetName: this.#opts.configurationSet } : {}),
        }),
      );
      return { messageId: res.MessageId ?? "" };
    } catch (err) {
      throw translateSesError(err, msg.to);
    }
  }
}
