import { GsmaConnector, gsmaAmount } from "../src/connectors/gsma";
import { gsmaSchema, startMobileMoneySimulator, type MobileMoneySim } from "./helpers";

const instr = (id: string, msisdn = "254700000001", amount = "10.50") => ({ id, amount, currency: "KES", payee: { type: "mobile", id: msisdn, provider: "mpesa" } });

describe("GSMA connector against the simulator", () => {
  let sim: MobileMoneySim;
  beforeAll(async () => {
    sim = await startMobileMoneySimulator({}, { keepBodies: true });
  });
  afterAll(() => sim.stop());
  afterEach(() => sim.setFaults({}));

  it("formats amounts as GSMA wants them", () => {
    expect(["10.00", "10.50", "0.05", "1200"].map(gsmaAmount)).toEqual(["10", "10.5", "0.05", "1200"]);
  });

  it("sending the same instruction again (a crash before our commit) settles it once and returns the same reference", async () => {
    const c = new GsmaConnector(sim.url, { timeoutMs: 2000 });
    const [first] = await c.send([instr("pay-dup-1")]);
    const [second] = await c.send([instr("pay-dup-1")]);
    expect(first).toMatchObject({ status: "COMPLETED" });
    expect(second).toEqual(first);
    expect(sim.settlements.get("pay-dup-1")).toBe(1);
    expect(sim.duplicates).toBe(1);
  });

  it("a provider refusal is FAILED with the GSMA error; unreachable is FAILED after the attempts, never sent twice", async () => {
    sim.setFaults({ rejectMsisdns: ["254700000009"] });
    const c = new GsmaConnector(sim.url, { timeoutMs: 2000, maxSendAttempts: 2 });
    const [refused] = await c.send([instr("pay-refused", "254700000009")]);
    expect(refused).toMatchObject({ status: "FAILED", reason: expect.stringMatching(/^businessRule\.genericError/) });
    sim.setFaults({ errorRate: 1 });
    const [busy] = await c.send([instr("pay-busy")]);
    expect(busy).toMatchObject({ status: "FAILED", reason: expect.stringMatching(/after 2 attempts/) });
    expect(sim.settlements.get("pay-busy")).toBeUndefined();
    const dead = new GsmaConnector("http://127.0.0.1:1/", { timeoutMs: 500, maxSendAttempts: 1 });
    const [unreachable] = await dead.send([instr("pay-unreachable")]);
    expect(unreachable.status).toBe("UNKNOWN");
  });

  it("a timeout after the provider processed it is COMPLETED by the status query; async 202 + polling works", async () => {
    sim.setFaults({ timeoutRate: 1, timeoutDelayMs: 800 });
    const c = new GsmaConnector(sim.url, { timeoutMs: 300 });
    const [late] = await c.send([instr("pay-late")]);
    expect(late).toMatchObject({ status: "COMPLETED" });
    expect(sim.settlements.get("pay-late")).toBe(1);
    sim.setFaults({ async: true });
    const [polled] = await c.send([instr("pay-async")]);
    expect(polled).toMatchObject({ status: "COMPLETED", reference: sim.transactions.get("pay-async")!.transactionReference });
    expect(await c.status(["pay-async", "never-sent"])).toMatchObject([{ status: "COMPLETED" }, { status: "NOT_FOUND" }]);
  });

  it("every request body is valid against the GSMA OpenAPI schema, and the simulator's answers too", async () => {
    const request = gsmaSchema("requestTransactionType");
    expect(sim.bodies.length).toBeGreaterThan(3);
    for (const body of sim.bodies) expect(request(body) ? null : request.errors).toBeNull();
    const response = gsmaSchema("responseTransactionType");
    const tx = await (await fetch(`${sim.url}transactions/${sim.transactions.get("pay-dup-1")!.transactionReference}`)).json();
    expect(response(tx) ? null : response.errors).toBeNull();
    const state = gsmaSchema("requestStateObject");
    const rs = await (await fetch(`${sim.url}requeststates/${sim.transactions.get("pay-async")!.serverCorrelationId}`)).json();
    expect(state(rs) ? null : state.errors).toBeNull();
    const err = gsmaSchema("errorObject");
    const nf = await (await fetch(`${sim.url}responses/nope`)).json();
    expect(err(nf) ? null : err.errors).toBeNull();
  });
});
