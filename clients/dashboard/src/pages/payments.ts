/**
 * Payments by state over all batches (or one program's), the batches themselves, and a drill-down
 * to the payments in one state (failed by default) across batches.
 */
import { chart, STATE_COLORS } from "../charts";
import { href, loadBatches, type PageContext } from "../context";
import { BATCH, PAYMENT_STATUSES, type Batch, type Payment, type PaymentStatus } from "../queries";
import { badge, fmtInt, fmtMoney, h, kpi, shortId, sumDecimals, table } from "../ui";

/** Batches looked into for the drill-down list (the busiest first). */
const DRILL_BATCHES = 20;

export function paymentsByState(batches: Batch[]): { status: PaymentStatus; count: number; amounts: Map<string, string> }[] {
  const acc = new Map<PaymentStatus, { count: number; amounts: Map<string, string[]> }>();
  for (const b of batches) {
    for (const s of b.summary.byStatus) {
      const e = acc.get(s.status) ?? { count: 0, amounts: new Map() };
      e.count += s.count;
      e.amounts.set(b.currency, [...(e.amounts.get(b.currency) ?? []), s.amount]);
      acc.set(s.status, e);
    }
  }
  return PAYMENT_STATUSES.filter((s) => acc.has(s)).map((status) => {
    const e = acc.get(status)!;
    return { status, count: e.count, amounts: new Map([...e.amounts].map(([ccy, list]) => [ccy, sumDecimals(list)])) };
  });
}

const moneyByCurrency = (m: Map<string, string>) => [...m].map(([ccy, v]) => fmtMoney(v, ccy)).join(" + ") || "–";

export async function paymentsPage(ctx: PageContext): Promise<void> {
  const all = await loadBatches(ctx.request);
  const programCode = ctx.query.get("program");
  const batches = programCode ? all.filter((b) => b.programCode === programCode) : all;
  const states = paymentsByState(batches);
  const asked = ctx.query.get("status");
  const drill: PaymentStatus = asked && (PAYMENT_STATUSES as string[]).includes(asked) ? (asked as PaymentStatus) : "FAILED";
  const count = (s: PaymentStatus) => states.find((x) => x.status === s)?.count ?? 0;
  const total = states.reduce((n, s) => n + s.count, 0);
  const paid = new Map<string, string>();
  for (const b of batches) paid.set(b.currency, sumDecimals([paid.get(b.currency), b.summary.completedAmount]));

  const codes = [...new Set(all.map((b) => b.programCode).filter((c): c is string => !!c))];
  const select = h("select", { "aria-label": "Program" }, h("option", { value: "" }, "all programs"), ...codes.map((c) => h("option", { value: c, selected: c === programCode }, c)));
  select.addEventListener("change", () => ctx.navigate(`payments${select.value ? `?program=${encodeURIComponent(select.value)}` : ""}`));

  const chartEl = h("div", { class: "chart", id: "chart-payment-states" });
  const drillEl = h("div", { id: "drill", class: "table-wrap" }, h("p", { class: "muted" }, "Loading…"));
  ctx.root.replaceChildren(
    h("div", { class: "toolbar" }, h("h1", {}, "Payments"), h("label", {}, "Program ", select)),
    h(
      "div",
      { class: "kpis" },
      kpi("batches", "Batches", fmtInt(batches.length), batches.length),
      kpi("payments", "Payments", fmtInt(total), total),
      kpi("completed", "Completed", fmtInt(count("COMPLETED")), count("COMPLETED")),
      kpi("failed", "Failed", fmtInt(count("FAILED")), count("FAILED")),
      kpi("unknown", "Unknown outcome", fmtInt(count("UNKNOWN")), count("UNKNOWN")),
      kpi("paid", "Paid", moneyByCurrency(paid), [...paid].map(([c, v]) => `${v} ${c}`).join(",")),
    ),
    h(
      "div",
      { class: "grid2" },
      h("div", { class: "card" }, h("h2", {}, "Payments by state"), chartEl, h("p", { class: "muted" }, "Click a state to list its payments.")),
      h(
        "div",
        { class: "card" },
        h("h2", {}, "By state"),
        table(
          ["State", ["Payments", "num"], ["Amount", "num"]],
          states.map((s) => [h("a", { href: href(`payments?status=${s.status}${programCode ? `&program=${encodeURIComponent(programCode)}` : ""}`), "data-link": true }, badge(s.status)), fmtInt(s.count), moneyByCurrency(s.amounts)]),
          { id: "states" },
        ),
      ),
    ),
    h("h2", {}, `${drill} payments`),
    drillEl,
    h("h2", {}, "Batches"),
    batches.length
      ? table(
          ["Batch", "Reference", "Program", "State", ["Progress", "num"], ["Payments", "num"], ["Completed", "num"], ["Failed", "num"], ["Total", "num"]],
          [...batches].reverse().map((b) => [
            h("a", { href: href(`batches/${b.id}`), "data-link": true, "data-batch-link": b.id }, shortId(b.id)),
            b.clientCorrelationId,
            b.programCode ?? "–",
            badge(b.status),
            `${b.summary.progress} %`,
            fmtInt(b.paymentCount),
            fmtInt(b.summary.completed),
            fmtInt(b.summary.failed),
            fmtMoney(b.totalAmount, b.currency),
          ]),
          { id: "batches" },
        )
      : h("p", { class: "muted" }, "No batch yet."),
  );

  const c = chart(chartEl, {
    tooltip: { trigger: "item" },
    legend: { bottom: 0 },
    series: [
      {
        type: "pie",
        radius: ["35%", "65%"],
        label: { formatter: "{b}: {c}" },
        data: states.map((s) => ({ name: s.status, value: s.count, itemStyle: { color: STATE_COLORS[s.status] } })),
      },
    ],
  });
  c.on("click", (p) => ctx.navigate(`payments?status=${String(p.name)}${programCode ? `&program=${encodeURIComponent(programCode)}` : ""}`));

  // Drill-down: the payments in that state, batch by batch (those with the most first).
  const withState = batches
    .map((b) => ({ b, n: b.summary.byStatus.find((s) => s.status === drill)?.count ?? 0 }))
    .filter((x) => x.n > 0)
    .sort((x, y) => y.n - x.n)
    .slice(0, DRILL_BATCHES);
  const pages = await Promise.all(withState.map(({ b }) => ctx.request(BATCH, { id: b.id, status: drill, first: 50 }).then((r) => r.disbursementBatch)));
  const rows: (Payment & { batch: Batch })[] = pages.flatMap((p) => p.payments.nodes.map((n) => ({ ...n, batch: p })));
  drillEl.replaceChildren(
    rows.length
      ? table(
          ["Batch", "Instruction", "Beneficiary", ["Amount", "num"], "Reason", ["Attempts", "num"], "Updated"],
          rows.map((p) => [
            h("a", { href: href(`batches/${p.batch.id}?status=${drill}`), "data-link": true }, shortId(p.batch.id)),
            h("code", { class: "id" }, p.instructionId),
            h("code", { class: "id" }, p.beneficiaryId),
            fmtMoney(p.amount, p.currency),
            p.statusReason ?? "",
            String(p.attempts),
            new Date(p.updatedAt).toLocaleString(),
          ]),
          { id: "drill-table", "data-status": drill, "data-rows": rows.length },
        )
      : h("p", { class: "muted", "data-status": drill, "data-rows": 0 }, `No ${drill} payment.`),
  );
}
