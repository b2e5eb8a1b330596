/**
 * Reimbursement of merchants through the payments block: periodic settlement batches, one per
 * merchant, program and currency (at most MAX_SETTLEMENT redemptions each). See
 * docs/decisions/vouchers-settlement.md for why not redeem-and-pay.
 *
 *   settleVoucherRedemptions ─ claims PENDING redemptions (conditional UPDATE) into a CREATED settlement
 *   job step "submit" ─ createDisbursementBatch through the graph, client correlation id
 *                       voucher-settlement:<id>, deterministic payload: a retry gets the same batch
 *   job step "track"  ─ polls the batch through the graph until it is final; COMPLETED payments make
 *                       their redemptions PAID; a failed payout makes the redemption FAILED (reason
 *                       kept) and puts its voucher back to ACTIVE, as Payment Hub EE's redeemPay does
 */
import type { EntityManager } from "@mikro-orm/core";
import type { EntityManager as SqlEntityManager } from "@mikro-orm/knex";
import { GraphQLError } from "graphql";
import {
  audit,
  createViewer,
  fromMinorUnits,
  notFound,
  toMinorUnits,
  userError,
  type AuditActor,
  type GraphClient,
  type JobDefinition,
  type JobQueue,
  type Viewer,
} from "@g2p/kit";
import { Merchant, MerchantStatus } from "../entities/merchant.entity";
import { Redemption, ReimbursementStatus } from "../entities/redemption.entity";
import { FINAL_SETTLEMENT, SettlementStatus, VoucherSettlement } from "../entities/settlement.entity";
import { VoucherEvent } from "../entities/voucher-event.entity";
import { Voucher, VoucherStatus } from "../entities/voucher.entity";
import { assertProgramScope } from "./access";

/** Redemptions per settlement (one disbursement batch at the payments block). */
export const MAX_SETTLEMENT = 5000;
const PAGE = 500;
const SYSTEM: AuditActor = { viewer: createViewer({ sub: "system:voucher-settlement", roles: [] }) };

export const SUBMIT_MUTATION = /* GraphQL */ `
  mutation VoucherSettlementSubmit($i: CreateDisbursementBatchInput!) { createDisbursementBatch(input: $i) { id status } }
`;
export const BATCH_QUERY = /* GraphQL */ `
  query VoucherSettlementBatch($id: ID!, $first: Int!, $after: String) {
    disbursementBatch(id: $id) {
      id status statusReason
      payments(first: $first, after: $after) { pageInfo { hasNextPage endCursor } nodes { instructionId status statusReason } }
    }
  }
`;

const FINAL_BATCH = new Set(["COMPLETED", "PARTIALLY_COMPLETED", "FAILED", "CANCELLED", "AUTHORIZATION_DENIED", "REJECTED"]);
const FAILED_PAYMENT = new Set(["FAILED", "INVALID", "PAYEE_NOT_FOUND", "CANCELLED"]);
/** Answers of the payments block that a retry cannot change. */
const REFUSALS = new Set(["FORBIDDEN", "UNAUTHENTICATED", "BAD_USER_INPUT", "CONFLICT", "IDEMPOTENCY_MISMATCH", "NOT_FOUND"]);

type Graph = Pick<GraphClient, "request">;

/**
 * Claims every PENDING value redemption of the program (optionally of one merchant) into settlements
 * and starts their payout jobs. Merchants that are not APPROVED are left for later. Asking again only
 * settles redemptions made since: a redemption is claimed once (conditional UPDATE).
 */
export async function createSettlements(
  em: EntityManager,
  actor: AuditActor & { viewer: Viewer },
  jobs: Pick<JobQueue, "enqueue">,
  input: { programId: string; merchantId?: string | null },
): Promise<VoucherSettlement[]> {
  assertProgramScope(actor.viewer, input.programId);
  const where: Record<string, unknown> = { programId: input.programId, reimbursementStatus: ReimbursementStatus.PENDING, amount: { $ne: null } };
  if (input.merchantId) where.merchantId = input.merchantId;
  const groups: { merchant_id: string; currency: string }[] = await (em as SqlEntityManager)
    .createQueryBuilder(Redemption, "r")
    .select(["r.merchant_id", "r.currency"])
    .where(where)
    .groupBy(["r.merchant_id", "r.currency"])
    .execute("all", false);
  if (input.merchantId && !(await em.findOne(Merchant, input.merchantId))) throw notFound("Merchant", input.merchantId);
  const merchants = new Map((await em.find(Merchant, { id: { $in: groups.map((g) => g.merchant_id) } })).map((m) => [m.id, m]));
  const created: VoucherSettlement[] = [];
  for (const group of groups) {
    const merchant = merchants.get(group.merchant_id);
    if (!merchant || merchant.status !== MerchantStatus.APPROVED) continue;
    for (;;) {
      const settlement = await claim(em, actor, merchant, input.programId, group.currency);
      if (!settlement) break;
      created.push(settlement);
    }
  }
  for (const s of created) await enqueueSettlement(em, jobs, s, "first");
  return created;
}

async function claim(em: EntityManager, actor: AuditActor, merchant: Merchant, programId: string, currency: string): Promise<VoucherSettlement | null> {
  return em.fork().transactional(async (tx) => {
    const rows = await tx.find(
      Redemption,
      { programId, merchantId: merchant.id, currency, reimbursementStatus: ReimbursementStatus.PENDING, amount: { $ne: null } },
      { fields: ["id", "amount"], orderBy: { at: "asc", id: "asc" }, limit: MAX_SETTLEMENT },
    );
    if (rows.length === 0) return null;
    const total = fromMinorUnits(rows.reduce((sum, r) => sum + toMinorUnits(r.amount!), 0n));
    const settlement = tx.create(VoucherSettlement, {
      merchantId: merchant.id,
      programId,
      currency,
      clientCorrelationId: "pending",
      redemptionCount: rows.length,
      totalAmount: total,
      financialAddress: merchant.financialAddress,
    });
    settlement.clientCorrelationId = `voucher-settlement:${settlement.id}`;
    const claimed = await tx.nativeUpdate(
      Redemption,
      { id: { $in: rows.map((r) => r.id) }, reimbursementStatus: ReimbursementStatus.PENDING },
      { reimbursementStatus: ReimbursementStatus.SUBMITTED, settlementId: settlement.id },
    );
    // Another settlement run claimed some of them meanwhile: give up this one whole (rolled back).
    if (claimed !== rows.length) throw userError("CONFLICT", "Redemptions were settled concurrently; try again");
    audit(tx, actor, {
      action: "voucher.settlement.create",
      entityType: "VoucherSettlement",
      entityId: settlement.id,
      changes: { merchant: merchant.code, programId, currency, redemptions: rows.length, totalAmount: total, financialAddress: merchant.financialAddress },
    });
    return settlement;
  });
}

async function enqueueSettlement(em: EntityManager, jobs: Pick<JobQueue, "enqueue">, s: VoucherSettlement, run: string): Promise<void> {
  const job = await jobs.enqueue(settlementJob.name, { settlementId: s.id }, { idempotencyKey: `voucher-settlement:${s.id}:${run}` });
  await em.nativeUpdate(VoucherSettlement, { id: s.id }, { jobId: job.id });
  s.jobId = job.id;
}

/** Starts tracking again a settlement whose job gave up (e.g. the payments block was down for long). */
export async function retrackSettlement(em: EntityManager, actor: AuditActor & { viewer: Viewer }, jobs: Pick<JobQueue, "enqueue" | "get">, id: string): Promise<VoucherSettlement> {
  const s = await em.findOne(VoucherSettlement, id);
  if (!s) throw notFound("VoucherSettlement", id);
  assertProgramScope(actor.viewer, s.programId);
  if (FINAL_SETTLEMENT.includes(s.status)) return s;
  const job = s.jobId ? await jobs.get(s.jobId) : null;
  if (job && job.status !== "FAILED") return s;
  await enqueueSettlement(em, jobs, s, `retry-${Date.now()}`);
  return s;
}

/** Retried by the job engine (with backoff) without being an error of the settlement. */
class NotYet extends Error {}

function needGraph(graph: Graph | undefined): Graph {
  if (!graph) throw new Error("settlement needs the graph (GRAPH_URL): none configured for this job queue");
  return graph;
}

export async function submitSettlement(em: EntityManager, graph: Graph, settlementId: string): Promise<void> {
  const s = await em.findOneOrFail(VoucherSettlement, settlementId, { disableIdentityMap: true });
  if (s.status !== SettlementStatus.CREATED) return;
  const merchant = await em.findOneOrFail(Merchant, s.merchantId, { disableIdentityMap: true });
  const redemptions = await em.find(Redemption, { settlementId: s.id }, { fields: ["id", "amount"], orderBy: { id: "asc" }, disableIdentityMap: true });
  const input = {
    clientCorrelationId: s.clientCorrelationId,
    programCode: s.programId,
    currency: s.currency,
    purpose: `voucher reimbursement ${merchant.code}`,
    approvalRequired: false,
    payments: redemptions.map((r) => ({ instructionId: r.id, financialAddress: s.financialAddress, amount: r.amount!, note: `voucher redemption ${r.id}` })),
  };
  let batch: { id: string; status: string };
  try {
    batch = (await graph.request<{ createDisbursementBatch: { id: string; status: string } }>(SUBMIT_MUTATION, { i: input })).createDisbursementBatch;
  } catch (err) {
    const code = err instanceof GraphQLError ? String(err.extensions.code) : "";
    if (!REFUSALS.has(code)) throw err; // unavailable, timeout: retried with the same correlation id
    // Refused: nothing was created at the payments block. The redemptions wait for the next settlement.
    const reason = `payments refused the batch: ${code}: ${(err as Error).message}`.slice(0, 500);
    await em.nativeUpdate(VoucherSettlement, { id: s.id, status: SettlementStatus.CREATED }, { status: SettlementStatus.FAILED, statusReason: reason });
    await em.nativeUpdate(Redemption, { settlementId: s.id, reimbursementStatus: ReimbursementStatus.SUBMITTED }, { reimbursementStatus: ReimbursementStatus.PENDING, settlementId: null });
    audit(em, SYSTEM, { action: "voucher.settlement.refused", entityType: "VoucherSettlement", entityId: s.id, changes: { reason, released: redemptions.length } });
    await em.flush();
    return;
  }
  await em.nativeUpdate(VoucherSettlement, { id: s.id, status: SettlementStatus.CREATED }, { status: SettlementStatus.SUBMITTED, paymentsBatchId: batch.id });
  audit(em, SYSTEM, {
    action: "voucher.settlement.submit",
    entityType: "VoucherSettlement",
    entityId: s.id,
    changes: { paymentsBatchId: batch.id, clientCorrelationId: s.clientCorrelationId, totalAmount: s.totalAmount, currency: s.currency },
  });
  await em.flush();
}

interface PaymentNode {
  instructionId: string | null;
  status: string;
  statusReason: string | null;
}

/** One poll: settles the outcome when the payments batch is final, otherwise throws NotYet. */
export async function trackSettlement(em: EntityManager, graph: Graph, settlementId: string): Promise<void> {
  // Read without the identity map: every write below is an explicit UPDATE/INSERT, and flush must not
  // write back the rows read here.
  const s = await em.findOneOrFail(VoucherSettlement, settlementId, { disableIdentityMap: true });
  if (FINAL_SETTLEMENT.includes(s.status)) return;
  if (s.status !== SettlementStatus.SUBMITTED || !s.paymentsBatchId) throw new NotYet(`settlement ${s.id} is not submitted yet`);
  const paid: string[] = [];
  const failed = new Map<string, string>();
  let after: string | null = null;
  let batchReason: string | null;
  for (;;) {
    const res: { disbursementBatch: { status: string; statusReason: string | null; payments: { pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: PaymentNode[] } } } =
      await graph.request(BATCH_QUERY, { id: s.paymentsBatchId, first: PAGE, after });
    const batch = res.disbursementBatch;
    if (!FINAL_BATCH.has(batch.status)) throw new NotYet(`payments batch ${s.paymentsBatchId} is ${batch.status}`);
    batchReason = batch.statusReason;
    for (const p of batch.payments.nodes) {
      if (!p.instructionId) continue;
      if (p.status === "COMPLETED") paid.push(p.instructionId);
      else if (FAILED_PAYMENT.has(p.status)) failed.set(p.instructionId, (p.statusReason ?? batch.statusReason ?? p.status).slice(0, 500));
      else throw new NotYet(`payment ${p.instructionId} is ${p.status}`);
    }
    if (!batch.payments.pageInfo.hasNextPage) break;
    after = batch.payments.pageInfo.endCursor;
  }
  const redemptions = await em.find(Redemption, { settlementId: s.id, reimbursementStatus: ReimbursementStatus.SUBMITTED }, { disableIdentityMap: true });
  const paidSet = new Set(paid);
  // A redemption the batch does not list (e.g. a batch refused whole, before payments existed) failed with the batch.
  for (const r of redemptions) if (!paidSet.has(r.id) && !failed.has(r.id)) failed.set(r.id, (batchReason ?? "not paid by the payments batch").slice(0, 500));
  const status = failed.size === 0 ? SettlementStatus.COMPLETED : paidSet.size === 0 ? SettlementStatus.FAILED : SettlementStatus.PARTIALLY_PAID;
  const won = await em.nativeUpdate(
    VoucherSettlement,
    { id: s.id, status: SettlementStatus.SUBMITTED },
    { status, paidCount: paidSet.size, failedCount: failed.size, statusReason: failed.size ? batchReason ?? "some payouts failed" : null },
  );
  if (won !== 1) return; // tracked concurrently by another run: its transaction wrote the outcome

  if (paidSet.size) {
    await em.nativeUpdate(Redemption, { id: { $in: [...paidSet] }, settlementId: s.id, reimbursementStatus: ReimbursementStatus.SUBMITTED }, { reimbursementStatus: ReimbursementStatus.PAID });
  }
  const failedRows = redemptions.filter((r) => failed.has(r.id));
  if (failedRows.length) {
    // Grouped by reason: one UPDATE per distinct reason, not one per redemption.
    const byReason = new Map<string, string[]>();
    for (const r of failedRows) byReason.set(failed.get(r.id)!, [...(byReason.get(failed.get(r.id)!) ?? []), r.id]);
    for (const [reason, ids] of byReason) {
      await em.nativeUpdate(
        Redemption,
        { id: { $in: ids }, settlementId: s.id },
        { reimbursementStatus: ReimbursementStatus.FAILED, payoutFailureReason: reason, activeVoucherId: null },
      );
    }
    // As Payment Hub EE: the voucher whose payout failed goes back to ACTIVE (the sweeper and every
    // redemption still check its expiry).
    const voucherIds = failedRows.map((r) => r.voucherId);
    await em.nativeUpdate(Voucher, { id: { $in: voucherIds }, status: VoucherStatus.UTILIZED }, { status: VoucherStatus.ACTIVE, updatedAt: new Date() });
    const serials = new Map((await em.find(Voucher, { id: { $in: voucherIds } }, { fields: ["id", "serialNumber"], disableIdentityMap: true })).map((v) => [v.id, v.serialNumber]));
    for (const r of failedRows) {
      const reason = failed.get(r.id)!;
      em.persist(em.create(VoucherEvent, { voucherId: r.voucherId, fromStatus: VoucherStatus.UTILIZED, toStatus: VoucherStatus.ACTIVE, action: "payout_failed", reason, actor: SYSTEM.viewer.sub! }));
      audit(em, SYSTEM, {
        action: "voucher.payout_failed",
        entityType: "Redemption",
        entityId: r.id,
        changes: { voucherId: r.voucherId, serialNumber: serials.get(r.voucherId), settlementId: s.id, amount: r.amount, currency: r.currency, reason, voucherStatus: { from: "UTILIZED", to: "ACTIVE" } },
      });
    }
  }
  const sum = (ids: Iterable<string>) => {
    const set = new Set(ids);
    return fromMinorUnits(redemptions.filter((r) => set.has(r.id)).reduce((a, r) => a + toMinorUnits(r.amount!), 0n));
  };
  audit(em, SYSTEM, {
    action: `voucher.settlement.${status.toLowerCase()}`,
    entityType: "VoucherSettlement",
    entityId: s.id,
    changes: { paymentsBatchId: s.paymentsBatchId, paid: paidSet.size, paidAmount: sum(paidSet), failed: failed.size, failedAmount: sum(failed.keys()), currency: s.currency },
  });
  await em.flush();
}

export const settlementJob: JobDefinition<{ settlementId: string }, { step: "submit" | "track" }> = {
  name: "voucher-settlement",
  // "track" polls: delays double from 250 ms up to 30 s, so a quick payout is seen within seconds;
  // 130 attempts span about an hour, after that trackVoucherSettlement starts it again.
  maxAttempts: 130,
  backoffMs: 250,
  maxBackoffMs: 30_000,
  async plan() {
    return [{ step: "submit" }, { step: "track" }];
  },
  async processChunk({ step }, { settlementId }, { em, graph }) {
    if (step === "submit") await submitSettlement(em, needGraph(graph), settlementId);
    else await trackSettlement(em, needGraph(graph), settlementId);
  },
};
