// Feed health reaches a person: one message when a feed starts failing, goes silent, is
// disabled, or recovers — never one per poll (the transitions come from the poll summary).
import escapeHtml from "escape-html";
import type { FeedHealthEvent } from "./poll.js";
import type { Mailer } from "./mail/index.js";

export interface HealthNotifier {
  notify(subject: string, text: string): Promise<void>;
}

const WHAT: Record<FeedHealthEvent["kind"], string> = {
  failing: "is failing",
  disabled: "was disabled",
  recovered: "recovered",
  silent: "went silent",
  active: "is publishing again",
};

export function formatHealthAlert(events: FeedHealthEvent[], stage: string): { subject: string; text: string } {
  const lines = events.map((e) => {
    const error = e.error ? ` — last error ${e.error.code}: ${e.error.message}` : "";
    const streak = e.kind === "failing" || e.kind === "disabled" ? ` after ${e.consecutiveFailures} failed polls in a row` : "";
    return `- ${e.name} (${e.feedId}) ${WHAT[e.kind]}${streak}${error}`;
  });
  const subject =
    events.length === 1
      ? `newswatch ${stage}: feed ${events[0]!.feedId} ${WHAT[events[0]!.kind]}`
      : `newswatch ${stage}: ${events.length} feeds changed health`;
  return {
    subject,
    text: [...lines, "", "Run `newswatch feeds` for every feed's status."].join("\n"),
  };
}

/** Sends one message for all of this run's health changes; nothing when there are none. */
export async function reportHealth(events: FeedHealthEvent[], notifier: HealthNotifier, stage: string): Promise<boolean> {
  if (events.length === 0) return false;
  const { subject, text } = formatHealthAlert(events, stage);
  await notifier.notify(subject, text);
  return true;
}

/** Locally (and wherever no SNS topic is set): an email to the operator through the digest mailer. */
export function mailNotifier(mailer: Mailer, from: string, to: string): HealthNotifier {
  return {
    notify: async (subject, text) => {
      await mailer.send({ from, to: [to], subject, text, html: `<pre>${escapeHtml(text)}</pre>` });
    },
  };
}
