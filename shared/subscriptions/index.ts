export type { Frequency, Preferences, Subscriber, SubscriberStatus, TokenPurpose, TokenRecord } from "./subscriber.js";
export { FREQUENCIES } from "./subscriber.js";
export { SubscriberStore, subscriptionKeys } from "./subscriber-store.js";
export type { ConfirmOutcome, SubscriberStoreOptions, SuppressOutcome, UnsubscribeOutcome } from "./subscriber-store.js";
export { normaliseEmail } from "./email-address.js";
export { hashToken, isTokenShaped, newToken } from "./tokens.js";
export { linkTo } from "./links.js";
export {
  CONFIRM_TOKEN_HOURS,
  LINK_TOKEN_DAYS,
  MAIL_INTERVAL_MINUTES,
  confirmSubscription,
  issueToken,
  loadManageView,
  resolveToken,
  startCursorAt,
  subscribe,
  suppressAddress,
  unsubscribeAddress,
  unsubscribeByToken,
  updatePreferences,
} from "./use-cases.js";
export type { ConfirmResult, SubscribeOutcome, SubscriptionDeps, TokenProblem, UnsubscribeResult, UpdateResult } from "./use-cases.js";
export { DUE_AFTER_MS, isDue, listDigestRecipients, markDigestsSent, unsubscribeHeaders } from "./digest-recipients.js";
export type { DigestRecipientOptions } from "./digest-recipients.js";
export { runSubscriberDigest } from "./run-subscriber-digest.js";
export type { SubscriberDigestOptions } from "./run-subscriber-digest.js";
export { MAX_BODY_BYTES, createHttpHandler } from "./http-handler.js";
export type { HttpDeps, HttpHandler, HttpRequest, HttpResponse } from "./http-handler.js";
export { fromFunctionUrlEvent, toFunctionUrlResult } from "./function-url.js";
export type { FunctionUrlEvent, FunctionUrlResult } from "./function-url.js";
export { handleSesEvents, suppressionFor } from "./ses-events.js";
export type { SesEventSummary, SnsEvent, SuppressionRequest } from "./ses-events.js";
export { subscriberStoreFor, subscriptionDepsFor } from "./subscriptions-for-app.js";
export type { SubscriptionSettings } from "./subscriptions-for-app.js";
