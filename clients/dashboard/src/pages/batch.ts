/**
 * One disbursement batch, live: progress and counts polled while the batch is running, payments by
 * state with the list of those in one state (failed by default), and the batch's operations: start,
 * approve, retry the failed payments, resolve an UNKNOWN payment.
 */
import { can } from "../auth";
import { chart, STATE_COLORS, type Chart } from "../charts";
import { href, type PageContext } from "../context";
import {
  APPROVE_BATCH,
  BATCH,
  PAYMENT_STATUSES,
  RESOLVE_UNKNOWN,
  RETRY_FAILED,
  START_BATCH,
  TERMINAL_BATCH,
  type Batch,
  type Page,
  type Payment,
  type PaymentStatus,
} from "../queries";
import { badge, errorBox, fmtInt, fmtMoney, h, kpi, opButton, shortId, table } from "../ui";

export const POLL_MS = 1500;
const PAGE_SIZE = 100;

type BatchWithPayments = Batch & { payments: Page<Payment> };

function defaultStatus(b: Batch): PaymentStatus | null {
  const count = (s: PaymentStatus) => b.summary.byStatus.find((x) => x.status === s)?.count ?? 0;
  if (count("FAILED") > 0) return "FAILED";
  if (count("UNKNOWN") > 0) return "UNKNOWN";
  return null;
}

export async function batchPage(ctx: PageContext): Promise<void> {
  const id = ctx.params[0]!;
  const asked = ctx.query.get("status");
  const wanted = asked && (PAYMENT_STATUSES as string[]).includes(asked) ? (asked as PaymentStatus) : asked === "ALL" ? null : undefined;
  const load = async (status: PaymentStatus | null) => (await ctx.request(BATCH, { id, status, first: PAGE_SIZE })).disbursementBatch;

  let batch: BatchWithPayments = await load(wanted === undefined ? null : wanted);
  const status = wanted === undefined ? defaultStatus(batch) : wanted;
  if (status !== null && wanted === undefined) batch = await load(status);

  const header = h("div", { class: "toolbar" });
  const kpis = h("div", { class: "kpis" });
  const progress = h("div", { class: "progress", role: "progressbar", "aria-valuemin": 0, "aria-valuemax": 100 }, h("div", {}));
  const progressText = h("span", { class: "muted" });
  const ops = h("div", { class: "ops", id: "batch-ops" });
  const chartEl = h("div", { class: "chart", id: "chart-batch-status" });
  const filter = h("div", { class: "toolbar", id: "status-filter" });
  const list = h("div", { id: "payments" });
  ctx.root.replaceChildren(
    h("p", {}, h("a", { href: href("payments"), "data-link": true }, "← Payments")),
    header,
    h("p", { class: "muted" }, progressText),
    progress,
    h("div", { style: "margin-top:.8rem" }, kpis),
    h("div", { style: "margin-top:.8rem" }, ops),
    h("div", { class: "card", style: "margin-top:.8rem" }, h("h2", {}, "Payments by state"), chartEl),
    h("div", { class: "card table-wrap", style: "margin-top:.8rem" }, h("h2", {}, "Payments"), filter, list),
  );

  let statusChart: Chart | null = null;
  let lastOps = "";
  const render = (b: BatchWithPayments) => {
    const s = b.summary;
    const live = !TERMINAL_BATCH.includes(b.status);
    ctx.root.dataset.batchStatus = b.status;
    header.replaceChildren(
      h("h1", { "data-batch": b.id }, `Batch ${shortId(b.id)}`),
      badge(b.status),
      h("span", { class: "muted", "data-live": String(live) }, live ? "live · refreshing" : ""),
    );
    progressText.textContent = `${s.progress} % settled · ${b.purpose ?? b.clientCorrelationId} · ${fmtInt(b.paymentCount)} payments · ${fmtMoney(b.totalAmount, b.currency)}${b.statusReason ? ` · ${b.statusReason}` : ""}`;
    // summary.progress is the share of payments no longer ongoing, in percent (0–100).
    (progress.firstElementChild as HTMLElement).style.width = `${Math.min(100, s.progress)}%`;
    progress.setAttribute("aria-valuenow", String(Math.round(s.progress)));
    progress.dataset.progress = String(s.progress);
    kpis.replaceChildren(
      kpi("total", "Payments", fmtInt(s.total), s.total),
      kpi("completed", "Completed", fmtInt(s.completed), s.completed),
      kpi("failed", "Failed", fmtInt(s.failed), s.failed),
      kpi("ongoing", "Ongoing", fmtInt(s.ongoing), s.ongoing),
      kpi("completed-amount", "Paid", fmtMoney(s.completedAmount, b.currency), s.completedAmount),
      kpi("failed-amount", "Failed amount", fmtMoney(s.failedAmount, b.currency), s.failedAmount),
    );
    // Operation buttons are rebuilt only when what they depend on changed (keeps an error shown).
    const opsKey = `${b.status}|${s.failed}`;
    if (opsKey !== lastOps) {
      lastOps = opsKey;
      ops.replaceChildren(...batchOps(ctx, b));
    }
    const option = {
      tooltip: { trigger: "axis" },
      grid: { left: 50, right: 20, top: 20, bottom: 50 },
      xAxis: { type: "category", data: s.byStatus.map((x) => x.status), axisLabel: { rotate: 30 } },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        {
          type: "bar",
          barMaxWidth: 48,
          label: { show: true, position: "top" },
          data: s.byStatus.map((x) => ({ value: x.count, itemStyle: { color: STATE_COLORS[x.status] ?? "#2f6fde" } })),
        },
      ],
    };
    if (!statusChart) {
      statusChart = chart(chartEl, option);
      statusChart.on("click", (p) => ctx.navigate(`batches/${b.id}?status=${String(p.name)}`));
    } else statusChart.setOption(option);
    filter.replaceChildren(
      h("a", { href: href(`batches/${b.id}?status=ALL`), "data-link": true }, status === null ? h("strong", {}, "all") : "all"),
      ...s.byStatus.map((x) =>
        h("a", { href: href(`batches/${b.id}?status=${x.status}`), "data-link": true, "data-filter": x.status }, x.status === status ? h("strong", {}, `${x.status} (${x.count})`) : `${x.status} (${x.count})`),
      ),
    );
    list.replaceChildren(paymentsTable(ctx, b, status));
    return live;
  };

  let live = render(batch);
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  ctx.onLeave(() => {
    stopped = true;
    clearTimeout(timer);
  });
  const poll = async () => {
    if (stopped) return;
    try {
      batch = await load(status);
      if (stopped) return;
      live = render(batch);
    } catch (err) {
      list.prepend(errorBox(err));
    }
    if (live && !stopped) timer = setTimeout(poll, POLL_MS);
  };
  if (live) timer = setTimeout(poll, POLL_MS);
}

function batchOps(ctx: PageContext, b: Batch): HTMLElement[] {
  const { session, request } = ctx;
  const out: HTMLElement[] = [];
  if (b.status === "RECEIVED" && can(session, "payment:write")) {
    const code = h("input", { value: b.programCode ?? "", placeholder: "program code", "aria-label": "Funding program code", size: 24 });
    out.push(h("span", { class: "ops" }, code, opButton("start-batch", "Start disbursement", () => request(START_BATCH, { id: b.id, programCode: code.value.trim() }), () => ctx.refresh())));
  }
  if (b.status === "PENDING_APPROVAL" && can(session, "cycle:approve")) {
    out.push(opButton("approve-batch", "Approve batch", () => request(APPROVE_BATCH, { id: b.id }), () => ctx.refresh()));
  }
  if ((b.status === "PARTIALLY_COMPLETED" || b.status === "FAILED") && b.summary.failed > 0 && can(session, "payment:write")) {
    out.push(opButton("retry-failed", `Retry ${fmtInt(b.summary.failed)} failed payments`, () => request(RETRY_FAILED, { batchId: b.id }), () => ctx.refresh()));
  }
  return out;
}

function paymentsTable(ctx: PageContext, b: BatchWithPayments, status: PaymentStatus | null): HTMLElement {
  const { session, request } = ctx;
  const page = b.payments;
  if (page.totalCount === 0) return h("p", { class: "muted" }, status ? `No ${status} payment.` : "No payment.");
  const resolvable = can(session, "payment:write");
  const rows = page.nodes.map((p) => [
    String(p.seq),
    h("code", { class: "id" }, p.instructionId),
    h("code", { class: "id" }, p.beneficiaryId),
    fmtMoney(p.amount, p.currency),
    badge(p.status),
    p.statusReason ?? "",
    String(p.attempts),
    p.status === "UNKNOWN" && resolvable ? resolveForm(ctx, p, request) : "",
  ]);
  return h(
    "div",
    { "data-payments-status": status ?? "ALL", "data-total": page.totalCount },
    table(["#", "Instruction", "Beneficiary", ["Amount", "num"], "State", "Reason", ["Attempts", "num"], ""], rows),
    page.totalCount > page.nodes.length ? h("p", { class: "muted" }, `${fmtInt(page.nodes.length)} of ${fmtInt(page.totalCount)} shown.`) : null,
  );
}

function resolveForm(ctx: PageContext, p: Payment, request: PageContext["request"]): HTMLElement {
  const outcome = h("select", { "aria-label": "Outcome" }, h("option", { value: "COMPLETED" }, "paid (COMPLETED)"), h("option", { value: "FAILED" }, "not paid (FAILED)"));
  const note = h("input", { placeholder: "what the provider said", "aria-label": "Note", size: 22 });
  return h(
    "span",
    { class: "ops", "data-resolve": p.id },
    outcome,
    note,
    opButton(
      "resolve-unknown",
      "Resolve",
      async () => {
        if (!note.value.trim()) throw new Error("A note is required: say how the outcome was confirmed.");
        return request(RESOLVE_UNKNOWN, { paymentId: p.id, outcome: outcome.value as PaymentStatus, note: note.value.trim() });
      },
      () => ctx.refresh(),
    ),
  );
}
