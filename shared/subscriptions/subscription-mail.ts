// The two subscription mails (confirm; "already subscribed"). Pure: links are arguments.
import escapeHtml from "escape-html";
import type { MailMessage } from "../mail/index.js";
import type { Preferences } from "./subscriber.js";

export interface MailContext {
  from: string;
  siteName: string;
}

function describePrefs(prefs: Preferences, topicNames: Map<string, string>): string {
  const topics = prefs.topics === null ? "all topics" : prefs.topics.map((id) => topicNames.get(id) ?? id).join(", ");
  return `${topics}; ${prefs.frequency} digests`;
}

function html(paragraphs: string[], link: { href: string; label: string }): string {
  return [
    `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(link.label)}</title></head>`,
    `<body style="font-family:system-ui,sans-serif;line-height:1.5;color:#1f2328;">`,
    ...paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`),
    `<p><a href="${escapeHtml(link.href)}">${escapeHtml(link.label)}</a></p>`,
    `</body></html>`,
  ].join("\n");
}

export function confirmationMail(
  ctx: MailContext,
  to: string,
  confirmUrl: string,
  prefs: Preferences,
  topicNames: Map<string, string>,
  validHours: number,
): MailMessage {
  const intro = `Someone (hopefully you) asked to receive ${ctx.siteName} news digests at this address: ${describePrefs(prefs, topicNames)}.`;
  const action = `To start receiving them, open the link below and press "Confirm". The link works for ${validHours} hours.`;
  const ignore = "If you did not ask for this, ignore this message: nothing will be sent to you.";
  return {
    from: ctx.from,
    to: [to],
    subject: `Confirm your ${ctx.siteName} subscription`,
    text: [intro, "", action, confirmUrl, "", ignore, ""].join("\n"),
    html: html([intro, action, ignore], { href: confirmUrl, label: "Confirm subscription" }),
  };
}

export function alreadySubscribedMail(ctx: MailContext, to: string, manageUrl: string): MailMessage {
  const intro = `Someone asked to subscribe this address to ${ctx.siteName} digests, but it is already subscribed.`;
  const action = "To change your topics or how often you get digests, or to unsubscribe, use this link:";
  return {
    from: ctx.from,
    to: [to],
    subject: `Your ${ctx.siteName} subscription`,
    text: [intro, "", action, manageUrl, ""].join("\n"),
    html: html([intro, action], { href: manageUrl, label: "Manage subscription" }),
  };
}
