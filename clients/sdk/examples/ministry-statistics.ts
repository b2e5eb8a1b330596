/**
 * A ministry pulls its programs' statistics from the graph (no personal data): enrollment, cycles
 * and their amounts, what payments delivered, vouchers issued and redeemed, the registry by district.
 *
 *   node -r ./scripts/ts-register.js clients/sdk/examples/ministry-statistics.ts [adminArea]
 *   env: G2P_URL (default http://localhost:4000/graphql), token: see auth-from-env.ts (role auditor)
 */
// A partner's project imports from "@g2p/sdk"; inside this repository the sources are used directly.
import { DisbursementBatchesDocument, G2PClient, isG2PError, ProgramsDocument, ProgramStatisticsDocument } from "../src";
import { authFromEnv, graphUrl } from "./auth-from-env";

const fmt = (s: string | number) => (typeof s === "number" ? s.toLocaleString("en-US") : Number(s).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 }));

async function main() {
  const area = process.argv[2] ?? "KE";
  const g2p = new G2PClient({ url: graphUrl(), auth: await authFromEnv({ sub: "ministry:statistics-unit", roles: ["auditor"] }) });
  const programs = await g2p.all(ProgramsDocument, {}, (d) => d.programs);
  const batches = await g2p.all(DisbursementBatchesDocument, {}, (d) => d.disbursementBatches, { pageSize: 100 });
  if (programs.length === 0) console.log("No programs yet: run `npm start -- --demo` or `npm run seed`.");
  let registryShown = false;
  for (const p of programs) {
    const { program, registrantStats, voucherReport } = await g2p.request(ProgramStatisticsDocument, { programId: p.id, area });
    if (!registryShown) {
      registryShown = true;
      console.log(`Registry under ${area}: ${fmt(registrantStats.total)} registrants (${registrantStats.byKind.map((k) => `${fmt(k.count)} ${k.key.toLowerCase()}`).join(", ")})`);
      const districts = new Map<string, number>();
      for (const b of registrantStats.byArea) {
        const district = b.key.split("-").slice(0, 3).join("-");
        districts.set(district, (districts.get(district) ?? 0) + b.count);
      }
      for (const [d, n] of [...districts].sort()) console.log(`  ${d.padEnd(12)} ${fmt(n).padStart(8)}`);
    }
    const counts = Object.fromEntries(program.enrollmentCounts.map((c) => [c.state, c.count]));
    console.log(`\n${program.name} (${program.ministry ?? "—"}; ${program.benefitKind}, budget ${program.budget ? fmt(program.budget) : "—"} ${program.currency})`);
    console.log(`  enrollment: ${fmt(counts.ENROLLED ?? 0)} enrolled, ${fmt(counts.NOT_ELIGIBLE ?? 0)} not eligible${counts.DRAFT ? `, ${fmt(counts.DRAFT)} undecided` : ""}`);
    for (const c of program.cycles) {
      console.log(`  cycle ${c.name}: ${c.state}, ${fmt(c.totals.entitlements)} entitlements, ${fmt(c.totals.totalAmount)} ${program.currency} + fees ${fmt(c.totals.totalFee)}`);
    }
    const mine = batches.filter((b) => b.programCode === program.id);
    if (mine.length) {
      const s = mine.reduce((a, b) => ({ total: a.total + b.summary.total, completed: a.completed + b.summary.completed, failed: a.failed + b.summary.failed, paid: a.paid + Number(b.summary.completedAmount) }), { total: 0, completed: 0, failed: 0, paid: 0 });
      const rate = s.total ? ((100 * s.failed) / s.total).toFixed(1) : "0.0";
      console.log(`  payments: ${mine.length} batches, ${fmt(s.completed)} of ${fmt(s.total)} paid (${fmt(s.paid.toFixed(2))} ${program.currency}), ${fmt(s.failed)} failed (${rate} %)`);
    }
    if (voucherReport.byStatus.length) {
      const line = voucherReport.byStatus.map((v) => `${fmt(v.count)} ${v.status.toLowerCase()} (${fmt(v.totalValue ?? "0")} ${v.currency ?? ""})`).join(", ");
      console.log(`  vouchers: ${line}`);
    }
  }
}

main().catch((err) => {
  if (isG2PError(err)) console.error(`${err.code}: ${err.message} (request id ${err.requestId})`);
  else console.error(err);
  process.exit(1);
});
