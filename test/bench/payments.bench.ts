/**
 * `npm run bench -- payments [N] [chunkSize]`: N payments (default 100,000) end to end through the
 * payments pipeline against the GSMA mobile-money simulator (no injected latency): CSV streamed in,
 * account lookup, budget hold, dispatch, ledger, batch closed. SQLite in memory by default, PostgreSQL
 * when DATABASE_URL is set; in-process jobs, or BullMQ with REDIS_URL. Reports payments/s and the
 * process's peak RSS (worker and simulator share this process, so the figure is an upper bound).
 */
import { Readable } from "node:stream";
import { startTestSubgraph } from "@g2p/kit";
import { ConnectorKind, DisbursementBatch, post, ProviderKind, statusCounts, submitCsvBatch, subgraph, SYSTEM, upsertProvider } from "@g2p/payments";
import { startMobileMoneySimulator } from "../simulators/mobile-money";

function* csvRows(n: number): Generator<string> {
  yield "request_id,payment_mode,payee_identifier_type,payee_identifier,amount,currency,payee_dfsp_id\n";
  let buf = "";
  for (let i = 0; i < n; i++) {
    buf += `r${i},GSMA,MSISDN,2547${String(i).padStart(8, "0")},${(i % 97) + 1}.25,KES,mpesa\n`;
    if (buf.length > 64_000) {
      yield buf;
      buf = "";
    }
  }
  if (buf) yield buf;
}

export async function run(args: string[]) {
  const n = Number(args[0] ?? 100_000);
  if (args[1]) process.env.PAYMENTS_CHUNK_SIZE = args[1];
  process.env.PAYMENTS_CONNECTOR_CONCURRENCY ??= "32";
  const sim = await startMobileMoneySimulator();
  const sg = await startTestSubgraph(subgraph, { LOG_LEVEL: "silent" });
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 200);
  try {
    const em = sg.orm.em.fork();
    await upsertProvider(em, SYSTEM, { code: "mpesa", name: "M-Pesa", kind: ProviderKind.WALLET, connector: ConnectorKind.GSMA, endpointUrl: sim.url });
    await em.fork().transactional((tx) =>
      post(tx, { key: "bench-fund", description: "bench", currency: "KES", lines: [{ account: "FUNDING:BENCH", amount: 10n ** 13n }, { account: "TREASURY:KES", amount: -(10n ** 13n) }] }),
    );
    const t0 = Date.now();
    const batch = await submitCsvBatch(sg.orm.em.fork(), SYSTEM, sg.jobs, { clientCorrelationId: `bench-${n}`, programCode: "BENCH", currency: "KES" }, () => Readable.from(csvRows(n)));
    const tIngest = Date.now();
    const final = new Set(["COMPLETED", "PARTIALLY_COMPLETED", "FAILED", "RECONCILING", "AUTHORIZATION_DENIED"]);
    let status = "";
    let lastLog = 0;
    for (;;) {
      const b = await sg.orm.em.fork().findOneOrFail(DisbursementBatch, batch.id);
      status = b.status;
      if (final.has(status)) break;
      if (Date.now() - lastLog > 10_000) {
        lastLog = Date.now();
        console.error(`  ${((Date.now() - t0) / 1000).toFixed(0)} s: ${status}, settled ${sim.settlements.size}`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    const tDone = Date.now();
    const counts = await statusCounts(sg.orm.em.fork(), batch.id);
    const completed = counts.find((c) => c.status === "COMPLETED")?.count ?? 0;
    const seconds = (tDone - t0) / 1000;
    return {
      title: `payments: ${n.toLocaleString()} payments end to end (${process.env.DATABASE_URL ? "PostgreSQL" : "SQLite in memory"}, ${sg.jobs.kind} jobs, GSMA simulator)`,
      rows: [
        { measure: "final batch status", value: status },
        { measure: "completed payments", value: completed },
        { measure: "settled at simulator (distinct ids)", value: sim.settlements.size },
        { measure: "CSV ingest (s)", value: ((tIngest - t0) / 1000).toFixed(1) },
        { measure: "pipeline after ingest (s)", value: ((tDone - tIngest) / 1000).toFixed(1) },
        { measure: "end to end (s)", value: seconds.toFixed(1) },
        { measure: "payments per second", value: Math.round(n / seconds) },
        { measure: "peak RSS, worker + simulator (MB)", value: Math.round(peakRss / 2 ** 20) },
      ],
      notes: [
        `chunk size ${process.env.PAYMENTS_CHUNK_SIZE ?? 500}, connector concurrency ${process.env.PAYMENTS_CONNECTOR_CONCURRENCY}`,
        "issue 6 targets: 1,000,000 on PostgreSQL ≤ 10 min (≥ 1,667/s); 100,000 on SQLite ≤ 2 min; worker < 500 MB",
      ],
      data: { n, seconds, completed, peakRssBytes: peakRss, counts: counts.map((c) => ({ ...c, amount: c.amount.toString() })) },
    };
  } finally {
    clearInterval(sampler);
    await sg.stop();
    await sim.stop();
  }
}
