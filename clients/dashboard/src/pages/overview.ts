/**
 * Program overview: registrants, eligible, enrolled, entitlements, amounts paid and the failure rate
 * per cycle; cycle operations (approve the current stage, start the disbursement).
 */
import { can, hasRole } from "../auth";
import { chart, STATE_COLORS } from "../charts";
import { cycleIdOf, href, loadBatches, loadPrograms, type PageContext } from "../context";
import { APPROVE_CYCLE, BATCH_FROM_CYCLE, REGISTRANT_COUNT, type Batch, type Cycle, type Program } from "../queries";
import { badge, fmtInt, fmtMoney, fmtPct, h, kpi, opButton, sumDecimals, table, toNumber } from "../ui";

/** Enrollment states of someone found eligible (now or before a pause/exit). */
const ELIGIBLE_STATES = new Set(["ENROLLED", "PAUSED", "EXITED"]);

export interface ProgramFigures {
  evaluated: number;
  eligible: number;
  enrolled: number;
  entitlements: number;
  entitled: string;
  paid: string;
  payments: number;
  failed: number;
}

export function programFigures(program: Program, batches: Batch[]): ProgramFigures {
  const count = (pred: (state: string) => boolean) => program.enrollmentCounts.filter((c) => pred(c.state)).reduce((s, c) => s + c.count, 0);
  return {
    evaluated: count(() => true),
    eligible: count((s) => ELIGIBLE_STATES.has(s)),
    enrolled: count((s) => s === "ENROLLED"),
    entitlements: program.cycles.reduce((s, c) => s + c.totals.entitlements, 0),
    entitled: sumDecimals(program.cycles.map((c) => c.totals.totalAmount)),
    paid: sumDecimals(batches.map((b) => b.summary.completedAmount)),
    payments: batches.reduce((s, b) => s + b.summary.total, 0),
    failed: batches.reduce((s, b) => s + b.summary.failed, 0),
  };
}

export function programPicker(ctx: PageContext, programs: Program[], selected: Program, path: string): HTMLElement {
  const select = h("select", { id: "program", "aria-label": "Program" }, ...programs.map((p) => h("option", { value: p.id, selected: p.id === selected.id }, p.name)));
  select.addEventListener("change", () => ctx.navigate(`${path}?program=${encodeURIComponent(select.value)}`));
  return h("label", {}, "Program ", select);
}

export async function overviewPage(ctx: PageContext): Promise<void> {
  const { session, request } = ctx;
  const [programs, registrants, allBatches] = await Promise.all([
    loadPrograms(request),
    can(session, "registrant:read") ? request(REGISTRANT_COUNT).then((r) => r.registrantStats) : Promise.resolve(null),
    can(session, "payment:read") ? loadBatches(request) : Promise.resolve(null),
  ]);
  if (programs.length === 0) {
    ctx.root.replaceChildren(h("h1", {}, "Program overview"), h("p", { class: "muted", "data-empty": "programs" }, "No program yet (or none your token's program scope lets you see)."));
    return;
  }
  const program = programs.find((p) => p.id === ctx.query.get("program")) ?? programs[0]!;
  const batches = (allBatches ?? []).filter((b) => b.programCode === program.id);
  const byCycle = new Map<string, Batch>();
  for (const b of batches) {
    const cycleId = cycleIdOf(b);
    if (cycleId) byCycle.set(cycleId, b);
  }
  const f = programFigures(program, batches);
  const cur = program.currency;

  const kpis = h(
    "div",
    { class: "kpis" },
    registrants ? kpi("registrants", "Registrants", fmtInt(registrants.total), registrants.total) : null,
    kpi("evaluated", "Evaluated", fmtInt(f.evaluated), f.evaluated),
    kpi("eligible", "Eligible", fmtInt(f.eligible), f.eligible),
    kpi("enrolled", "Enrolled", fmtInt(f.enrolled), f.enrolled),
    kpi("entitlements", "Entitlements", fmtInt(f.entitlements), f.entitlements),
    kpi("entitled", "Entitled", fmtMoney(f.entitled, cur), f.entitled),
    allBatches ? kpi("paid", "Paid", fmtMoney(f.paid, cur), f.paid) : null,
    allBatches ? kpi("failure-rate", "Payment failure rate", f.payments ? fmtPct(f.failed / f.payments) : "–", f.payments ? f.failed / f.payments : 0) : null,
  );

  const funnelEl = h("div", { class: "chart", id: "chart-funnel" });
  const cyclesEl = h("div", { class: "chart", id: "chart-cycles" });
  const statesEl = h("div", { class: "chart", id: "chart-enrollment" });

  const cycleRows = program.cycles.map((c) => cycleRow(ctx, program, c, byCycle.get(c.id)));
  ctx.root.replaceChildren(
    h("div", { class: "toolbar" }, h("h1", { "data-program": program.id }, program.name), programPicker(ctx, programs, program, "")),
    h("p", { class: "muted" }, `${program.target === "GROUP" ? "Households" : "Individuals"} · ${program.benefitKind} · ${cur}`),
    kpis,
    h(
      "div",
      { class: "grid2" },
      h("div", { class: "card" }, h("h2", {}, "From registry to entitlement"), funnelEl),
      h("div", { class: "card" }, h("h2", {}, "Per cycle: entitled, paid, failure rate"), cyclesEl),
      h("div", { class: "card" }, h("h2", {}, "Enrollments by state"), statesEl),
    ),
    h("h2", {}, "Cycles"),
    program.cycles.length
      ? table(["Cycle", "Dates", "State", "Approval", ["Entitlements", "num"], ["Entitled", "num"], "Batch", ["Paid", "num"], ["Failure rate", "num"], "Operations"], cycleRows, { id: "cycles" })
      : h("p", { class: "muted" }, "No cycle yet."),
  );

  const funnel: [string, number][] = [
    ...(registrants ? ([["Registrants", registrants.total]] as [string, number][]) : []),
    ["Evaluated", f.evaluated],
    ["Eligible", f.eligible],
    ["Enrolled", f.enrolled],
    ["Entitlements", f.entitlements],
  ];
  chart(funnelEl, {
    tooltip: { trigger: "axis" },
    grid: { left: 50, right: 20, top: 20, bottom: 30 },
    xAxis: { type: "category", data: funnel.map(([k]) => k), axisLabel: { interval: 0 } },
    yAxis: { type: "value", minInterval: 1 },
    series: [{ type: "bar", data: funnel.map(([, v]) => v), label: { show: true, position: "top" }, barMaxWidth: 48 }],
  });
  chart(cyclesEl, {
    tooltip: { trigger: "axis" },
    legend: { top: 0 },
    grid: { left: 70, right: 50, top: 36, bottom: 30 },
    xAxis: { type: "category", data: program.cycles.map((c) => c.name) },
    yAxis: [
      { type: "value", name: cur },
      { type: "value", name: "failed", max: 100, axisLabel: { formatter: "{value} %" }, splitLine: { show: false } },
    ],
    series: [
      { name: "Entitled", type: "bar", data: program.cycles.map((c) => toNumber(c.totals.totalAmount)), barMaxWidth: 40 },
      { name: "Paid", type: "bar", data: program.cycles.map((c) => toNumber(byCycle.get(c.id)?.summary.completedAmount)), barMaxWidth: 40, itemStyle: { color: STATE_COLORS.COMPLETED } },
      {
        name: "Failure rate",
        type: "line",
        yAxisIndex: 1,
        symbolSize: 9,
        label: { show: true, formatter: "{c} %", position: "top" },
        itemStyle: { color: STATE_COLORS.FAILED },
        data: program.cycles.map((c) => {
          const s = byCycle.get(c.id)?.summary;
          return s && s.total ? Number(((100 * s.failed) / s.total).toFixed(1)) : null;
        }),
      },
    ],
  });
  chart(statesEl, {
    tooltip: { trigger: "item" },
    legend: { bottom: 0 },
    series: [
      {
        type: "pie",
        radius: ["35%", "65%"],
        data: program.enrollmentCounts.map((c) => ({ name: c.state, value: c.count })),
        label: { formatter: "{b}: {c}" },
      },
    ],
  });
}

function cycleRow(ctx: PageContext, program: Program, c: Cycle, batch: Batch | undefined) {
  const { session, request } = ctx;
  const stages = program.approvalStages;
  const next = stages[c.approvedStages];
  const ops: HTMLElement[] = [];
  if (c.state === "TO_APPROVE" && can(session, "cycle:approve") && (!next || hasRole(session, next.role))) {
    ops.push(
      opButton(
        "approve-cycle",
        next ? `Approve “${next.name}”` : "Approve",
        () => request(APPROVE_CYCLE, { cycleId: c.id }),
        () => ctx.refresh(),
        { "data-cycle": c.id },
      ),
    );
  }
  if ((c.state === "APPROVED" || c.state === "DISTRIBUTED") && !batch && c.totals.entitlements > 0 && can(session, "payment:write")) {
    ops.push(
      opButton(
        "start-disbursement",
        "Start disbursement",
        () => request(BATCH_FROM_CYCLE, { cycleId: c.id }),
        () => ctx.refresh(),
        { "data-cycle": c.id },
      ),
    );
  }
  const s = batch?.summary;
  return [
    c.name,
    `${c.startDate} – ${c.endDate}`,
    badge(c.state),
    h("span", { "data-approved-stages": c.approvedStages }, stages.length ? `${c.approvedStages} / ${stages.length}${next && c.state === "TO_APPROVE" ? ` · next: ${next.name} (${next.role})` : ""}` : String(c.approvedStages)),
    fmtInt(c.totals.entitlements),
    fmtMoney(c.totals.totalAmount, program.currency),
    batch ? h("a", { href: href(`batches/${batch.id}`), "data-link": true }, badge(batch.status)) : h("span", { class: "muted" }, "–"),
    s ? fmtMoney(s.completedAmount, batch.currency) : "–",
    s && s.total ? fmtPct(s.failed / s.total) : "–",
    h("div", { class: "ops" }, ...ops),
  ];
}
