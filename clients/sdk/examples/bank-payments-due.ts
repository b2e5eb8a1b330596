/**
 * A bank (a relying partner of the graph, role `partner`) checks the G2P payments due to its
 * customers: every disbursement batch, the payments routed to its provider code, what was paid, what
 * is still on its way and what failed (and why).
 *
 *   node -r ./scripts/ts-register.js clients/sdk/examples/bank-payments-due.ts
 *   env: G2P_URL (default http://localhost:4000/graphql), G2P_PROVIDER (default mpesa-sim), token: see auth-from-env.ts
 */
// A partner's project imports from "@g2p/sdk"; inside this repository the sources are used directly.
import { BatchPaymentsDocument, DisbursementBatchesDocument, G2PClient, isG2PError, type PaymentFieldsFragment } from "../src";
import { authFromEnv, graphUrl } from "./auth-from-env";

const PROVIDER = process.env.G2P_PROVIDER ?? "mpesa-sim";
const OPEN = new Set(["PENDING", "READY", "SENT", "UNKNOWN"]);

const minor = (s: string) => {
  const [i, f = ""] = s.split(".");
  return BigInt(i!) * 100n + BigInt((f + "00").slice(0, 2));
};
const money = (m: bigint) => `${(m / 100n).toLocaleString("en-US")}.${String(m % 100n).padStart(2, "0")}`;

async function main() {
  const g2p = new G2PClient({ url: graphUrl(), auth: await authFromEnv({ sub: "bank-of-demo:payments-desk", roles: ["partner"], partnerId: "BANK-DEMO" }), timeoutMs: 20_000 });
  console.log(`Payments to customers of provider "${PROVIDER}" (${g2p.url})\n`);
  const totals = new Map<string, { count: number; amount: bigint }>();
  const failed: PaymentFieldsFragment[] = [];
  let batches = 0;
  for await (const batch of g2p.paginate(DisbursementBatchesDocument, {}, (d) => d.disbursementBatches, { pageSize: 50 })) {
    batches++;
    const mine = new Map<string, { count: number; amount: bigint }>();
    for await (const p of g2p.paginate(BatchPaymentsDocument, { batchId: batch.id }, (d) => d.disbursementBatch.payments, { pageSize: 500 })) {
      if (p.providerCode !== PROVIDER) continue;
      for (const m of [mine, totals]) {
        const t = m.get(p.status) ?? { count: 0, amount: 0n };
        t.count++;
        t.amount += minor(p.amount);
        m.set(p.status, t);
      }
      if (p.status === "FAILED") failed.push(p);
    }
    const line = [...mine].map(([s, t]) => `${s} ${t.count} (${money(t.amount)})`).join(", ") || "none for us";
    console.log(`${batch.createdAt.slice(0, 10)}  ${(batch.purpose ?? batch.clientCorrelationId).padEnd(52)} ${batch.status.padEnd(20)} ${line}`);
  }
  const sum = (pred: (s: string) => boolean) => [...totals].filter(([s]) => pred(s)).reduce((a, [, t]) => ({ count: a.count + t.count, amount: a.amount + t.amount }), { count: 0, amount: 0n });
  const paid = sum((s) => s === "COMPLETED");
  const due = sum((s) => OPEN.has(s));
  const lost = sum((s) => s === "FAILED");
  console.log(`\n${batches} batches. For our customers: ${paid.count} paid (${money(paid.amount)} KES), ${due.count} still due (${money(due.amount)} KES), ${lost.count} failed (${money(lost.amount)} KES)`);
  if (failed.length) {
    console.log(`\nFailed payments to follow up (first 10 of ${failed.length}):`);
    for (const p of failed.slice(0, 10)) console.log(`  payment ${p.id}  ${p.amount} ${p.currency}  attempts ${p.attempts}  ${p.statusReason ?? ""}`);
  }
}

main().catch((err) => {
  if (isG2PError(err, "UNAUTHENTICATED") || isG2PError(err, "FORBIDDEN")) console.error(`Not allowed (${err.code}): check the token. Request id ${err.requestId}`);
  else if (isG2PError(err)) console.error(`${err.code}: ${err.message} (request id ${err.requestId})`);
  else console.error(err);
  process.exit(1);
});
