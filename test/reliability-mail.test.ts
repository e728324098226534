// Digests through SES v2 when SES misbehaves (RELIABILITY 59, 60, 63): runDigest with the real
// SesMailer against aws-ses-v2-local, whose recording proxy answers with real SES error responses.
import { SESv2Client } from "@aws-sdk/client-sesv2";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { runDigest, type App } from "../shared/app.js";
import { runPoll } from "../shared/run-poll.js";
import { SesMailer } from "../shared/mail/index.js";
import { itemsFor, startRig, type Rig } from "./support/newswatch-rig.js";
import { startSesLocal, type SesFault, type SesLocal } from "./support/ses-local.js";

const READER = "reader@example.com";
const UNVERIFIED = "unverified@example.com";

describe("reliability: digests through SES v2 (aws-ses-v2-local)", () => {
  let ses: SesLocal;
  let rig: Rig;
  const clients: SESv2Client[] = [];

  /** A mailer on its own client, as a separate Lambda instance would have; no SDK retries, so every fault reaches us. */
  const sesMailer = () => {
    const client = new SESv2Client({
      endpoint: ses.endpoint,
      region: "eu-west-1",
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
      maxAttempts: 1,
    });
    clients.push(client);
    return new SesMailer(client);
  };
  const appFor = (to: string[]): App => rig.app({ feeds: ["alpha", "beta"], to, mailer: sesMailer() });
  const mailsTo = async (address: string) =>
    (await ses.messages()).filter((m) => m.destination.to.some((t) => t.includes(address)));

  beforeAll(async () => {
    ses = await startSesLocal();
  });
  afterAll(async () => ses.close());
  beforeEach(async () => {
    rig = await startRig();
    rig.serve("alpha", itemsFor("alpha", 4));
    rig.serve("beta", itemsFor("beta", 4));
    // Unique per test: aws-ses-v2-local's store is shared by every instance in the process.
    await runPoll(rig.app({ feeds: ["alpha", "beta"] }));
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.destroy();
    await rig.close();
  });

  it.each<[string, SesFault]>([
    ["TooManyRequestsException", { status: 429, type: "TooManyRequestsException", message: "Maximum sending rate exceeded." }],
    ["Throttling", { status: 400, type: "Throttling", message: "Rate exceeded" }],
    ["LimitExceededException (daily quota)", { status: 400, type: "LimitExceededException", message: "Daily message quota exceeded." }],
    ["InternalServiceErrorException", { status: 500, type: "InternalServiceErrorException", message: "oops" }],
  ])("after %s, reports the digest failed, keeps its matches pending and sends them on the next run", async (_, fault) => {
    // Prepare
    const address = `throttled-${fault.type.toLowerCase()}@example.com`;
    const app = appFor([address]);
    ses.failNext(fault);

    // Act
    const failed = await runDigest(app, { settleSeconds: 0 });
    const between = await app.store.getRecipient(address);
    const retried = await runDigest(app, { settleSeconds: 0 });
    const quiet = await runDigest(app, { settleSeconds: 0 });

    // Assess
    expect(failed.outcomes).toEqual([
      expect.objectContaining({ address, status: "failed", error: expect.stringContaining(fault.type) }),
    ]);
    expect(between).toMatchObject({ cursor: "0", inflight: null, lastError: expect.stringContaining(fault.type) });
    expect(retried.outcomes).toEqual([expect.objectContaining({ status: "sent", entries: 4, resent: false })]);
    expect(quiet.outcomes).toEqual([{ address, status: "nothing-new" }]);
    expect(await mailsTo(address)).toHaveLength(1);
    expect(await app.store.getRecipient(address)).toMatchObject({ lastError: null, inflight: null });
  });

  it("records a per-recipient rejection (MessageRejected) as that recipient's failure while the next recipient still gets theirs", async () => {
    // Prepare: the unverified address is first, so its send is the one refused.
    const unverified = `first-${UNVERIFIED}`;
    const reader = `second-${READER}`;
    const app = appFor([unverified, reader]);
    ses.failNext({ status: 400, type: "MessageRejected", message: "Email address is not verified. The following identities failed the check in region EU-WEST-1: unverified@example.com" });

    // Act
    const digest = await runDigest(app, { settleSeconds: 0 });

    // Assess
    expect(digest).toMatchObject({ sent: 1, failed: 1, entries: 4 });
    expect(digest.outcomes[0]).toMatchObject({ address: unverified, status: "failed", error: expect.stringContaining("MessageRejected") });
    expect(digest.outcomes[1]).toMatchObject({ address: reader, status: "sent", entries: 4 });
    expect(await mailsTo(reader)).toHaveLength(1);
    expect(await mailsTo(unverified)).toHaveLength(0);
    expect(await app.store.getRecipient(unverified)).toMatchObject({ cursor: "0", inflight: null });
  });

  it("sends exactly one email when two instances run the same digest at the same time", async () => {
    const address = `concurrent-${READER}`;
    const one = appFor([address]);
    const two = appFor([address]);
    const attemptsBefore = ses.sendAttempts();

    const [a, b] = await Promise.all([runDigest(one, { settleSeconds: 0 }), runDigest(two, { settleSeconds: 0 })]);

    expect(a.sent + b.sent).toBe(1);
    expect(ses.sendAttempts() - attemptsBefore).toBe(1);
    expect(await mailsTo(address)).toHaveLength(1);
    const loser = [...a.outcomes, ...b.outcomes].find((o) => o.status !== "sent");
    expect(["in-progress", "nothing-new"]).toContain(loser?.status);
  });
});
