/**
 * Must show (issue 6): kill -9 the payments worker at random points of a 20,000-payment batch,
 * several times, and restart it: every payment settles exactly once at the simulator (it counts
 * receipts per payment id) and the ledger balances.
 *
 * With GSMA bulk on (the default from 50 payments per chunk) a kill lands between the provider
 * processing a chunk's batch and our commit: the restarted chunk sends the same batch again (same
 * X-CorrelationID), and the provider answers with the batch it has. `PAYMENTS_GSMA_BULK_MIN_ITEMS=0`
 * runs the single-transfer path instead.
 *
 * The worker is the real payments subgraph process (in-process jobs; on PostgreSQL when
 * DATABASE_URL is set, else a SQLite file). BullMQ is left out here: a SIGKILLed BullMQ worker's
 * active step waits for BullMQ's stalled-job check (30 s) before it runs again — correct, but slow.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createTestDatabase, dataOf, graphqlRequest, type TestDatabase } from "@g2p/kit";
import { spawnServer, type SpawnedServer } from "../src";
import { startMobileMoneySimulator, type MobileMoneySimulator } from "../simulators/mobile-money";

const N = Number(process.env.PAYMENTS_CRASH_N ?? 20_000);
const FINANCE = { role: "finance_officer" as const, sub: "finance-crash" };
const FINAL = ["COMPLETED", "PARTIALLY_COMPLETED", "FAILED", "RECONCILING"];

describe("payments worker killed with SIGKILL mid-batch", () => {
  let sim: MobileMoneySimulator;
  let db: TestDatabase;
  let dir: string;
  let worker: SpawnedServer | null = null;
  const env = () => ({
    PORT: "0",
    DATA_DIR: dir,
    DATABASE_URL: db.databaseUrl ?? "",
    REDIS_URL: "",
    LOG_LEVEL: "warn",
    PAYMENTS_CHUNK_SIZE: "500",
    PAYMENTS_CONNECTOR_TIMEOUT_MS: "3000",
    // GSMA bulk (one POST /batchtransactions per chunk) unless PAYMENTS_GSMA_BULK_MIN_ITEMS=0 asks for one POST per payment.
    PAYMENTS_GSMA_BULK_MIN_ITEMS: process.env.PAYMENTS_GSMA_BULK_MIN_ITEMS ?? "50",
  });
  const start = async () => {
    // "warn" keeps the listening line out, so ask for info only on the line that carries the URL.
    worker = await spawnServer(path.join("subgraphs", "payments", "src", "main.ts"), [], { ...env(), LOG_LEVEL: "info" }, 60_000);
    return worker;
  };
  const gql = (query: string, variables: Record<string, unknown> = {}) => graphqlRequest(`${worker!.url}`, query, variables, FINANCE);

  beforeAll(async () => {
    sim = await startMobileMoneySimulator();
    db = await createTestDatabase();
    dir = mkdtempSync(path.join(tmpdir(), "payments-crash-"));
  });
  afterAll(async () => {
    await worker?.kill("SIGKILL");
    await sim.stop();
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it(`${N} payments, three SIGKILLs: each settled exactly once, ledger balanced`, async () => {
    const t0 = Date.now();
    await start();
    dataOf(await gql(`mutation ($u: String!) { upsertPaymentProvider(input: { code: "mpesa", name: "M-Pesa", kind: WALLET, connector: GSMA, endpointUrl: $u }) { code } }`, { u: sim.url }));
    dataOf(await gql(`mutation { fundProgram(programCode: "CRASH", currency: "KES", amount: "100000000.00", reference: "crash-fund") { code } }`));
    const rows = ["request_id,payment_mode,payee_identifier_type,payee_identifier,amount,currency,payee_dfsp_id"];
    for (let i = 0; i < N; i++) rows.push(`r${i},GSMA,MSISDN,2547${String(i).padStart(8, "0")},${(i % 97) + 1}.25,KES,mpesa`);
    const batch = dataOf(
      await gql(`mutation ($i: CsvDisbursementBatchInput!) { submitDisbursementCsv(input: $i) { id paymentCount totalAmount } }`, {
        i: { clientCorrelationId: "crash-1", programCode: "CRASH", currency: "KES", csv: rows.join("\n") },
      }),
    ).submitDisbursementCsv;
    expect(batch.paymentCount).toBe(N);

    const status = async () => dataOf(await gql(`query ($id: ID!) { disbursementBatch(id: $id) { status summary { completed ongoing total } } }`, { id: batch.id })).disbursementBatch;
    let kills = 0;
    const settledAtKill: number[] = [];
    while (kills < 3) {
      // Kill at a random point while payments are going out: mid-chunk, after some of its sends.
      const target = sim.settlements.size + 50 + Math.floor(Math.random() * 900);
      const until = Date.now() + 30_000;
      while (sim.settlements.size < target && Date.now() < until) await new Promise((r) => setTimeout(r, 2));
      if (sim.settlements.size < target) break; // finished before this kill point
      await worker!.kill("SIGKILL");
      kills++;
      settledAtKill.push(sim.settlements.size);
      await start();
    }
    const deadline = Date.now() + 120_000;
    let s = await status();
    while (!FINAL.includes(s.status) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      s = await status();
    }
    expect(s.status).toBe("COMPLETED");
    expect(kills).toBeGreaterThanOrEqual(1);
    expect(s.summary).toMatchObject({ completed: N, ongoing: 0, total: N });
    // Exactly once at the provider: N distinct ids, each settled once.
    expect(sim.settlements.size).toBe(N);
    expect([...sim.settlements.values()].every((c) => c === 1)).toBe(true);
    // The path exercised: provider batches (a killed chunk re-sends its sub-batch) or single transfers.
    if (env().PAYMENTS_GSMA_BULK_MIN_ITEMS === "0") expect(sim.batches.size).toBe(0);
    else expect(sim.batches.size).toBeGreaterThanOrEqual(N / 500);
    const ledger = dataOf(await gql(`{ trialBalance { balances lines } ledgerAccounts { code balance held } }`));
    expect(ledger.trialBalance).toEqual({ balances: "0.00", lines: "0.00" });
    const byCode = Object.fromEntries(ledger.ledgerAccounts.map((a: any) => [a.code, a]));
    expect(byCode["SETTLEMENT:mpesa"].balance).toBe(batch.totalAmount);
    expect(byCode["FUNDING:CRASH"].held).toBe("0.00");
    console.log(
      `crash test: ${N} payments in ${Date.now() - t0} ms, ${kills} kills at ${settledAtKill.join(", ")} settled; ${sim.batches.size} provider batches; ${sim.duplicates} duplicate sends absorbed by the provider`,
    );
  }, 300_000);
});
