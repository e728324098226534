export type { MailMessage, Mailer } from "./mail-message.js";
export { buildMime, encodedWords, formatMailDate, parseAddress, sanitizeHeaderValue } from "./build-mime.js";
export type { BuildMimeOptions } from "./build-mime.js";
export { OutboxMailer } from "./outbox-mailer.js";
export type { OutboxMailerOptions } from "./outbox-mailer.js";
export { SesMailer, translateSesError } from "./ses-mailer.js";
export type { SesMailerOptions } from "./ses-mailer.js";
export {
  MailSendError,
  MailRejectedError,
  MailThrottledError,
  InvalidMailMessageError,
  isRetryableMailError,
} from "./errors.js";
export type { MailRejectReason, MailThrottleReason } from "./errors.js";
