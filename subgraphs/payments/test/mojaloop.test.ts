import { randomUUID } from "node:crypto";
import { fspiopAmount, fspiopIds, fulfilmentMatches, MojaloopConnector, mojaloopSettingsFromEnv, uuidV5 } from "../src/connectors/mojaloop";
import { parseCallbackPath } from "../src/connectors/mojaloop-callbacks";
import type { Instruction } from "../src/connectors/types";
import { conditionOf, fspiopValidator, invalidMessages, startCallbackServer, startMojaloopSimulator, type MojaloopSim } from "./mojaloop-helpers";

const FSP = "g2p-payer";
const instr = (id: string, msisdn = "254700000001", amount = "10.50"): Instruction => ({ id, amount, currency: "KES", payee: { type: "mobile", id: msisdn, provider: "mojahub" }, note: "cash transfer" });

describe("Mojaloop FSPIOP connector against the simulated switch", () => {
  let sim: MojaloopSim;
  let cb: Awaited<ReturnType<typeof startCallbackServer>>;
  const connector = (timeoutMs = 2000, maxSendAttempts = 3) => new MojaloopConnector(sim.url, { fspId: FSP }, { timeoutMs, maxSendAttempts }, cb.hub);

  beforeAll(async () => {
    cb = await startCallbackServer(FSP);
    sim = await startMojaloopSimulator({}, { participants: { [FSP]: cb.url } });
  });
  afterAll(async () => {
    await sim.stop();
    await cb.stop();
  });
  afterEach(() => sim.setFaults({}));

  it("derives stable FSPIOP ids and canonical amounts", () => {
    const uuid = randomUUID();
    expect(fspiopIds(uuid).transferId).toBe(uuid);
    expect(fspiopIds("pay-1")).toEqual(fspiopIds("pay-1"));
    expect(fspiopIds("pay-1").transferId).not.toBe(fspiopIds("pay-2").transferId);
    const ids = Object.values(fspiopIds("pay-1"));
    expect(new Set(ids).size).toBe(3);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    // RFC 4122 appendix-style check of our v5: the DNS namespace and "www.example.com".
    expect(uuidV5("www.example.com", Buffer.from("6ba7b8109dad11d180b400c04fd430c8", "hex"))).toBe("2ed6657d-e927-568b-95e1-2665a8aea6a2");
    expect(["10.00", "10.50", "0.05", "1200", "007.1000", "1.23456", "-1", "1e3"].map(fspiopAmount)).toEqual(["10", "10.5", "0.05", "1200", "7.1", null, null, null]);
    expect(() => mojaloopSettingsFromEnv({ PAYMENTS_FSPIOP_CALLBACK_URL: "ftp://x" })).toThrow(/PAYMENTS_FSPIOP_CALLBACK_URL/);
    expect(mojaloopSettingsFromEnv({})).toEqual({ fspId: "g2p-payer", callbackUrl: undefined });
    expect(parseCallbackPath("/fspiop/parties/MSISDN/2547/error")).toEqual({ resource: "parties", key: "parties/MSISDN/2547", error: true });
    expect(parseCallbackPath("/fspiop/transfers/abc")).toEqual({ resource: "transfers", key: "transfers/abc", error: false });
    expect(parseCallbackPath("/fspiop/bulkTransfers/abc")).toBeNull();
  });

  it("pays: lookup, quote, transfer; COMMITTED only with a fulfilment whose SHA-256 is the condition", async () => {
    const uuid = randomUUID();
    const out = await connector().send([instr(uuid), instr("pay-ok-2", "254700000002", "1200.00")]);
    expect(out).toEqual([
      { id: uuid, status: "COMPLETED", reference: uuid },
      { id: "pay-ok-2", status: "COMPLETED", reference: fspiopIds("pay-ok-2").transferId },
    ]);
    const t = sim.transfers.get(uuid)!;
    expect(t).toMatchObject({ state: "COMMITTED", amount: "10.5" });
    expect(sim.transfers.get(fspiopIds("pay-ok-2").transferId)!.amount).toBe("1200");
    expect(sim.settlements.get(uuid)).toBe(1);
    // The pair is real: the condition in our transfer is base64url(SHA-256(preimage)).
    const post = sim.messages.find((m) => m.direction === "request" && m.path === "/transfers" && (m.body as any).transferId === uuid)!;
    expect(conditionOf(t.fulfilment!)).toBe((post.body as any).condition);
    expect(fulfilmentMatches(t.fulfilment, (post.body as any).condition)).toBe(true);
    // FSPIOP headers: our FSP id as source; no destination on the party lookup, the payee FSP after it.
    const ours = sim.messages.filter((m) => m.direction === "request" && [`/parties/MSISDN/254700000001`, "/quotes", "/transfers"].includes(m.path));
    expect(ours.map((m) => [m.method, m.path.split("/")[1], m.headers["fspiop-source"], m.headers["fspiop-destination"]])).toEqual(
      expect.arrayContaining([
        ["GET", "parties", FSP, undefined],
        ["POST", "quotes", FSP, "payeefsp"],
        ["POST", "transfers", FSP, "payeefsp"],
      ]),
    );
    expect(post.headers["content-type"]).toBe("application/vnd.interoperability.transfers+json;version=1.1");
    expect(post.headers["accept"]).toBe("application/vnd.interoperability.transfers+json;version=1.1");
    expect(new Date(post.headers["date"]!).getTime()).toBeGreaterThan(Date.now() - 60_000);
    expect(cb.hub.pending).toBe(0);
  });

  it("party not found (3204), a payee refusal (5105) and a rejected quote (5101) are FAILED with the FSPIOP reason; nothing is paid", async () => {
    sim.setFaults({ unknownParties: ["254799999999"] });
    const [notFound] = await connector().send([instr("pay-nf", "254799999999")]);
    expect(notFound).toEqual({ id: "pay-nf", status: "FAILED", reason: "party lookup: FSPIOP 3204 Party not found" });
    expect(sim.messages.some((m) => m.path === "/quotes" && (m.body as any).quoteId === fspiopIds("pay-nf").quoteId)).toBe(false);

    sim.setFaults({ errorRate: 1, errorCode: "5105" });
    const [refused] = await connector().send([instr("pay-refused")]);
    expect(refused).toMatchObject({ status: "FAILED", reason: expect.stringMatching(/^transfer: FSPIOP 5105 Payee FSP rejected transaction/) });
    expect(sim.settlements.get(fspiopIds("pay-refused").transferId)).toBeUndefined();
    // Asked again, the switch says ABORTED: still FAILED.
    expect(await connector().status(["pay-refused"])).toMatchObject([{ status: "FAILED", reason: expect.stringMatching(/ABORTED/) }]);

    sim.setFaults({ quoteErrorRate: 1 });
    const [noQuote] = await connector().send([instr("pay-noquote")]);
    expect(noQuote).toMatchObject({ status: "FAILED", reason: "quote: FSPIOP 5101 Payee rejected quote" });
    expect(sim.transfers.has(fspiopIds("pay-noquote").transferId)).toBe(false);

    const [badType] = await connector().send([{ ...instr("pay-type"), payee: { type: "voucher", id: "1", provider: "mojahub" } }]);
    expect(badType).toMatchObject({ status: "FAILED", reason: expect.stringMatching(/no FSPIOP party id type/) });
  });

  it("refuses a COMMITTED transfer whose fulfilment does not match the condition (UNKNOWN for an operator, never COMPLETED)", async () => {
    sim.setFaults({ badFulfilment: true });
    const [out] = await connector().send([instr("pay-badful")]);
    expect(out).toMatchObject({ status: "UNKNOWN", reason: expect.stringMatching(/fulfilment that does not match the condition/) });
    const [asked] = await connector().status(["pay-badful"]);
    expect(asked).toMatchObject({ status: "UNKNOWN", reason: expect.stringMatching(/does not match/) });
    sim.setFaults({});
    // The switch's own record carries the right fulfilment: a status query now settles it.
    expect(await connector().status(["pay-badful"])).toMatchObject([{ status: "COMPLETED" }]);
  });

  it("no callback within the timeout is UNKNOWN, resolved later by status() through GET /transfers/{ID}", async () => {
    sim.setFaults({ noCallbackRate: 1 });
    const started = Date.now();
    const [out] = await connector(400).send([instr("pay-silent")]);
    expect(out).toEqual({ id: "pay-silent", status: "UNKNOWN", reason: expect.stringMatching(/no callback within 400 ms/) });
    expect(Date.now() - started).toBeLessThan(2000);
    sim.setFaults({});
    // A fresh connector (another process after a restart) knows no condition: it asks the quote again (GET /quotes/{ID}).
    const fresh = connector();
    expect(await fresh.status(["pay-silent", "never-sent"])).toEqual([
      { id: "pay-silent", status: "COMPLETED", reference: fspiopIds("pay-silent").transferId },
      { id: "never-sent", status: "NOT_FOUND" },
    ]);
    expect(sim.messages.some((m) => m.method === "GET" && m.path === `/quotes/${fspiopIds("pay-silent").quoteId}`)).toBe(true);
    expect(sim.settlements.get(fspiopIds("pay-silent").transferId)).toBe(1);
  });

  it("sending the same payment again (a crash before our commit) is a duplicate for the switch: paid once, same answer", async () => {
    const id = randomUUID();
    const [first] = await connector().send([instr(id)]);
    const before = sim.duplicates;
    // A new connector: nothing in memory, as after a restart.
    const [second] = await connector().send([instr(id)]);
    const [third] = await connector().send([instr(id)]);
    expect(first).toMatchObject({ status: "COMPLETED" });
    expect(second).toEqual(first);
    expect(third).toEqual(first);
    expect(sim.settlements.get(id)).toBe(1);
    expect(sim.duplicates - before).toBe(4); // a repeated quote and a repeated transfer, twice
    const posts = sim.messages.filter((m) => m.method === "POST" && m.path === "/transfers" && (m.body as any).transferId === id);
    expect(posts).toHaveLength(3);
    expect(new Set(posts.map((p) => JSON.stringify(p.body))).size).toBe(1); // byte-for-byte the same request
    // The same id with another amount is a modified request, never a second payment.
    const [changed] = await connector().send([instr(id, "254700000001", "99.00")]);
    expect(changed).toMatchObject({ status: "FAILED", reason: expect.stringMatching(/3106 Modified request/) });
    expect(sim.settlements.get(id)).toBe(1);
  });

  it("an unreachable switch or one answering 503 fails before any money moves", async () => {
    const dead = new MojaloopConnector("http://127.0.0.1:1/", { fspId: FSP }, { timeoutMs: 300, maxSendAttempts: 2 }, cb.hub);
    const [unreachable] = await dead.send([instr("pay-dead")]);
    expect(unreachable).toMatchObject({ status: "FAILED", reason: expect.stringMatching(/^party lookup: no answer after 2 attempts/) });
    expect(await dead.status(["pay-dead"])).toMatchObject([{ status: "UNKNOWN" }]);
    sim.setFaults({ httpErrorRate: 1 });
    const [busy] = await connector(1000, 2).send([instr("pay-busy")]);
    expect(busy).toMatchObject({ status: "FAILED", reason: expect.stringMatching(/^quote: no answer after 2 attempts \(quote: FSPIOP 2003/) });
    expect(sim.transfers.has(fspiopIds("pay-busy").transferId)).toBe(false);
    // A 503 on the transfer itself: asked first (GET /transfers → 3208 not found), then the same body is sent again.
    sim.setFaults({ transferHttpErrors: 1 });
    const [resent] = await connector().send([instr("pay-503")]);
    expect(resent).toMatchObject({ status: "COMPLETED" });
    const transferId = fspiopIds("pay-503").transferId;
    expect(sim.settlements.get(transferId)).toBe(1);
    expect(sim.messages.filter((m) => m.method === "GET" && m.path === `/transfers/${transferId}`)).toHaveLength(1);
    expect(sim.messages.filter((m) => m.method === "POST" && m.path === "/transfers" && (m.body as any).transferId === transferId)).toHaveLength(2);
  });

  it("the callback endpoint acknowledges callbacks nobody waits for, and refuses malformed ones with FSPIOP errors", async () => {
    const v = fspiopValidator();
    const put = (path: string, body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${cb.url}${path}`, {
        method: "PUT",
        headers: { "content-type": "application/vnd.interoperability.transfers+json;version=1.1", date: new Date().toUTCString(), "fspiop-source": "payeefsp", "fspiop-destination": FSP, ...headers },
        body: typeof body === "string" ? body : JSON.stringify(body),
      });
    const warned = cb.log.warnings.length;
    const unknownId = randomUUID();
    const late = await put(`/transfers/${unknownId}`, { transferState: "COMMITTED", fulfilment: "x".repeat(43), completedTimestamp: new Date().toISOString() });
    expect(late.status).toBe(200);
    expect(cb.log.warnings.length).toBe(warned + 1);
    expect(cb.log.warnings.at(-1)!.obj).toMatchObject({ key: `transfers/${unknownId}` });
    expect(cb.hub.recentFor(`transfers/${unknownId}`)).toMatchObject({ kind: "result" });
    expect((await put(`/transfers/${unknownId}/error`, { errorInformation: { errorCode: "5105", errorDescription: "late" } })).status).toBe(200);

    const refusals = [
      await put(`/transfers/${unknownId}`, { transferState: "COMMITTED" }, { "content-type": "application/json" }),
      await put(`/transfers/${unknownId}`, "{not json"),
      await put(`/transfers/${unknownId}`, { transferState: "COMMITTED" }, { "fspiop-destination": "someone-else" }),
      await put(`/transfers/${unknownId}/error`, { errorInformation: {} }),
      await put(`/bulkTransfers/${unknownId}`, {}),
    ];
    expect(refusals.map((r) => r.status)).toEqual([406, 400, 400, 400, 404]);
    const bodies = (await Promise.all(refusals.map((r) => r.json()))) as { errorInformation: { errorCode: string } }[];
    expect(bodies.map((b) => b.errorInformation.errorCode)).toEqual(["3001", "3101", "3100", "3102", "3002"]);
    for (const b of bodies) expect(v.errorResponse(b)).toBeNull();
  });

  it("every message we sent and the simulator sent is valid against the FSPIOP v1.1 OpenAPI definition", async () => {
    // Make sure every kind of message went by at least once in this suite.
    const kinds = new Set(sim.messages.map((m) => `${m.direction} ${m.method} ${m.path.replace(/[0-9a-f-]{36}/g, "{ID}").replace(/^\/parties\/[^/]+\/[^/]+/, "/parties/{Type}/{ID}")}`));
    expect([...kinds].sort()).toEqual(
      expect.arrayContaining([
        "request GET /parties/{Type}/{ID}",
        "request POST /quotes",
        "request GET /quotes/{ID}",
        "request POST /transfers",
        "request GET /transfers/{ID}",
        "callback PUT /parties/{Type}/{ID}",
        "callback PUT /parties/{Type}/{ID}/error",
        "callback PUT /quotes/{ID}",
        "callback PUT /quotes/{ID}/error",
        "callback PUT /transfers/{ID}",
        "callback PUT /transfers/{ID}/error",
      ]),
    );
    expect(sim.messages.length).toBeGreaterThan(40);
    expect(invalidMessages(sim)).toEqual([]);
    expect(sim.invalid).toEqual([]);
    expect(sim.callbackFailures).toBe(0);
    // The validator is not blind: a broken transfer is caught.
    const v = fspiopValidator();
    expect(v.request("POST", "/transfers", { transferId: "nope", amount: { currency: "KES", amount: "10.50" } })).not.toBeNull();
    expect(v.request("PUT", "/transfers/5f3c9a4e-1111-4222-8333-444455556666", { transferState: "DONE" })).not.toBeNull();
    expect(v.missingHeaders("POST", "/transfers", { accept: "x", "content-type": "x" })).toEqual(expect.arrayContaining(["date", "fspiop-source"]));
  });
});
