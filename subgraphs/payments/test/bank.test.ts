/**
 * Bank connector (ISO 20022 pain.001 out, pain.002 in, camt.053/camt.054 for reconciliation)
 * against the bank simulator over loopback HTTP; every file either side writes is validated with
 * xmllint against the official XSDs.
 */
import { AuditEntry, codesOf, dataOf, JobRecord, startTestSubgraph, type TestSubgraph } from "@g2p/kit";
import { subgraph } from "../src";
import { Iso20022Connector } from "../src/connectors/iso20022";
import { buildPain001, makeIban, parseCamt053, parsePain002, isValidIban, endToEndIdOf, paymentIdOf } from "../src/connectors/iso20022/messages";
import { parseXml, XmlError } from "../src/connectors/iso20022/xml";
import { BatchStatus } from "../src/entities/disbursement-batch.entity";
import { LedgerAccount } from "../src/entities/ledger.entity";
import { Payment, PaymentStatus } from "../src/entities/payment.entity";
import { trialBalance } from "../src/services/ledger.service";
import { FINAL, FINANCE, fund, waitForBatch } from "./helpers";
import { xsdErrors } from "./xsd";

/** The simulated bank lives in test/simulators (shared with e2e and the bench); typed here to stay inside this package. */
interface BankSimulator {
  url: string;
  transactions: Map<string, { msgId: string; status: string }>;
  settlements: Map<string, number>;
  duplicates: number;
  uploads: number;
  received: string[];
  produced: { kind: "pain.002" | "camt.053" | "camt.054"; xml: string }[];
  setFaults(f: { latencyMs?: number; errorRate?: number; timeoutRate?: number; timeoutDelayMs?: number; settleDelayMs?: number; rejectRate?: number; rejectIbans?: string[]; statusErrorRate?: number }): void;
  reverse(endToEndId: string, reason?: string): void;
  settleAll(): void;
  statement(): string;
  stop(): Promise<void>;
}
const startBankSimulator: (faults?: Parameters<BankSimulator["setFaults"]>[0]) => Promise<BankSimulator> =
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require("../../../test/simulators/bank").startBankSimulator;

const iban = (n: number) => makeIban("DE", `37040044${String(n).padStart(10, "0")}`);
const instr = (id: string, n: number, amount = "10.50", note?: string) => ({ id, amount, currency: "EUR", payee: { type: "iban", id: iban(n), provider: "bank" }, note });
const CREATE = `mutation ($i: CreateDisbursementBatchInput!) { createDisbursementBatch(input: $i) { id } }`;
const RECONCILE = `mutation ($b: ID!, $s: String!, $f: StatementFormat) { reconcileStatement(batchId: $b, statement: $s, format: $f) { statementReference lines matched amountMismatches missing reversed unknownLines { reference amount mark } } }`;

describe("ISO 20022 messages", () => {
  it("builds a pain.001.001.09 that the official XSD accepts, with NbOfTxs, CtrlSum, EndToEndId and escaping", () => {
    const id = "0b7a9c1e-3f2d-4a5b-8c6d-7e8f9a0b1c2d";
    const { xml, msgId, nbOfTxs, ctrlSum } = buildPain001([instr(id, 1, "10.50", `Tom & Jerry <"cash"> 'ok'`), instr("plain-id", 2, "0.05"), instr("p3", 3, "1200")], { name: "Ministry & Co", iban: iban(99), bic: "COBADEFFXXX" });
    expect(xsdErrors("pain.001.001.09", [xml])).toEqual([]);
    expect([nbOfTxs, ctrlSum]).toEqual([3, "1210.55"]);
    expect(msgId).toMatch(/^G2P[0-9a-f]{32}$/);
    expect(xml).toContain(`<EndToEndId>${id.replace(/-/g, "")}</EndToEndId>`);
    expect(xml).toContain(`<UETR>${id}</UETR>`);
    expect(xml).toContain("<Ustrd>Tom &amp; Jerry &lt;&quot;cash&quot;&gt; &apos;ok&apos;</Ustrd>");
    // Our own reader gives back exactly what was written.
    const doc = parseXml(xml);
    const ustrd = doc.root.children[0]!.children[1]!.children.find((c) => c.name === "CdtTrfTxInf")!.children.find((c) => c.name === "RmtInf")!.children[0]!;
    expect(ustrd.text).toBe(`Tom & Jerry <"cash"> 'ok'`);
    // Same instructions → same MsgId (a re-upload is a duplicate file); other amounts → another.
    expect(buildPain001([instr(id, 1)], { name: "x", iban: iban(99), bic: "COBADEFFXXX" }).msgId).toBe(buildPain001([instr(id, 1)], { name: "y", iban: iban(98), bic: "COBADEFFXXX" }).msgId);
    expect(buildPain001([instr(id, 1, "1")], { name: "x", iban: iban(99), bic: "COBADEFFXXX" }).msgId).not.toBe(msgId);
    expect(paymentIdOf(endToEndIdOf(id))).toBe(id);
  });

  it("checks IBANs and refuses what a bank cannot pay, before any file is built", () => {
    expect(isValidIban("DE89370400440532013000")).toBe(true);
    expect(isValidIban("DE89370400440532013001")).toBe(false);
    expect(() => buildPain001([{ ...instr("x", 1), payee: { type: "mobile", id: "254700000001", provider: "bank" } }], { name: "x", iban: iban(99), bic: "COBADEFFXXX" })).toThrow(/cannot be paid by bank transfer/);
    expect(() => buildPain001([{ ...instr("x", 1), payee: { type: "iban", id: "DE00370400440532013000", provider: "bank" } }], { name: "x", iban: iban(99), bic: "COBADEFFXXX" })).toThrow(/invalid IBAN/);
  });

  it("the XML reader refuses DOCTYPE/entities, unbalanced tags, unknown entities and a wrong message", () => {
    expect(() => parseXml(`<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><d>&x;</d>`)).toThrow(/DOCTYPE/);
    expect(() => parseXml(`<a><b></a>`)).toThrow(XmlError);
    expect(() => parseXml(`<a>&nbsp;</a>`)).toThrow(/unknown entity/);
    expect(() => parseXml(`<a>1 & 2</a>`)).toThrow(/bare "&"/);
    expect(() => parseXml(`<a/><b/>`)).toThrow(/more than one root/);
    expect(parseXml(`<a x="1 &lt; 2"><![CDATA[<raw>]]>&#x41;&#66;</a>`).root).toMatchObject({ attrs: { x: "1 < 2" }, text: "<raw>AB" });
    expect(() => parsePain002(`<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt/></Document>`)).toThrow(/namespace/);
    expect(() => parseCamt053(`<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt><GrpHdr><MsgId>1</MsgId></GrpHdr><Stmt><Id>S</Id><Ntry><Amt Ccy="EUR">1.234</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts></Ntry></Stmt></BkToCstmrStmt></Document>`)).toThrow(/more than 2 decimals/);
  });
});

describe("bank connector against the bank simulator", () => {
  let bank: BankSimulator;
  beforeAll(async () => {
    bank = await startBankSimulator();
  });
  afterAll(async () => {
    // Everything the bank received and produced is schema-valid.
    expect(xsdErrors("pain.001.001.09", bank.received.filter((x) => x.includes("pain.001.001.09")))).toEqual([]);
    expect(xsdErrors("pain.002.001.10", bank.produced.filter((p) => p.kind === "pain.002").map((p) => p.xml))).toEqual([]);
    await bank.stop();
  });
  afterEach(() => bank.setFaults({}));

  it("settles a file; rejects come back FAILED with the ISO reason code; a re-send pays nobody twice", async () => {
    bank.setFaults({ rejectIbans: [iban(3)] });
    const c = new Iso20022Connector(bank.url, { reportWaitMs: 2000 });
    const list = [instr("c1-a", 1), instr("c1-b", 2, "3.00"), instr("c1-c", 3)];
    const out = await c.send(list);
    expect(out).toMatchObject([
      { id: "c1-a", status: "COMPLETED", reference: expect.stringMatching(/^BNK/) },
      { id: "c1-b", status: "COMPLETED" },
      { id: "c1-c", status: "FAILED", reason: "bank: RJCT AC04: closed account number" },
    ]);
    // The same instructions again a second later (a crash re-run): same MsgId, another CreDtTm, so the
    // bank answers 409 DU01; the connector follows the original file's report, pays nobody twice.
    await new Promise((r) => setTimeout(r, 1100));
    expect(await c.send(list)).toEqual(out);
    expect(await c.send([instr("c1-a", 1), instr("c1-d", 4)])).toMatchObject([{ status: "COMPLETED", reference: out[0]!.status === "COMPLETED" ? out[0]!.reference : "" }, { status: "COMPLETED" }]);
    expect([bank.settlements.get("c1-a"), bank.settlements.get("c1-b"), bank.settlements.get("c1-c")]).toEqual([1, 1, undefined]);
    expect(bank.duplicates).toBe(1);
    const [mobile] = await c.send([{ ...instr("c1-m", 1), payee: { type: "mobile", id: "254700000001", provider: "bank" } }]);
    expect(mobile).toMatchObject({ status: "FAILED", reason: expect.stringMatching(/cannot be paid by bank transfer/) });
  });

  it("a file refused as a whole fails every payment with the group reason; 503s are retried only when the bank never got the file", async () => {
    const c = new Iso20022Connector(bank.url, { reportWaitMs: 1000, maxSendAttempts: 2 });
    bank.setFaults({ errorRate: 1 });
    const busy = await c.send([instr("c2-a", 1)]);
    expect(busy).toMatchObject([{ status: "FAILED", reason: expect.stringMatching(/did not accept the file after 2 attempts \(HTTP 503\)/) }]);
    expect(bank.settlements.get("c2-a")).toBeUndefined();
    bank.setFaults({});
    // A hand-made file whose CtrlSum does not add up: the bank answers 400 + pain.002 RJCT AM10.
    const bad = buildPain001([instr("c2-b", 1)], { name: "x", iban: iban(99), bic: "COBADEFFXXX" }).xml.replace(/<CtrlSum>10.5<\/CtrlSum>/, "<CtrlSum>99</CtrlSum>");
    const res = await fetch(`${bank.url}files`, { method: "POST", headers: { "content-type": "application/xml" }, body: bad });
    expect(res.status).toBe(400);
    const report = parsePain002(await res.text());
    expect(report).toMatchObject({ groupStatus: "RJCT", groupReasonCode: "AM10" });
    const junk = await fetch(`${bank.url}files`, { method: "POST", body: "<Document><not-closed>" });
    expect([junk.status, parsePain002(await junk.text()).groupReasonCode]).toEqual([400, "FF01"]);
  });

  it("a timeout after the bank processed the file is settled from its report; an unsettled transaction is UNKNOWN until a status query", async () => {
    bank.setFaults({ timeoutRate: 1, timeoutDelayMs: 700 });
    const c = new Iso20022Connector(bank.url, { timeoutMs: 300, reportWaitMs: 1000 });
    const [late] = await c.send([instr("c3-a", 1)]);
    expect(late).toMatchObject({ status: "COMPLETED" });
    expect(bank.settlements.get("c3-a")).toBe(1);
    expect(bank.uploads).toBeGreaterThan(0);
    bank.setFaults({ settleDelayMs: 800 });
    const slow = new Iso20022Connector(bank.url, { reportWaitMs: 200 });
    const [pending] = await slow.send([instr("c3-b", 2)]);
    expect(pending).toMatchObject({ status: "UNKNOWN", reason: "bank: ACCP after 200 ms (not final)" });
    expect(await slow.status(["c3-b", "never-sent"])).toMatchObject([{ status: "PENDING" }, { status: "NOT_FOUND" }]);
    await new Promise((r) => setTimeout(r, 900));
    expect(await slow.status(["c3-b"])).toMatchObject([{ status: "COMPLETED", reference: expect.stringMatching(/^BNK/) }]);
    const dead = new Iso20022Connector("http://127.0.0.1:1/", { timeoutMs: 300, maxSendAttempts: 1 });
    expect(await dead.send([instr("c3-c", 1)])).toMatchObject([{ status: "UNKNOWN" }]);
  });
});

describe("payments through the bank, end to end (subgraph + bank simulator)", () => {
  let sg: TestSubgraph;
  let bank: BankSimulator;
  beforeAll(async () => {
    bank = await startBankSimulator();
    // Connector settings are read from the process environment when a connector is made.
    process.env.PAYMENTS_ISO20022_REPORT_WAIT_MS = "1500";
    sg = await startTestSubgraph(subgraph);
    dataOf(await sg.request(`mutation ($i: PaymentProviderInput!) { upsertPaymentProvider(input: $i) { code } }`, { i: { code: "bank", name: "Bank", kind: "BANK", connector: "ISO20022", endpointUrl: bank.url } }, FINANCE));
  });
  afterAll(async () => {
    expect(xsdErrors("pain.001.001.09", bank.received)).toEqual([]);
    expect(xsdErrors("pain.002.001.10", bank.produced.filter((p) => p.kind === "pain.002").map((p) => p.xml))).toEqual([]);
    expect(xsdErrors("camt.053.001.08", bank.produced.filter((p) => p.kind === "camt.053").map((p) => p.xml))).toEqual([]);
    expect(xsdErrors("camt.054.001.08", bank.produced.filter((p) => p.kind === "camt.054").map((p) => p.xml))).toEqual([]);
    await sg.stop();
    await bank.stop();
    delete process.env.PAYMENTS_ISO20022_REPORT_WAIT_MS;
  });

  const payments = (n: number, prefix: string, amount = "25.00") => Array.from({ length: n }, (_, i) => ({ instructionId: `${prefix}-${i}`, financialAddress: `iban:${iban(1000 + i)}@bank`, amount }));
  const rows = (id: string) => sg.orm.em.fork().find(Payment, { batchId: id }, { orderBy: { seq: "asc" } });

  it("pays a batch: rejects FAILED with their reason, the rest COMPLETED once; camt.053 reconciles against the ledger", async () => {
    await fund(sg, "B1", "10000.00");
    bank.setFaults({ rejectIbans: [iban(1003)] });
    const { id } = dataOf(await sg.request(CREATE, { i: { clientCorrelationId: "bank-1", programCode: "B1", currency: "KES", payments: payments(6, "b1") } }, FINANCE)).createDisbursementBatch;
    expect((await waitForBatch(sg, id, FINAL)).status).toBe(BatchStatus.PARTIALLY_COMPLETED);
    const paid = await rows(id);
    expect(paid.map((p) => p.status)).toEqual(["COMPLETED", "COMPLETED", "COMPLETED", "FAILED", "COMPLETED", "COMPLETED"]);
    expect(paid[3]!.statusReason).toBe("bank: RJCT AC04: closed account number");
    expect(paid.filter((p) => p.status === PaymentStatus.COMPLETED).every((p) => bank.settlements.get(endToEndIdOf(p.id)) === 1 && /^BNK/.test(p.providerReference ?? ""))).toBe(true);
    const funding = await sg.orm.em.fork().findOneOrFail(LedgerAccount, { code: "FUNDING:B1" });
    expect([funding.balance, funding.held]).toEqual(["9875.00", "0.00"]);

    // The bank reverses one payment; its statement also carries a payment of another batch (unknown here) and misses none.
    bank.reverse(endToEndIdOf(paid[5]!.id), "AC04 account closed after credit");
    const statement = bank.statement();
    const other = await fetch(`${bank.url}files`, { method: "POST", body: buildPain001([instr("not-ours", 7, "5.00")], { name: "x", iban: iban(99), bic: "COBADEFFXXX" }).xml });
    expect(other.status).toBe(202);
    const withUnknown = bank.statement();
    const report = dataOf(await sg.request(RECONCILE, { b: id, s: withUnknown }, FINANCE)).reconcileStatement;
    expect(report).toMatchObject({ lines: 7, matched: 4, amountMismatches: [], missing: [], reversed: [paid[5]!.id], unknownLines: [{ reference: "not-ours", amount: "5.00", mark: "D" }] });
    expect(statement.length).toBeGreaterThan(0);
    const after = await rows(id);
    expect(after.map((p) => p.reconciliation ?? null)).toEqual(["MATCHED", "MATCHED", "MATCHED", null, "MATCHED", "REVERSED"]);
    expect((await sg.orm.em.fork().findOneOrFail(LedgerAccount, { code: "FUNDING:B1" })).balance).toBe("9900.00");
    const t = await trialBalance(sg.orm.em.fork());
    expect([t.balances, t.lines]).toEqual([0n, 0n]);

    // A camt.054 of the first file: the same parser path, format detected from the namespace.
    const msgId = bank.transactions.get(endToEndIdOf(paid[0]!.id))!.msgId;
    const ntf = await (await fetch(`${bank.url}notifications/${msgId}`)).text();
    const r54 = dataOf(await sg.request(RECONCILE, { b: id, s: ntf }, FINANCE)).reconcileStatement;
    expect(r54).toMatchObject({ lines: 5, unknownLines: [], reversed: [] });
  });

  it("a malformed or wrong statement is refused with MALFORMED_FILE and nothing is written", async () => {
    const [batch] = dataOf(await sg.request(`{ disbursementBatches(first: 1) { nodes { id } } }`, {}, FINANCE)).disbursementBatches.nodes;
    const before = await rows(batch.id);
    const audits = await sg.orm.em.fork().count(AuditEntry, {});
    const good = bank.statement();
    const cases = [
      good.replace("</BkToCstmrStmt>", ""), // not well-formed
      good.replace(/<CdtDbtInd>DBIT<\/CdtDbtInd>/, "<CdtDbtInd>SIDEWAYS</CdtDbtInd>"),
      good.replace(/camt\.053\.001\.08/, "camt.053.001.02"), // another version of the message
      `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "boom">]><Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"/>`,
    ];
    for (const s of cases) {
      const res = await sg.request(RECONCILE, { b: batch.id, s, f: "CAMT053" }, FINANCE);
      if (codesOf(res)[0] !== "MALFORMED_FILE") throw new Error(res.dump);
      expect(res.errors![0]!.extensions).toMatchObject({ field: "statement", format: "CAMT053" });
    }
    expect(codesOf(await sg.request(RECONCILE, { b: batch.id, s: "garbage", f: "MT940" }, FINANCE))).toEqual(["MALFORMED_FILE"]);
    expect(codesOf(await sg.request(`mutation ($b: ID!) { reconcileStatement(batchId: $b) { lines } }`, { b: batch.id }, FINANCE))).toEqual(["BAD_USER_INPUT"]);
    const after = await rows(batch.id);
    expect(after.map((p) => [p.reconciliation, p.statusReason, p.updatedAt.getTime()])).toEqual(before.map((p) => [p.reconciliation, p.statusReason, p.updatedAt.getTime()]));
    expect(await sg.orm.em.fork().count(AuditEntry, {})).toBe(audits);
  });

  it("a payment the bank has not settled in time is UNKNOWN, then COMPLETED by the status query", async () => {
    await fund(sg, "B2", "1000.00");
    bank.setFaults({ settleDelayMs: 600_000 });
    const { id } = dataOf(await sg.request(CREATE, { i: { clientCorrelationId: "bank-2", programCode: "B2", currency: "KES", payments: payments(3, "b2", "10.00") } }, FINANCE)).createDisbursementBatch;
    expect((await waitForBatch(sg, id, [...FINAL, BatchStatus.RECONCILING])).status).toBe(BatchStatus.RECONCILING);
    expect((await rows(id)).map((p) => [p.status, p.statusReason])).toEqual(Array(3).fill(["UNKNOWN", "bank: ACCP after 1500 ms (not final)"]));
    expect((await sg.orm.em.fork().findOneOrFail(LedgerAccount, { code: "PAYABLE:B2" })).balance).toBe("30.00");
    // Still not settled: the status query leaves them UNKNOWN (nothing guessed).
    dataOf(await sg.request(`mutation ($id: ID!) { reconcileDisbursementBatch(id: $id) { id } }`, { id }, FINANCE));
    for (let i = 0; i < 100 && (await sg.orm.em.fork().count(JobRecord, { status: { $in: ["PENDING", "RUNNING"] } })) > 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(await sg.orm.em.fork().count(JobRecord, { status: { $in: ["PENDING", "RUNNING"] } })).toBe(0);
    expect((await rows(id)).map((p) => p.status)).toEqual(["UNKNOWN", "UNKNOWN", "UNKNOWN"]);
    bank.settleAll();
    dataOf(await sg.request(`mutation ($id: ID!) { reconcileDisbursementBatch(id: $id) { id } }`, { id }, FINANCE));
    expect((await waitForBatch(sg, id, FINAL)).status).toBe(BatchStatus.COMPLETED);
    expect((await sg.orm.em.fork().findOneOrFail(LedgerAccount, { code: "PAYABLE:B2" })).balance).toBe("0.00");
    const t = await trialBalance(sg.orm.em.fork());
    expect([t.balances, t.lines]).toEqual([0n, 0n]);
  });
});
