/** Voucher issuance and redemption for one program: counts and values by state and cycle, redemptions by merchant. */
import { chart, STATE_COLORS } from "../charts";
import { loadPrograms, type PageContext } from "../context";
import { MERCHANT, VOUCHER_REPORT, type VoucherStatus } from "../queries";
import { fmtInt, fmtMoney, fmtPct, h, kpi, shortId, sumDecimals, table } from "../ui";
import { programPicker } from "./overview";

const STATES: VoucherStatus[] = ["INACTIVE", "ACTIVE", "SUSPENDED", "UTILIZED", "EXPIRED", "CANCELLED"];

export async function vouchersPage(ctx: PageContext): Promise<void> {
  const programs = await loadPrograms(ctx.request);
  if (programs.length === 0) {
    ctx.root.replaceChildren(h("h1", {}, "Vouchers"), h("p", { class: "muted" }, "No program yet."));
    return;
  }
  const program = programs.find((p) => p.id === ctx.query.get("program")) ?? programs[0]!;
  const { voucherReport: r } = await ctx.request(VOUCHER_REPORT, { programId: program.id });
  const merchants = new Map(
    await Promise.all(
      r.byMerchant.map(async (m) => [m.merchantId, await ctx.request(MERCHANT, { id: m.merchantId }).then((x) => x.merchant.name, () => shortId(m.merchantId))] as const),
    ),
  );
  const cycleName = new Map(program.cycles.map((c) => [c.id, c.name]));
  const byState = (s: VoucherStatus) => r.byStatus.filter((x) => x.status === s);
  const countOf = (s: VoucherStatus) => byState(s).reduce((n, x) => n + x.count, 0);
  const issued = r.byStatus.reduce((n, x) => n + x.count, 0);
  const redeemed = countOf("UTILIZED");
  const currency = r.byStatus.find((x) => x.currency)?.currency ?? program.currency;
  const valueOf = (rows: { totalValue: string | null }[]) => sumDecimals(rows.map((x) => x.totalValue));
  const cycles = [...new Set(r.byStatus.map((x) => x.cycleId ?? ""))];

  const statesEl = h("div", { class: "chart", id: "chart-voucher-states" });
  const merchantsEl = h("div", { class: "chart", id: "chart-merchants" });
  ctx.root.replaceChildren(
    h("div", { class: "toolbar" }, h("h1", {}, `Vouchers · ${program.name}`), programPicker(ctx, programs, program, "vouchers")),
    h(
      "div",
      { class: "kpis" },
      kpi("issued", "Issued", fmtInt(issued), issued),
      kpi("active", "Active", fmtInt(countOf("ACTIVE")), countOf("ACTIVE")),
      kpi("redeemed", "Redeemed", fmtInt(redeemed), redeemed),
      kpi("redemption-rate", "Redemption rate", issued ? fmtPct(redeemed / issued) : "–", issued ? redeemed / issued : 0),
      kpi("issued-value", "Value issued", fmtMoney(valueOf(r.byStatus), currency), valueOf(r.byStatus)),
      kpi("redeemed-value", "Value redeemed", fmtMoney(valueOf(byState("UTILIZED")), currency), valueOf(byState("UTILIZED"))),
    ),
    h(
      "div",
      { class: "grid2" },
      h("div", { class: "card" }, h("h2", {}, "Vouchers by state and cycle"), statesEl),
      h("div", { class: "card" }, h("h2", {}, "Redemptions by merchant"), merchantsEl),
    ),
    h("h2", {}, "By state"),
    table(
      ["Cycle", "State", ["Vouchers", "num"], ["Value", "num"]],
      r.byStatus.map((x) => [x.cycleId ? (cycleName.get(x.cycleId) ?? shortId(x.cycleId)) : "(no cycle)", x.status, fmtInt(x.count), fmtMoney(x.totalValue, x.currency)]),
      { id: "voucher-states" },
    ),
    h("h2", {}, "Merchants"),
    r.byMerchant.length
      ? table(["Merchant", ["Redemptions", "num"], ["Value", "num"]], r.byMerchant.map((m) => [merchants.get(m.merchantId) ?? m.merchantId, fmtInt(m.count), fmtMoney(m.totalValue, m.currency)]), { id: "merchants" })
      : h("p", { class: "muted" }, "No redemption yet."),
  );
  chart(statesEl, {
    tooltip: { trigger: "axis" },
    legend: { top: 0 },
    grid: { left: 50, right: 20, top: 36, bottom: 30 },
    xAxis: { type: "category", data: STATES, axisLabel: { interval: 0 } },
    yAxis: { type: "value", minInterval: 1 },
    series: cycles.map((cycleId) => ({
      name: cycleId ? (cycleName.get(cycleId) ?? shortId(cycleId)) : "(no cycle)",
      type: "bar",
      stack: "vouchers",
      barMaxWidth: 40,
      data: STATES.map((s) => r.byStatus.filter((x) => x.status === s && (x.cycleId ?? "") === cycleId).reduce((n, x) => n + x.count, 0)),
    })),
  });
  chart(merchantsEl, {
    tooltip: { trigger: "axis" },
    grid: { left: 50, right: 20, top: 20, bottom: 30 },
    xAxis: { type: "category", data: r.byMerchant.map((m) => merchants.get(m.merchantId) ?? m.merchantId) },
    yAxis: { type: "value", minInterval: 1 },
    series: [{ type: "bar", barMaxWidth: 48, data: r.byMerchant.map((m) => m.count), itemStyle: { color: STATE_COLORS.UTILIZED }, label: { show: true, position: "top" } }],
  });
}
