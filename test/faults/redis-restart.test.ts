/**
 * Fault (c): a private Redis (no persistence: a restart loses every queued BullMQ step) is killed
 * while BullMQ jobs run, and started again: a 3,000-payment disbursement batch (payments pipeline,
 * chunks of 100, to the mobile-money simulator) and a 5,000-row registry CSV import. Both jobs must
 * finish; every payment settled exactly once at the provider (it counts receipts per payment), the
 * ledger balanced, every imported row created once.
 *
 * Found here and fixed: BullMqJobQueue re-dispatched unfinished jobs only when a process started, so
 * steps queued in a Redis that restarted empty were stranded while the processes kept running. It
 * now checks a marker key every few seconds and dispatches the unfinished jobs again when the marker
 * is gone (subgraphs/kit/src/jobs/bullmq.ts). The first test shows recovery with every process left
 * running; the second, recovery when the worker processes restart too.
 */
import { dataOf, graphqlRequest } from "@g2p/kit";
import { startMobileMoneySimulator, type MobileMoneySimulator } from "../simulators/mobile-money";
import { sleep, startPrivateRedis, startProcessStack, type PrivateRedis, type ProcessStack } from "./infra";

const N = Number(process.env.FAULTS_REDIS_PAYMENTS ?? 3_000);
const ROWS = Number(process.env.FAULTS_REDIS_ROWS ?? 5_000);
const FINANCE = { role: "finance_officer" as const, sub: "faults-finance" };
const ADMIN = { role: "admin" as const, sub: "faults-admin" };
const FINAL = ["COMPLETED", "PARTIALLY_COMPLETED", "FAILED"];

async function redisScenario(restartWorkers: boolean): Promise<void> {
  const redis: PrivateRedis = await startPrivateRedis();
  const sim: MobileMoneySimulator = await startMobileMoneySimulator();
  let stack: ProcessStack | undefined;
  try {
    stack = await startProcessStack({
      databaseUrl: process.env.DATABASE_URL,
      redisUrl: redis.url,
      env: { PAYMENTS_CHUNK_SIZE: "100", PAYMENTS_CONNECTOR_TIMEOUT_MS: "3000" },
    });
    const s = stack;
    const pay = (q: string, v: Record<string, unknown> = {}) => graphqlRequest(s.subgraphUrl("payments"), q, v, FINANCE);
    dataOf(await pay(`mutation ($u: String!) { upsertPaymentProvider(input: { code: "mpesa", name: "M-Pesa", kind: WALLET, connector: GSMA, endpointUrl: $u }) { code } }`, { u: sim.url }));
    dataOf(await pay(`mutation { fundProgram(programCode: "REDIS", currency: "KES", amount: "100000000.00", reference: "redis-fund") { code } }`));
    const rows = ["request_id,payment_mode,payee_identifier_type,payee_identifier,amount,currency,payee_dfsp_id"];
    for (let i = 0; i < N; i++) rows.push(`r${i},GSMA,MSISDN,2547${String(i).padStart(8, "0")},${(i % 50) + 1}.00,KES,mpesa`);
    const csv = ["source_id,given_name,family_name"];
    for (let i = 0; i < ROWS; i++) csv.push(`redis-${i},Given${i},Family${i}`);
    const t0 = Date.now();
    const imp = dataOf(await s.request(`mutation ($c: String!) { importRegistrantsCsv(csv: $c) { id } }`, { c: csv.join("\n") }, ADMIN)).importRegistrantsCsv;
    const batch = dataOf(
      await pay(`mutation ($i: CsvDisbursementBatchInput!) { submitDisbursementCsv(input: $i) { id paymentCount totalAmount } }`, {
        i: { clientCorrelationId: "redis-1", programCode: "REDIS", currency: "KES", csv: rows.join("\n") },
      }),
    ).submitDisbursementCsv;
    const batchStatus = async () =>
      dataOf(await pay(`query ($id: ID!) { disbursementBatch(id: $id) { status summary { completed ongoing total } } }`, { id: batch.id })).disbursementBatch;
    const importStatus = async () =>
      dataOf(await s.request(`query ($id: ID!) { registryImport(id: $id) { created failedRows progress { status doneChunks totalChunks } } }`, { id: imp.id }, ADMIN)).registryImport;

    // Kill Redis while payments are going out (and, if still running, the import).
    const until = Date.now() + 120_000;
    while (sim.settlements.size < Math.min(100, N / 10) && Date.now() < until) await sleep(20);
    const settledAtKill = sim.settlements.size;
    const importAtKill = await importStatus();
    expect(settledAtKill).toBeLessThan(N); // the kill happened mid-job
    const faultAt = Date.now();
    await redis.stop();
    await sleep(3_000);
    await redis.start();
    const upAt = Date.now();
    if (restartWorkers) {
      for (const name of ["payments", "registry"] as const) {
        await s.kill(name);
        await s.restart(name);
      }
    }
    const restartedAt = Date.now();

    const deadline = Date.now() + Number(process.env.FAULTS_REDIS_WAIT_MS ?? 120_000);
    let b = await batchStatus();
    let r = await importStatus();
    let batchDoneAt = FINAL.includes(b.status) ? Date.now() : 0;
    let importDoneAt = FINAL.includes(r.progress.status) ? Date.now() : 0;
    while ((!batchDoneAt || !importDoneAt) && Date.now() < deadline) {
      await sleep(500);
      if (!batchDoneAt && FINAL.includes((b = await batchStatus()).status)) batchDoneAt = Date.now();
      if (!importDoneAt && FINAL.includes((r = await importStatus()).progress.status)) importDoneAt = Date.now();
    }
    const registrants = dataOf(await s.request(`{ registrants(first: 1) { totalCount } }`, {}, ADMIN)).registrants.totalCount;
    console.log(
      [
        `fault scenario "restart-redis"${restartWorkers ? " + worker processes restarted" : " (processes left running)"}:`,
        `  Redis killed ${faultAt - t0} ms after the jobs were submitted, with ${settledAtKill}/${N} payments settled and import ${JSON.stringify(importAtKill.progress)}; down ${upAt - faultAt} ms`,
        restartWorkers ? `  payments + registry processes restarted in ${restartedAt - upAt} ms` : "",
        `  payments batch: ${b.status} ${JSON.stringify(b.summary)}; ${batchDoneAt ? `finished ${batchDoneAt - upAt} ms after Redis was back` : "NOT finished"}`,
        `  provider: ${sim.settlements.size} settled, max receipts per payment ${Math.max(0, ...sim.settlements.values())}, ${sim.duplicates} duplicate sends absorbed`,
        `  registry import: ${JSON.stringify(r)}; ${importDoneAt ? `finished ${importDoneAt - upAt} ms after Redis was back` : "NOT finished"}; registrants ${registrants}`,
      ]
        .filter(Boolean)
        .join("\n"),
    );
    expect(b.status).toBe("COMPLETED");
    expect(b.summary).toMatchObject({ completed: N, ongoing: 0, total: N });
    expect(sim.settlements.size).toBe(N);
    expect([...sim.settlements.values()].every((c) => c === 1)).toBe(true);
    const ledger = dataOf(await pay(`{ trialBalance { balances lines } }`));
    expect(ledger.trialBalance).toEqual({ balances: "0.00", lines: "0.00" });
    expect(r.progress.status).toBe("COMPLETED");
    expect(r).toMatchObject({ created: ROWS, failedRows: 0 });
    expect(registrants).toBe(ROWS);
  } finally {
    await stack?.stop();
    await sim.stop();
    await redis.stop();
  }
}

describe("fault: Redis restarted while BullMQ jobs run", () => {
  // Found by this suite and fixed: BullMqJobQueue now notices that Redis came back empty (its
  // marker key is gone) and dispatches the unfinished jobs again from the database.
  it("recovers by itself: jobs finish with every process left running", () => redisScenario(false));

  it("nothing lost, nothing run twice: after the worker processes restart, every job finishes exactly once", () => redisScenario(true));
});
