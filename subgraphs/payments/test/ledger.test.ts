import { AuditEntry, codesOf, dataOf, startTestSubgraph, type TestSubgraph } from "@g2p/kit";
import { subgraph } from "../src";
import { JournalEntry, LedgerAccount, LedgerHold } from "../src/entities/ledger.entity";
import { closeHold, consumeHold, placeHold, post, trialBalance } from "../src/services/ledger.service";
import { FINANCE, fund } from "./helpers";

describe("double-entry ledger", () => {
  let sg: TestSubgraph;
  beforeAll(async () => {
    sg = await startTestSubgraph(subgraph);
  });
  afterAll(() => sg.stop());

  const account = (code: string) => sg.orm.em.fork().findOne(LedgerAccount, { code });

  it("funds a program from the treasury once per reference, balanced and audited", async () => {
    expect(await fund(sg, "L1", "1000.10", "grant-1")).toMatchObject({ code: "FUNDING:L1", balance: "1000.10", held: "0.00" });
    expect(await fund(sg, "L1", "1000.10", "grant-1")).toMatchObject({ balance: "1000.10" });
    expect(await fund(sg, "L1", "0.90", "grant-2")).toMatchObject({ balance: "1001.00" });
    expect((await account("TREASURY:KES"))!.balance).toBe("-1001.00");
    const t = await trialBalance(sg.orm.em.fork());
    expect([t.balances, t.lines]).toEqual([0n, 0n]);
    expect(dataOf(await sg.request(`{ trialBalance { balances lines entries } }`, {}, { role: "auditor" })).trialBalance).toMatchObject({ balances: "0.00", lines: "0.00" });
    expect(await sg.orm.em.fork().count(AuditEntry, { action: "ledger.fund" })).toBe(2);
    const bad = await sg.request(`mutation { fundProgram(programCode: "L1", currency: "KES", amount: "1.001", reference: "x") { code } }`, {}, FINANCE);
    expect(codesOf(bad)).toEqual(["BAD_USER_INPUT"]);
    expect(codesOf(await sg.request(`mutation { fundProgram(programCode: "L1", currency: "KES", amount: "1", reference: "y") { code } }`, {}, { role: "approver" }))).toEqual(["FORBIDDEN"]);
  });

  it("refuses an unbalanced entry and writes nothing; a posting key is used once", async () => {
    const em = sg.orm.em.fork();
    const before = await em.count(JournalEntry, {});
    await expect(
      em.transactional((tx) => post(tx, { key: "bad-1", description: "x", currency: "KES", lines: [{ account: "FUNDING:L1", amount: 100n }, { account: "TREASURY:KES", amount: -99n }] })),
    ).rejects.toThrow(/not balanced/);
    const ok = { key: "move-1", description: "move", currency: "KES", lines: [{ account: "FUNDING:L1", amount: -500n }, { account: "SETTLEMENT:bank", amount: 500n }] };
    expect(await em.fork().transactional((tx) => post(tx, ok))).toBe(true);
    expect(await em.fork().transactional((tx) => post(tx, ok))).toBe(false);
    expect(await em.count(JournalEntry, {})).toBe(before + 1);
    expect((await account("FUNDING:L1"))!.balance).toBe("996.00");
    expect((await account("SETTLEMENT:bank"))!.balance).toBe("5.00");
    await expect(em.fork().transactional((tx) => post(tx, { ...ok, key: "usd", currency: "USD" }))).rejects.toThrow(/is in KES/);
  });

  it("holds reserve funds: a hold beyond the available balance is refused, spending and closing release it", async () => {
    await fund(sg, "L2", "100.00", "l2");
    const em = sg.orm.em.fork();
    const h1 = await em.fork().transactional((tx) => placeHold(tx, "h1", "FUNDING:L2", "KES", 7000n, null));
    expect(h1).not.toBeNull();
    expect(await em.fork().transactional((tx) => placeHold(tx, "h2", "FUNDING:L2", "KES", 3001n, null))).toBeNull();
    expect((await em.fork().transactional((tx) => placeHold(tx, "h1", "FUNDING:L2", "KES", 7000n, null)))!.id).toBe(h1!.id);
    expect(await account("FUNDING:L2")).toMatchObject({ balance: "100.00", held: "70.00" });
    await em.fork().transactional(async (tx) => {
      const hold = await tx.findOneOrFail(LedgerHold, { key: "h1" });
      await post(tx, { key: "spend-h1", description: "spend", currency: "KES", lines: [{ account: "FUNDING:L2", amount: -2000n }, { account: "SETTLEMENT:bank", amount: 2000n }] });
      await consumeHold(tx, hold, 2000n);
      await closeHold(tx, hold);
    });
    expect(await account("FUNDING:L2")).toMatchObject({ balance: "80.00", held: "0.00" });
    expect(await em.fork().transactional((tx) => placeHold(tx, "h3", "FUNDING:L2", "KES", 8000n, null))).not.toBeNull();
  });

  it("concurrent holds never over-commit an account", async () => {
    await fund(sg, "L3", "100.00", "l3");
    const results = await Promise.allSettled(
      Array.from({ length: 6 }, (_, i) => sg.orm.em.fork().transactional((tx) => placeHold(tx, `c-${i}`, "FUNDING:L3", "KES", 3000n, null))),
    );
    const granted = results.filter((r) => r.status === "fulfilled" && r.value).length;
    expect(granted).toBe(3);
    expect((await account("FUNDING:L3"))!.held).toBe("90.00");
  });
});
