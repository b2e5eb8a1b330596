import { GsmaConnector } from "../src/connectors/gsma";
import { gsmaBatchCorrelationId } from "../src/connectors/gsma-bulk";
import type { Instruction } from "../src/connectors/types";
import { gsmaSchema, startMobileMoneySimulator, type MobileMoneySim } from "./helpers";

const instr = (id: string, msisdn = "254700000001", amount = "10.50", attempt = 0): Instruction => ({
  id,
  amount,
  currency: "KES",
  payee: { type: "mobile", id: msisdn, provider: "mpesa" },
  attempt,
});
const many = (prefix: string, n: number, attempt = 0) => Array.from({ length: n }, (_, i) => instr(`${prefix}-${i}`, `2547100${String(i).padStart(5, "0")}`, "5.00", attempt));

describe("GSMA bulk disbursement (POST /batchtransactions) against the simulator", () => {
  let sim: MobileMoneySim;
  const connector = (opts: ConstructorParameters<typeof GsmaConnector>[1] = {}) => new GsmaConnector(sim.url, { timeoutMs: 2000, gsmaBulkMinItems: 5, ...opts });
  beforeAll(async () => {
    sim = await startMobileMoneySimulator({}, { keepBodies: true });
  });
  afterAll(() => sim.stop());
  afterEach(() => sim.setFaults({}));

  it("the sub-batch id is a UUID fixed by its content and attempt: same instructions → same id, a retry → a new one", () => {
    const a = gsmaBatchCorrelationId(many("cid", 3));
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(gsmaBatchCorrelationId(many("cid", 3))).toBe(a);
    expect(gsmaBatchCorrelationId(many("cid", 3, 1))).not.toBe(a);
    expect(gsmaBatchCorrelationId(many("cid", 2))).not.toBe(a);
  });

  it("one batch exchange instead of one per payment; each item settled once with its own reference", async () => {
    const before = sim.requests;
    const out = await connector().send(many("bulk-a", 60));
    expect(out.map((o) => o.status)).toEqual(Array(60).fill("COMPLETED"));
    expect(out.map((o) => o.id)).toEqual(many("bulk-a", 60).map((i) => i.id));
    for (const o of out) expect((o as { reference: string }).reference).toBe(sim.transactions.get(o.id)!.transactionReference);
    expect(sim.requests - before).toBe(3); // POST, GET batch, GET completions (no rejections)
    expect(many("bulk-a", 60).every((i) => sim.settlements.get(i.id) === 1)).toBe(true);
  });

  it("small sub-batches and bulk turned off still go payment by payment", async () => {
    const before = sim.requests;
    await connector().send(many("small", 4));
    await connector({ gsmaBulkMinItems: 0 }).send(many("off", 6));
    expect(sim.requests - before).toBe(10);
    expect([...sim.batches.values()].some((b) => b.completions.some((r) => r.startsWith("small") || r.startsWith("off")))).toBe(false);
  });

  it("the same sub-batch sent again (a crash before our commit) is the batch the provider already has: nothing paid twice", async () => {
    const first = await connector().send(many("crash", 20));
    const batches = sim.batches.size;
    const dup = sim.duplicates;
    const again = await connector().send(many("crash", 20));
    expect(again).toEqual(first);
    expect(sim.batches.size).toBe(batches);
    expect(sim.duplicates).toBe(dup + 1);
    // A different sub-batch that overlaps (items re-sent in another batch): reported completed with the original transaction.
    const overlap = await connector().send([...many("crash", 20).slice(10), ...many("crash-new", 10)]);
    expect(overlap.slice(0, 10)).toEqual(first.slice(10));
    expect(overlap.slice(10).every((o) => o.status === "COMPLETED")).toBe(true);
    expect([...many("crash", 20), ...many("crash-new", 10)].every((i) => sim.settlements.get(i.id) === 1)).toBe(true);
  });

  it("rejected items are FAILED with the provider's reason and not paid; their retry (next attempt) is a new batch and pays them once", async () => {
    sim.setFaults({ rejectMsisdns: ["254710000003"], itemErrorRate: 0.3 });
    const list = many("rej", 40);
    const out = await connector().send(list);
    const failed = out.filter((o) => o.status === "FAILED");
    expect(failed.length).toBeGreaterThan(0);
    expect(out.find((o) => o.id === "rej-3")).toMatchObject({ status: "FAILED", reason: expect.stringMatching(/rejected it in batch .*wallet 254710000003 cannot receive funds/) });
    for (const o of out) expect(sim.settlements.get(o.id) ?? 0).toBe(o.status === "COMPLETED" ? 1 : 0);
    sim.setFaults({});
    const retry = await connector().send(list.filter((i) => failed.some((f) => f.id === i.id)).map((i) => ({ ...i, attempt: 1 })));
    expect(retry.every((o) => o.status === "COMPLETED")).toBe(true);
    expect(list.every((i) => sim.settlements.get(i.id) === 1)).toBe(true);
  });

  it("503 on every POST: FAILED after the attempts, never received; a late answer (processed) is followed through GET /responses, paid once", async () => {
    sim.setFaults({ errorRate: 1 });
    const busy = await connector({ maxSendAttempts: 2 }).send(many("busy", 6));
    expect(busy.every((o) => o.status === "FAILED" && /after 2 attempts/.test(o.reason))).toBe(true);
    expect(many("busy", 6).some((i) => sim.settlements.has(i.id))).toBe(false);
    sim.setFaults({ timeoutRate: 1, timeoutDelayMs: 800 });
    const late = await connector({ timeoutMs: 300 }).send(many("late", 6));
    expect(late.every((o) => o.status === "COMPLETED")).toBe(true);
    expect(many("late", 6).every((i) => sim.settlements.get(i.id) === 1)).toBe(true);
  });

  it("a batch still processing is polled; one not processed in time leaves its items UNKNOWN, then the status query settles them", async () => {
    sim.setFaults({ batchDelayMs: 150 });
    const polled = await connector().send(many("slow", 8));
    expect(polled.every((o) => o.status === "COMPLETED")).toBe(true);
    sim.setFaults({ batchDelayMs: 600 });
    const c = connector({ gsmaBulkWaitMs: 100 });
    const parked = await c.send(many("parked", 8));
    expect(parked.every((o) => o.status === "UNKNOWN")).toBe(true);
    await new Promise((r) => setTimeout(r, 700));
    expect((await c.status(many("parked", 8).map((i) => i.id))).every((a) => a.status === "COMPLETED")).toBe(true);
    expect(many("parked", 8).every((i) => sim.settlements.get(i.id) === 1)).toBe(true);
  });

  it("every batch request, request state, batch, completion and rejection is valid against the GSMA OpenAPI schemas", async () => {
    sim.setFaults({ rejectMsisdns: ["254710000001"] });
    await connector().send(many("schema", 6));
    const request = gsmaSchema("requestBatchTransaction");
    const batchBodies = sim.bodies.filter((b) => Array.isArray((b as { transactions?: unknown }).transactions));
    expect(batchBodies.length).toBeGreaterThan(3);
    for (const body of batchBodies) expect(request(body) ? null : request.errors).toBeNull();
    const batch = [...sim.batches.values()].find((b) => b.completions.some((r) => r.startsWith("schema-")))!;
    const state = gsmaSchema("requestStateObject");
    const rs = await (await fetch(`${sim.url}requeststates/${batch.serverCorrelationId}`)).json();
    expect(state(rs) ? null : state.errors).toBeNull();
    const summary = gsmaSchema("responseBatchTransaction");
    const b = await (await fetch(`${sim.url}batchtransactions/${batch.batchId}`)).json();
    expect(summary(b) ? null : summary.errors).toBeNull();
    const completion = gsmaSchema("responseBatchTransactionCompletion");
    const completions = (await (await fetch(`${sim.url}batchtransactions/${batch.batchId}/completions?limit=100`)).json()) as unknown[];
    expect(completions).toHaveLength(5);
    for (const c of completions) expect(completion(c) ? null : completion.errors).toBeNull();
    const rejection = gsmaSchema("responseBatchTransactionRejection");
    const rejections = (await (await fetch(`${sim.url}batchtransactions/${batch.batchId}/rejections`)).json()) as unknown[];
    expect(rejections).toHaveLength(1);
    for (const r of rejections) expect(rejection(r) ? null : rejection.errors).toBeNull();
    const link = await (await fetch(`${sim.url}responses/${batch.correlationId}`)).json();
    expect(link).toEqual({ link: `/batchtransactions/${batch.batchId}` });
  });
});
