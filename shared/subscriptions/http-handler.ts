// The subscription API as one framework-free function, shared by the Lambda function URL
// handler and the local `serve` command. GETs never change anything (mail scanners and link
// previewers follow links); every change is a POST. Bad input is answered with a clear page and
// a 4xx, before any write.
import { maskAddress } from "../send-digests.js";
import type { Clock, Logger, WatchTopic } from "../types.js";
import { normaliseEmail } from "./email-address.js";
import { linkTo } from "./links.js";
import {
  checkInboxPage,
  confirmPromptPage,
  confirmedPage,
  managePage,
  messagePage,
  securityHeaders,
  subscribePage,
  unsubscribedPage,
  unsubscribePromptPage,
} from "./pages.js";
import { FREQUENCIES, type Frequency, type Preferences } from "./subscriber.js";
import {
  confirmSubscription,
  issueToken,
  loadManageView,
  resolveToken,
  subscribe,
  unsubscribeByToken,
  updatePreferences,
  type SubscriptionDeps,
  type TokenProblem,
} from "./use-cases.js";

/** Largest request body accepted; a subscribe form is a few hundred bytes. */
export const MAX_BODY_BYTES = 8 * 1024;

export interface HttpRequest {
  method: string;
  /** Path without the query string, e.g. `/confirm`. */
  path: string;
  query: Record<string, string | undefined>;
  /** Lower-case header names. */
  headers: Record<string, string | undefined>;
  /** The body as UTF-8 text (adapters decode base64), or null. */
  body: string | null;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface HttpDeps extends SubscriptionDeps {
  /** The live watch's topics, offered on the forms and used to validate choices. */
  loadTopics(): Promise<WatchTopic[]>;
  clock: Clock;
  log: Logger;
}

export type HttpHandler = (req: HttpRequest) => Promise<HttpResponse>;

const ROUTES: Record<string, string[]> = {
  "/": ["GET"],
  "/subscribe": ["POST"],
  "/confirm": ["GET", "POST"],
  "/unsubscribe": ["GET", "POST"],
  "/manage": ["GET", "POST"],
};

export function createHttpHandler(deps: HttpDeps): HttpHandler {
  const site = deps.siteName;
  const html = (status: number, body: string, extra: Record<string, string> = {}): HttpResponse => ({
    status,
    headers: { "Content-Type": "text/html; charset=utf-8", ...securityHeaders(), ...extra },
    body,
  });
  const message = (status: number, title: string, ...lines: string[]) => html(status, messagePage(site, title, ...lines));

  const tokenProblem = (problem: TokenProblem | "not-pending" | "not-confirmed"): HttpResponse => {
    switch (problem) {
      case "malformed":
        return message(400, "This link is not valid", "The link is incomplete or damaged. Copy the whole link from the email and try again.");
      case "unknown":
        return message(404, "This link is not recognised", "Nothing was changed. The link may be from an old email; the newest email has a working link.");
      case "expired":
        return message(410, "This link has expired", "Nothing was changed. Use the link in our newest email, or subscribe again from the subscribe page to get a new one.");
      case "used":
        return message(410, "This link has already been used", "Nothing was changed. If you confirmed already, your subscription is active.");
      case "not-pending":
        return message(410, "This subscription is not waiting for confirmation", "Nothing was changed. Subscribe again from the subscribe page if you want digests.");
      case "not-confirmed":
        return message(409, "This subscription is not active", "Nothing was changed. Subscribe again from the subscribe page if you want digests.");
    }
  };

  /** Form fields of a urlencoded body, or an error response (wrong type). */
  const formOf = (req: HttpRequest): URLSearchParams | HttpResponse => {
    const type = (req.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
    if (type !== "application/x-www-form-urlencoded") {
      return message(415, "Unsupported form encoding", "Send the form as application/x-www-form-urlencoded.");
    }
    return new URLSearchParams(req.body ?? "");
  };

  /** Topics and frequency from a form, checked against the live watch; error messages name every bad value. */
  const prefsOf = (form: URLSearchParams, topics: WatchTopic[]): { prefs: Preferences; errors: string[] } => {
    const errors: string[] = [];
    const known = new Set(topics.map((t) => t.id));
    const chosen = [...new Set(form.getAll("topic").flatMap((v) => v.split(",")).map((v) => v.trim()).filter(Boolean))];
    const unknown = chosen.filter((id) => !known.has(id));
    if (unknown.length > 0) errors.push(`Unknown topic${unknown.length > 1 ? "s" : ""}: ${unknown.map((u) => `"${u.slice(0, 64)}"`).join(", ")}.`);
    const rawFrequency = form.get("frequency") ?? "daily";
    const frequency = (FREQUENCIES as readonly string[]).includes(rawFrequency) ? (rawFrequency as Frequency) : null;
    if (!frequency) errors.push(`Unknown frequency "${rawFrequency.slice(0, 32)}": choose ${FREQUENCIES.join(", ")}.`);
    return { prefs: { topics: chosen.length > 0 ? chosen.filter((id) => known.has(id)) : null, frequency: frequency ?? "daily" }, errors };
  };

  const topicNames = (topics: WatchTopic[]) => new Map(topics.map((t) => [t.id, t.name]));

  const handlers: Record<string, (req: HttpRequest) => Promise<HttpResponse>> = {
    "GET /": async () => html(200, subscribePage(site, await deps.loadTopics())),

    "POST /subscribe": async (req) => {
      const form = formOf(req);
      if (!(form instanceof URLSearchParams)) return form;
      const topics = await deps.loadTopics();
      const rawEmail = form.get("email") ?? "";
      const address = normaliseEmail(rawEmail);
      const { prefs, errors } = prefsOf(form, topics);
      if (!address) errors.unshift(rawEmail.trim() ? `"${rawEmail.trim().slice(0, 254)}" is not a valid email address.` : "Enter your email address.");
      if (errors.length > 0) return html(400, subscribePage(site, topics, { email: rawEmail.slice(0, 254), prefs }, errors));
      const outcome = await subscribe(deps, { address: address!, prefs, topicNames: topicNames(topics) }, deps.clock());
      deps.log.info("subscribe request", { recipient: maskAddress(address!), outcome });
      // The same page for every outcome: the response never tells whether the address is known.
      return html(200, checkInboxPage(site));
    },

    "GET /confirm": async (req) => {
      const resolved = await resolveToken(deps.subs, req.query.token, ["confirm"], deps.clock());
      if (!resolved.ok) return tokenProblem(resolved.problem);
      return html(200, confirmPromptPage(site, req.query.token!));
    },

    "POST /confirm": async (req) => {
      const form = formOf(req);
      if (!(form instanceof URLSearchParams)) return form;
      const token = form.get("token") ?? req.query.token;
      const now = deps.clock();
      const result = await confirmSubscription(deps, token, now);
      if (!result.ok) return tokenProblem(result.problem);
      const manage = await issueToken(deps.subs, "manage", result.address, now);
      return html(200, confirmedPage(site, linkTo(deps.publicUrl, "manage", manage)));
    },

    "GET /unsubscribe": async (req) => {
      const now = deps.clock();
      const resolved = await resolveToken(deps.subs, req.query.token, ["unsubscribe", "manage"], now);
      if (!resolved.ok) return tokenProblem(resolved.problem);
      const current = await deps.subs.get(resolved.record.address);
      const done = !current || current.status === "unsubscribed" || current.status === "suppressed";
      return html(200, unsubscribePromptPage(site, req.query.token!, done));
    },

    // RFC 8058 one-click: the token is in the URL, the body is `List-Unsubscribe=One-Click`
    // (urlencoded or multipart; it carries nothing we need, so it is not parsed), no cookies.
    "POST /unsubscribe": async (req) => {
      const token = req.query.token ?? tokenFromUrlencoded(req);
      const result = await unsubscribeByToken(deps, token, deps.clock());
      if (!result.ok) return tokenProblem(result.problem);
      return html(200, unsubscribedPage(site));
    },

    "GET /manage": async (req) => {
      const view = await loadManageView(deps.subs, req.query.token, deps.clock());
      if (!view.ok) return tokenProblem(view.problem);
      if (view.subscriber.status !== "confirmed") return tokenProblem("not-confirmed");
      const { topics, frequency } = view.subscriber;
      return html(200, managePage(site, req.query.token!, await deps.loadTopics(), { topics, frequency }));
    },

    "POST /manage": async (req) => {
      const form = formOf(req);
      if (!(form instanceof URLSearchParams)) return form;
      const token = form.get("token") ?? req.query.token;
      const now = deps.clock();
      const topics = await deps.loadTopics();
      const { prefs, errors } = prefsOf(form, topics);
      if (errors.length > 0) {
        const view = await loadManageView(deps.subs, token, now);
        if (!view.ok) return tokenProblem(view.problem);
        return html(400, managePage(site, token!, topics, prefs, { errors }));
      }
      const result = await updatePreferences(deps, token, prefs, now);
      if (!result.ok) return tokenProblem(result.problem);
      return html(200, managePage(site, token!, topics, prefs, { saved: true }));
    },
  };

  return async (req) => {
    const method = req.method.toUpperCase();
    const allowed = ROUTES[req.path];
    if (!allowed) return message(404, "Page not found", "There is nothing at this address.");
    if (!allowed.includes(method)) {
      const res = message(405, "Method not allowed", `Use ${allowed.join(" or ")}.`);
      res.headers.Allow = allowed.join(", ");
      return res;
    }
    if (req.body !== null && Buffer.byteLength(req.body, "utf8") > MAX_BODY_BYTES) {
      return message(413, "Request too large", `Forms are limited to ${MAX_BODY_BYTES} bytes.`);
    }
    try {
      return await handlers[`${method} ${req.path}`]!(req);
    } catch (err) {
      deps.log.error("subscription request failed", { method, path: req.path, error: (err as Error).message });
      return message(500, "Something went wrong", "Your request may not have been completed. Please try again in a few minutes.");
    }
  };
}

function tokenFromUrlencoded(req: HttpRequest): string | undefined {
  const type = (req.headers["content-type"] ?? "").toLowerCase();
  if (!type.startsWith("application/x-www-form-urlencoded")) return undefined;
  return new URLSearchParams(req.body ?? "").get("token") ?? undefined;
}
