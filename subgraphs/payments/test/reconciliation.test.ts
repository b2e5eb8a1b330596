import { codesOf, dataOf, startTestSubgraph, type TestSubgraph } from "@g2p/kit";
import { subgraph } from "../src";
import { BatchStatus } from "../src/entities/disbursement-batch.entity";
import { LedgerAccount } from "../src/entities/ledger.entity";
import { Payment } from "../src/entities/payment.entity";
import { trialBalance } from "../src/services/ledger.service";
import { parseMt940 } from "../src/services/mt940";
import { FINAL, FINANCE, fund, provider, startMobileMoneySimulator, waitForBatch, type MobileMoneySim } from "./helpers";

const RECONCILE = `mutation ($b: ID!, $s: String!) { reconcileStatement(batchId: $b, mt940: $s) { statementReference lines matched amountMismatches missing reversed unknownLines { reference amount mark } } }`;

function mt940(lines: { mark: string; amount: string; ref: string; narrative: string }[]) {
  return [
    ":20:STMT-0001",
    ":25:KE001122334455",
    ":28C:00001/001",
    ":60F:C261127KES1000000,00",
    ...lines.flatMap((l) => [`:61:2611271127${l.mark}${l.amount}NTRF${l.ref}//BNK${l.ref.slice(0, 8)}`, `:86:${l.narrative}`]),
    ":62F:C261127KES999000,00",
    "-",
  ].join("\r\n");
}

describe("reconciliation of a provider statement (MT940)", () => {
  let sg: TestSubgraph;
  let sim: MobileMoneySim;
  beforeAll(async () => {
    sim = await startMobileMoneySimulator();
    sg = await startTestSubgraph(subgraph);
    await provider(sg, "mpesa", sim.url);
  });
  afterAll(async () => {
    await sg.stop();
    await sim.stop();
  });

  it("parses :61: entries with marks, amounts, references and :86: narratives", () => {
    const s = parseMt940(mt940([{ mark: "D", amount: "12,5", ref: "PAY1", narrative: "G2P abc" }, { mark: "RD", amount: "3,00", ref: "PAY2", narrative: "return" }]));
    expect(s).toMatchObject({ reference: "STMT-0001", account: "KE001122334455", statementNumber: "00001/001" });
    expect(s.entries).toEqual([
      { valueDate: "261127", mark: "D", amount: 1250n, typeCode: "NTRF", customerReference: "PAY1", bankReference: "BNKPAY1", narrative: "G2P abc" },
      { valueDate: "261127", mark: "RD", amount: 300n, typeCode: "NTRF", customerReference: "PAY2", bankReference: "BNKPAY2", narrative: "return" },
    ]);
    expect(() => parseMt940(":20:X\n:25:Y\n:61:garbage")).toThrow(/bad :61:/);
    expect(() => parseMt940(":61:2611271127D1,00NTRFX")).toThrow(/needs :20: and :25:/);
  });

  it("flags a missing, a reversed and an unknown line (and matches the rest); the reversal returns funds, ledger balanced", async () => {
    await fund(sg, "R1", "1000.00");
    const payments = Array.from({ length: 4 }, (_, i) => ({ instructionId: `rec-${i}`, financialAddress: `mobile:25478000000${i}@mpesa`, amount: `${10 + i}.00` }));
    const { id } = dataOf(await sg.request(`mutation ($i: CreateDisbursementBatchInput!) { createDisbursementBatch(input: $i) { id } }`, { i: { clientCorrelationId: "rec", programCode: "R1", currency: "KES", payments } }, FINANCE)).createDisbursementBatch;
    expect((await waitForBatch(sg, id, FINAL)).status).toBe(BatchStatus.COMPLETED);
    const rows = await sg.orm.em.fork().find(Payment, { batchId: id }, { orderBy: { seq: "asc" } });
    const statement = mt940([
      { mark: "D", amount: "10,00", ref: "rec-0", narrative: `G2P ${rows[0]!.id}` },
      { mark: "D", amount: "11,00", ref: "X", narrative: `G2P ${rows[1]!.id}` },
      { mark: "D", amount: "13,00", ref: "rec-3", narrative: "G2P payout" },
      { mark: "RD", amount: "13,00", ref: "rec-3", narrative: "account closed" },
      { mark: "D", amount: "99,00", ref: "nobody", narrative: "not ours" },
      // rows[2] (12.00) is missing from the statement
    ]);
    const report = dataOf(await sg.request(RECONCILE, { b: id, s: statement }, FINANCE)).reconcileStatement;
    expect(report).toEqual({
      statementReference: "STMT-0001",
      lines: 5,
      matched: 2,
      amountMismatches: [],
      missing: [rows[2]!.id],
      reversed: [rows[3]!.id],
      unknownLines: [{ reference: "nobody", amount: "99.00", mark: "D" }],
    });
    const after = await sg.orm.em.fork().find(Payment, { batchId: id }, { orderBy: { seq: "asc" } });
    expect(after.map((p) => p.reconciliation)).toEqual(["MATCHED", "MATCHED", "MISSING", "REVERSED"]);
    const funding = await sg.orm.em.fork().findOneOrFail(LedgerAccount, { code: "FUNDING:R1" });
    expect(funding.balance).toBe(`${1000 - 46 + 13}.00`);
    // Reconciling the same statement again changes nothing (the reversal is posted once).
    dataOf(await sg.request(RECONCILE, { b: id, s: statement }, FINANCE));
    expect((await sg.orm.em.fork().findOneOrFail(LedgerAccount, { code: "FUNDING:R1" })).balance).toBe("967.00");
    const t = await trialBalance(sg.orm.em.fork());
    expect([t.balances, t.lines]).toEqual([0n, 0n]);
    expect(codesOf(await sg.request(RECONCILE, { b: id, s: "not a statement" }, FINANCE))).toEqual(["MALFORMED_FILE"]);
    expect(codesOf(await sg.request(RECONCILE, { b: "00000000-0000-4000-8000-000000000000", s: statement }, FINANCE))).toEqual(["NOT_FOUND"]);
  });
});
