// The subscription pages: small, accessible, no JavaScript, one inline stylesheet allowed by
// its hash in the CSP. Pure: every value is escaped here, tokens only ever appear in hidden
// fields and form actions of pages marked `Referrer-Policy: no-referrer`.
import { createHash } from "node:crypto";
import escapeHtml from "escape-html";
import type { WatchTopic } from "../types.js";
import { FREQUENCIES, type Frequency, type Preferences } from "./subscriber.js";

const STYLE = [
  "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;line-height:1.5;color:#1f2328;background:#f6f8fa;margin:0;padding:1rem}",
  "main{max-width:36rem;margin:2rem auto;background:#fff;border:1px solid #d0d7de;border-radius:8px;padding:1.5rem}",
  "h1{font-size:1.4rem;margin-top:0}",
  "label{display:block}",
  "fieldset{border:1px solid #d0d7de;border-radius:6px;margin:1rem 0;padding:.5rem 1rem}",
  "input[type=email]{width:100%;box-sizing:border-box;padding:.5rem;font-size:1rem;border:1px solid #8c959f;border-radius:6px}",
  "button{font-size:1rem;padding:.5rem 1.25rem;border-radius:6px;border:1px solid #1f6feb;background:#1f6feb;color:#fff;cursor:pointer}",
  "button.secondary{background:#fff;color:#cf222e;border-color:#cf222e}",
  ".error{color:#cf222e;font-weight:600}",
  ".hint{color:#57606a;font-size:.9rem}",
  "button:focus,input:focus{outline:3px solid #0969da;outline-offset:2px}",
].join("\n");

let styleHash: string | undefined;

/** Security headers every response carries. */
export function securityHeaders(): Record<string, string> {
  styleHash ??= createHash("sha256").update(STYLE, "utf8").digest("base64");
  return {
    "Content-Security-Policy": `default-src 'none'; style-src 'sha256-${styleHash}'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'`,
    "X-Content-Type-Options": "nosniff",
    // Token links must not leak to other sites through the Referer header.
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
  };
}

export function page(siteName: string, title: string, body: string): string {
  return [
    "<!DOCTYPE html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="robots" content="noindex">',
    `<title>${escapeHtml(title)} – ${escapeHtml(siteName)}</title>`,
    `<style>${STYLE}</style>`,
    "</head>",
    "<body>",
    "<main>",
    `<h1>${escapeHtml(title)}</h1>`,
    body,
    "</main>",
    "</body>",
    "</html>",
    "",
  ].join("\n");
}

export const p = (text: string, cls?: string) => `<p${cls ? ` class="${cls}"` : ""}>${escapeHtml(text)}</p>`;

function errorBlock(errors: string[]): string {
  if (errors.length === 0) return "";
  return `<div role="alert" id="form-errors">${errors.map((e) => p(e, "error")).join("")}</div>`;
}

function topicFieldset(topics: WatchTopic[], selected: string[] | null): string {
  const boxes = topics.map((t) => {
    const id = `topic-${t.id}`;
    const checked = selected !== null && selected.includes(t.id) ? " checked" : "";
    return `<label for="${escapeHtml(id)}"><input type="checkbox" id="${escapeHtml(id)}" name="topic" value="${escapeHtml(t.id)}"${checked}> ${escapeHtml(t.name)}</label>`;
  });
  return [
    '<fieldset aria-describedby="topics-hint">',
    "<legend>Topics</legend>",
    ...boxes,
    '<p class="hint" id="topics-hint">Leave every box unticked to get all topics, including new ones.</p>',
    "</fieldset>",
  ].join("\n");
}

const FREQUENCY_LABELS: Record<Frequency, string> = {
  instant: "As soon as there is news",
  daily: "Once a day",
  weekly: "Once a week",
};

function frequencyFieldset(selected: Frequency): string {
  return [
    "<fieldset>",
    "<legend>How often</legend>",
    ...FREQUENCIES.map(
      (f) =>
        `<label for="freq-${f}"><input type="radio" id="freq-${f}" name="frequency" value="${f}"${f === selected ? " checked" : ""}> ${FREQUENCY_LABELS[f]}</label>`,
    ),
    "</fieldset>",
  ].join("\n");
}

export function subscribePage(
  siteName: string,
  topics: WatchTopic[],
  values: { email?: string; prefs?: Partial<Preferences> } = {},
  errors: string[] = [],
): string {
  return page(
    siteName,
    `Subscribe to ${siteName}`,
    [
      p("Get an email digest of news matching the topics you choose. We send a confirmation link first; nothing else is sent until you click it."),
      errorBlock(errors),
      '<form method="post" action="subscribe">',
      '<label for="email">Email address</label>',
      `<input type="email" id="email" name="email" required autocomplete="email" maxlength="254" value="${escapeHtml(values.email ?? "")}"${errors.length ? ' aria-describedby="form-errors"' : ""}>`,
      topicFieldset(topics, values.prefs?.topics ?? null),
      frequencyFieldset(values.prefs?.frequency ?? "daily"),
      "<button type=\"submit\">Subscribe</button>",
      "</form>",
    ].join("\n"),
  );
}

export function checkInboxPage(siteName: string): string {
  return page(
    siteName,
    "Check your inbox",
    [
      p("If this address can receive our mail, a message with a confirmation link is on its way. Open it and press Confirm to start your digests."),
      p("Nothing arrives? Check your spam folder, or try again in ten minutes.", "hint"),
    ].join("\n"),
  );
}

export function confirmPromptPage(siteName: string, token: string): string {
  return page(
    siteName,
    "Confirm your subscription",
    [
      p("Press the button to start receiving digests at this address."),
      '<form method="post" action="confirm">',
      `<input type="hidden" name="token" value="${escapeHtml(token)}">`,
      '<button type="submit">Confirm subscription</button>',
      "</form>",
    ].join("\n"),
  );
}

export function confirmedPage(siteName: string, manageUrl: string | null): string {
  return page(
    siteName,
    "You are subscribed",
    [
      p("Thank you. Your digests start with news from now on."),
      manageUrl ? `<p><a href="${escapeHtml(manageUrl)}">Change topics or frequency</a></p>` : "",
    ].join("\n"),
  );
}

export function unsubscribePromptPage(siteName: string, token: string, alreadyUnsubscribed: boolean): string {
  if (alreadyUnsubscribed) return page(siteName, "You are unsubscribed", p("This address gets no more digests."));
  return page(
    siteName,
    "Unsubscribe",
    [
      p("Press the button to stop receiving digests at this address."),
      `<form method="post" action="unsubscribe?token=${escapeHtml(encodeURIComponent(token))}">`,
      '<input type="hidden" name="List-Unsubscribe" value="One-Click">',
      '<button type="submit" class="secondary">Unsubscribe</button>',
      "</form>",
    ].join("\n"),
  );
}

export function unsubscribedPage(siteName: string): string {
  return page(siteName, "You are unsubscribed", p("This address gets no more digests. You can subscribe again at any time."));
}

export function managePage(
  siteName: string,
  token: string,
  topics: WatchTopic[],
  prefs: Preferences,
  notice: { saved?: boolean; errors?: string[] } = {},
): string {
  return page(
    siteName,
    "Your subscription",
    [
      notice.saved ? '<p role="status">Saved.</p>' : "",
      errorBlock(notice.errors ?? []),
      '<form method="post" action="manage">',
      `<input type="hidden" name="token" value="${escapeHtml(token)}">`,
      topicFieldset(topics, prefs.topics),
      frequencyFieldset(prefs.frequency),
      '<button type="submit">Save</button>',
      "</form>",
      `<form method="post" action="unsubscribe?token=${escapeHtml(encodeURIComponent(token))}">`,
      '<input type="hidden" name="List-Unsubscribe" value="One-Click">',
      '<p><button type="submit" class="secondary">Unsubscribe</button></p>',
      "</form>",
    ].join("\n"),
  );
}

export function messagePage(siteName: string, title: string, ...lines: string[]): string {
  return page(siteName, title, lines.map((l) => p(l)).join("\n"));
}
