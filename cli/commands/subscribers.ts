// `subscribers add | list | remove`: the operator's view of subscriptions. Addresses are shown
// in full here (the operator owns the list); logs elsewhere mask them.
import type { Command } from "commander";
import { loadLiveWatch } from "../../shared/app.js";
import {
  FREQUENCIES,
  normaliseEmail,
  startCursorAt,
  subscriberStoreFor,
  type Frequency,
  type Subscriber,
} from "../../shared/subscriptions/index.js";
import { withApp, type StoreFlags } from "../open-app.js";

type Flags = StoreFlags & { topics?: string; frequency?: string; force?: boolean; json?: boolean; forget?: boolean };

function addressArg(raw: string): string {
  const address = normaliseEmail(raw);
  if (!address) throw new Error(`not a valid email address: ${JSON.stringify(raw)}`);
  return address;
}

function frequencyArg(raw = "daily"): Frequency {
  if (!(FREQUENCIES as readonly string[]).includes(raw)) throw new Error(`--frequency: expected one of ${FREQUENCIES.join(", ")}, got ${JSON.stringify(raw)}`);
  return raw as Frequency;
}

export function formatSubscribers(subs: Subscriber[]): string {
  if (subs.length === 0) return "no subscribers";
  const rows = subs.map((s) => [s.address, s.status, s.frequency, s.topics?.join(",") ?? "(all)", s.confirmedAt ?? "-", s.lastSentAt ?? "-"]);
  const head = ["address", "status", "frequency", "topics", "confirmed", "last digest"];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd();
  const counts = ["confirmed", "pending", "unsubscribed", "suppressed"].map((st) => `${subs.filter((s) => s.status === st).length} ${st}`);
  return [line(head), ...rows.map(line), "", counts.join(", ")].join("\n");
}

export function registerSubscriberCommands(program: Command, storeOptions: (cmd: Command) => Command): void {
  const group = program.command("subscribers").description("manage digest subscribers (double opt-in happens on the web pages; see `serve`)");

  storeOptions(
    group
      .command("add <email>")
      .description("add a subscriber, confirmed at once (the operator vouches for the address; no confirmation mail)")
      .option("--topics <ids>", "comma-separated topic ids (default: all topics)")
      .option("--frequency <f>", `${FREQUENCIES.join(" | ")} (default daily)`)
      .option("--force", "also re-add an address suppressed after a bounce or complaint"),
  ).action(async (email: string, flags: Flags) => {
    const address = addressArg(email);
    const frequency = frequencyArg(flags.frequency);
    await withApp(flags, async (app) => {
      const known = new Set((await loadLiveWatch(app)).topics.map((t) => t.id));
      const topics = flags.topics ? flags.topics.split(",").map((s) => s.trim()).filter(Boolean) : null;
      const unknown = (topics ?? []).filter((t) => !known.has(t));
      if (unknown.length > 0) throw new Error(`unknown topic id(s): ${unknown.join(", ")} (known: ${[...known].join(", ")})`);
      const now = app.clock();
      const before = await subscriberStoreFor(app).addConfirmed(address, { topics, frequency }, now, flags.force);
      if (before === "refused") throw new Error(`${address} is suppressed (bounce or complaint); pass --force to add it anyway`);
      if (before !== "confirmed") await startCursorAt({ recipients: app.store }, address, now);
      console.log(`${before === "confirmed" ? "updated" : "added"} ${address}: ${frequency}, topics ${topics?.join(",") ?? "(all)"}`);
    });
  });

  storeOptions(group.command("list").description("every subscriber with status, frequency and topics").option("--json", "print JSON")).action(
    async (flags: Flags) => {
      await withApp(flags, async (app) => {
        const subs = (await subscriberStoreFor(app).list()).sort((a, b) => a.address.localeCompare(b.address));
        console.log(flags.json ? JSON.stringify(subs) : formatSubscribers(subs));
      });
    },
  );

  storeOptions(
    group
      .command("remove <email>")
      .description("unsubscribe an address (kept as unsubscribed, so it is not mailed again)")
      .option("--forget", "delete the record entirely (erasure request); a later subscribe starts from scratch"),
  ).action(async (email: string, flags: Flags) => {
    const address = addressArg(email);
    await withApp(flags, async (app) => {
      const subs = subscriberStoreFor(app);
      if (flags.forget) {
        if (!(await subs.forget(address))) throw new Error(`no subscriber ${address}`);
        console.log(`forgot ${address}`);
        return;
      }
      const outcome = await subs.unsubscribe(address, app.clock());
      if (outcome === "unknown") throw new Error(`no subscriber ${address}`);
      console.log(`${address}: ${outcome}`);
    });
  });
}
