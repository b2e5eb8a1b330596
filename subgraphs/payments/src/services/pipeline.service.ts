/**
 * The batch pipeline, stage by stage, each step a database transaction (run by the jobs in
 * ../jobs/pipeline.job.ts): prepare (validate + account lookup) → authorize (funds check and hold)
 * → approval (if required) → dispatch (per provider connector) → finish (status queries for UNKNOWN,
 * final state, hold released). Every step is safe to run again after a crash.
 */
import { LockMode, type EntityManager } from "@mikro-orm/core";
import { audit, createViewer, decimalToMinor, fromMinorUnits, userError, type AuditActor } from "@g2p/kit";
import { connectorFor, type Connector, type Instruction, type Outcome } from "../connectors";
import { BatchStatus, DisbursementBatch, TERMINAL_BATCH } from "../entities/disbursement-batch.entity";
import { HoldStatus, LedgerHold } from "../entities/ledger.entity";
import { PaymentProvider } from "../entities/mapper.entity";
import { Payment, PaymentStatus } from "../entities/payment.entity";
import { accountCodes, closeHold, consumeHold, placeHold, post } from "./ledger.service";
import { parseFinancialAddress, resolveMany } from "./mapper.service";
import { queueNotifications } from "./notification.service";
import { isSqlite, rawMoneyToMinor, tableOf, updateRows } from "./sql";

export const SYSTEM: AuditActor = { viewer: createViewer({ sub: "system:payments-pipeline", roles: ["service"] }) };

/** Thrown when a step runs before the one it depends on has finished: the job retries it later. */
export class NotReadyError extends Error {}

/** Hook for tests and connectors that are not in the directory (bench). */
export let connectorOverride: ((provider: PaymentProvider) => Connector | null) | null = null;
export function setConnectorOverride(fn: typeof connectorOverride): void {
  connectorOverride = fn;
}

function lockOpts(em: EntityManager) {
  return isSqlite(em) ? {} : { lockMode: LockMode.PESSIMISTIC_WRITE };
}

export async function lockBatch(em: EntityManager, batchId: string): Promise<DisbursementBatch | null> {
  return em.findOne(DisbursementBatch, batchId, { ...lockOpts(em), refresh: true });
}

/** Validate and look up accounts for the PENDING payments with seq in [from, to). */
export async function prepareRange(em: EntityManager, batchId: string, from: number, to: number): Promise<void> {
  const batch = await em.findOne(DisbursementBatch, batchId);
  if (!batch || TERMINAL_BATCH.has(batch.status)) return;
  if (batch.status === BatchStatus.RECEIVED) {
    await em.nativeUpdate(DisbursementBatch, { id: batchId, status: BatchStatus.RECEIVED }, { status: BatchStatus.VALIDATING });
  }
  // Plain rows, written back in one bulk UPDATE: no entity hydration or change sets per payment.
  const found = await em.getConnection().execute<{ id: string; beneficiary_id: string; financial_address: string | null }[]>(
    `select id, beneficiary_id, financial_address from ${tableOf(em, Payment)}
      where batch_id = ? and seq >= ? and seq < ? and status = ? and provider_code is null order by seq`,
    [batchId, from, to, PaymentStatus.PENDING],
    "all",
    em.getTransactionContext(),
  );
  const payments = (found as { id: string; beneficiary_id: string; financial_address: string | null }[]).map((r) => ({
    id: String(r.id),
    beneficiaryId: String(r.beneficiary_id),
    financialAddress: r.financial_address == null ? null : String(r.financial_address),
    status: PaymentStatus.PENDING,
    statusReason: null as string | null,
    providerCode: null as string | null,
  }));
  if (payments.length === 0) return;
  const lookups = payments.filter((p) => !p.financialAddress);
  const resolved = new Map((await resolveMany(em, lookups.map((p) => p.beneficiaryId))).map((r) => [r.beneficiaryId, r]));
  const addresses = new Map<string, ReturnType<typeof parseFinancialAddress>>();
  for (const p of payments) {
    if (!p.financialAddress) {
      const r = resolved.get(p.beneficiaryId);
      if (!r?.link || r.code !== "succ.id.active") {
        p.status = PaymentStatus.PAYEE_NOT_FOUND;
        p.statusReason = `account lookup: ${r?.code ?? "succ.id.not_found"}`;
        continue;
      }
      p.financialAddress = r.link.financialAddress;
    }
    const parts = parseFinancialAddress(p.financialAddress);
    if (!parts) {
      p.status = PaymentStatus.INVALID;
      p.statusReason = "financial address is not type:id@provider";
      continue;
    }
    addresses.set(p.id, parts);
  }
  const codes = [...new Set([...addresses.values()].map((a) => a!.provider))];
  const providers = new Map((await em.find(PaymentProvider, { code: { $in: codes } })).map((p) => [p.code, p]));
  for (const p of payments) {
    const parts = addresses.get(p.id);
    if (!parts) continue;
    const provider = providers.get(parts.provider);
    if (!provider || !provider.active) {
      p.status = PaymentStatus.INVALID;
      p.statusReason = `provider ${parts.provider} is not in the directory or not active`;
      continue;
    }
    p.providerCode = provider.code;
  }
  const now = em.getPlatform().processDateProperty(new Date());
  await updateRows(
    em,
    Payment,
    PREPARE_COLUMNS,
    payments.map((p) => [p.id, p.status, p.statusReason, p.financialAddress, p.providerCode, now]),
  );
}

const PREPARE_COLUMNS = [
  { column: "status", pgType: "text" },
  { column: "status_reason", pgType: "text" },
  { column: "financial_address", pgType: "varchar(300)" },
  { column: "provider_code", pgType: "varchar(100)" },
  { column: "updated_at", pgType: "timestamptz" },
];

/** Budget authorization once every payment is prepared: hold the valid total on the program's funding account. */
export async function authorize(em: EntityManager, batchId: string): Promise<void> {
  const batch = await lockBatch(em, batchId);
  if (!batch || (batch.status !== BatchStatus.VALIDATING && batch.status !== BatchStatus.RECEIVED)) return;
  const unprepared = await em.count(Payment, { batchId, status: PaymentStatus.PENDING, providerCode: null });
  if (unprepared > 0) throw new NotReadyError(`${unprepared} payments of batch ${batchId} not prepared yet`);
  const [row] = await em.getConnection().execute<{ n: number | string; s: unknown }[]>(
    `select count(*) as n, sum(amount) as s from ${tableOf(em, Payment)} where batch_id = ? and status = ?`,
    [batchId, PaymentStatus.PENDING],
    "all",
    em.getTransactionContext(),
  );
  const count = Number(row?.n ?? 0);
  const total = rawMoneyToMinor(em, row?.s);
  if (count === 0) {
    batch.status = BatchStatus.FAILED;
    batch.statusReason = "no valid payment in the batch";
    audit(em, SYSTEM, { action: "batch.failed", entityType: "DisbursementBatch", entityId: batchId, changes: { reason: batch.statusReason } });
    await em.flush();
    return;
  }
  const hold = await placeHold(em, `auth:${batchId}`, accountCodes.funding(batch.programCode!), batch.currency, total, batchId);
  if (!hold) {
    batch.status = BatchStatus.AUTHORIZATION_DENIED;
    batch.statusReason = `insufficient funds on ${accountCodes.funding(batch.programCode!)} for ${fromMinorUnits(total)} ${batch.currency}`;
    await em.nativeUpdate(Payment, { batchId, status: PaymentStatus.PENDING }, { status: PaymentStatus.CANCELLED, statusReason: "budget authorization denied" });
  } else {
    // No whole-batch `UPDATE … READY` here (linear in the batch, one long transaction, > 7 s per
    // 100,000 rows measured): dispatch takes an authorized batch's PENDING payments as they are, and a
    // batch that waits for approval is marked READY range by range (`markReadyRange`).
    batch.status = batch.approvalRequired ? BatchStatus.PENDING_APPROVAL : BatchStatus.APPROVED;
  }
  audit(em, SYSTEM, { action: "batch.authorize", entityType: "DisbursementBatch", entityId: batchId, changes: { status: batch.status, held: fromMinorUnits(total), payments: count } });
  await em.flush();
}

/** Batch states in which the budget is authorized: its PENDING payments are prepared and covered by the hold. */
const AUTHORIZED = new Set([BatchStatus.PENDING_APPROVAL, BatchStatus.APPROVED, BatchStatus.PROCESSING]);

/**
 * PENDING → READY for seq in [from, to) of an authorized batch that waits for approval (so its summary
 * shows what is ready to go), one bounded range per job chunk instead of one statement over the batch.
 */
export async function markReadyRange(em: EntityManager, batchId: string, from: number, to: number): Promise<void> {
  const batch = await em.findOne(DisbursementBatch, batchId, { fields: ["id", "status"] });
  if (!batch) return;
  if (batch.status === BatchStatus.RECEIVED || batch.status === BatchStatus.VALIDATING) throw new NotReadyError(`batch ${batchId} not authorized yet`);
  if (!AUTHORIZED.has(batch.status)) return;
  await em.getConnection().execute(
    `update ${tableOf(em, Payment)} set status = ?, updated_at = ? where batch_id = ? and seq >= ? and seq < ? and status = ?`,
    [PaymentStatus.READY, em.getPlatform().processDateProperty(new Date()), batchId, from, to, PaymentStatus.PENDING],
    "run",
    em.getTransactionContext(),
  );
}

/**
 * The columns of a payment that dispatch, outcomes and notifications use. The dispatch chunk reads
 * them as plain rows (no entity hydration, no unit-of-work change sets) and writes outcomes back in
 * bulk; entities (callbacks, status queries, operators) are still flushed by the ORM.
 */
export type PaymentRow = Pick<
  Payment,
  "id" | "batchId" | "amount" | "currency" | "financialAddress" | "note" | "providerCode" | "status" | "statusReason" | "providerReference" | "attempts" | "language" | "email"
>;

async function readyRows(em: EntityManager, batchId: string, from: number, to: number): Promise<PaymentRow[]> {
  const rows = await em.getConnection().execute<Record<string, unknown>[]>(
    `select id, batch_id, amount, currency, financial_address, note, provider_code, status, status_reason, provider_reference, attempts, language, email
       from ${tableOf(em, Payment)} where batch_id = ? and seq >= ? and seq < ? and status in (?, ?) order by seq`,
    // PENDING: never marked READY (authorize no longer does it); only called for an authorized batch.
    [batchId, from, to, PaymentStatus.READY, PaymentStatus.PENDING],
    "all",
    em.getTransactionContext(),
  );
  const text = (v: unknown) => (v == null ? null : String(v));
  return (rows as Record<string, unknown>[]).map((r) => ({
    id: String(r.id),
    batchId: String(r.batch_id),
    amount: fromMinorUnits(rawMoneyToMinor(em, r.amount)),
    currency: String(r.currency),
    financialAddress: text(r.financial_address),
    note: text(r.note),
    providerCode: text(r.provider_code),
    status: r.status as PaymentStatus,
    statusReason: text(r.status_reason),
    providerReference: text(r.provider_reference),
    attempts: Number(r.attempts),
    language: text(r.language),
    email: text(r.email),
  }));
}

const OUTCOME_COLUMNS = [
  { column: "status", pgType: "text" },
  { column: "status_reason", pgType: "text" },
  { column: "provider_reference", pgType: "varchar(200)" },
  { column: "attempts", pgType: "int" },
  { column: "updated_at", pgType: "timestamptz" },
];

function instructionOf(p: PaymentRow): Instruction {
  return { id: p.id, amount: p.amount, currency: p.currency, payee: parseFinancialAddress(p.financialAddress!)!, note: p.note, attempt: p.attempts };
}

async function connectorsFor(em: EntityManager, codes: string[]): Promise<Map<string, Connector | null>> {
  const providers = await em.find(PaymentProvider, { code: { $in: codes } });
  return new Map(providers.map((p) => [p.code, connectorOverride ? connectorOverride(p) : connectorFor(p)]));
}

/** Sends the READY (and, in an authorized batch, PENDING) payments with seq in [from, to); records outcomes and posts the ledger in the same transaction. */
export async function dispatchRange(em: EntityManager, batchId: string, from: number, to: number, postingKey: string): Promise<void> {
  const batch = await lockBatch(em, batchId);
  if (!batch) return;
  if (batch.status === BatchStatus.RECEIVED || batch.status === BatchStatus.VALIDATING) throw new NotReadyError(`batch ${batchId} not authorized yet`);
  if (batch.status === BatchStatus.APPROVED) batch.status = BatchStatus.PROCESSING;
  if (batch.status !== BatchStatus.PROCESSING) return;
  const payments = await readyRows(em, batchId, from, to);
  if (payments.length > 0) {
    const hold = await em.findOne(LedgerHold, { batchId, status: HoldStatus.OPEN }, { orderBy: { createdAt: "desc" } });
    const connectors = await connectorsFor(em, [...new Set(payments.map((p) => p.providerCode!))]);
    const byProvider = new Map<string, PaymentRow[]>();
    for (const p of payments) {
      const list = byProvider.get(p.providerCode!);
      if (list) list.push(p);
      else byProvider.set(p.providerCode!, [p]);
    }
    const outcomes = new Map<string, Outcome>();
    await Promise.all(
      [...byProvider].map(async ([code, list]) => {
        const connector = connectors.get(code);
        if (!connector) {
          for (const p of list) outcomes.set(p.id, { id: p.id, status: "FAILED", reason: `no connector configured for provider ${code}` });
          return;
        }
        for (const o of await connector.send(list.map(instructionOf))) outcomes.set(o.id, o);
      }),
    );
    await recordOutcomes(em, batch, payments, outcomes, postingKey, hold, true);
  }
  await maybeFinish(em, batch);
  await notifyProgress(em, batch);
}

/**
 * Applies outcomes to payments and posts one balanced ledger entry for them; payments that reach
 * COMPLETED or FAILED get their beneficiary notification queued in the same transaction (outbox).
 * Managed entities are written by the ORM's flush; plain rows (the dispatch chunk) by one bulk
 * UPDATE … FROM (VALUES …) per 1,000 rows.
 */
export async function recordOutcomes(
  em: EntityManager,
  batch: DisbursementBatch,
  payments: PaymentRow[],
  outcomes: Map<string, Outcome | { id: string; status: "COMPLETED" | "FAILED"; reason?: string; reference?: string | null }>,
  postingKey: string,
  hold: LedgerHold | null,
  fresh: boolean,
): Promise<void> {
  const settled = new Map<string, bigint>();
  let spent = 0n;
  let unknown = 0n;
  let returned = 0n;
  for (const p of payments) {
    const o = outcomes.get(p.id);
    if (!o) continue;
    const minor = decimalToMinor(p.amount);
    if (fresh) p.attempts += 1;
    if (o.status === "COMPLETED") {
      p.status = PaymentStatus.COMPLETED;
      p.providerReference = ("reference" in o ? o.reference : null) ?? null;
      p.statusReason = null;
      settled.set(p.providerCode!, (settled.get(p.providerCode!) ?? 0n) + minor);
      if (fresh) spent += minor;
    } else if (o.status === "FAILED") {
      p.status = PaymentStatus.FAILED;
      p.statusReason = ("reason" in o ? o.reason : undefined) ?? "failed";
      if (!fresh) returned += minor;
    } else {
      p.status = PaymentStatus.UNKNOWN;
      p.statusReason = o.reason;
      unknown += minor;
      spent += minor;
    }
  }
  const settledTotal = [...settled.values()].reduce((a, b) => a + b, 0n);
  const program = batch.programCode!;
  // fresh (just sent): FUNDING → SETTLEMENT for completed, FUNDING → PAYABLE for unknown.
  // resolution of UNKNOWN: PAYABLE → SETTLEMENT for completed, PAYABLE → FUNDING for failed.
  const lines = fresh
    ? [{ account: accountCodes.funding(program), amount: -(settledTotal + unknown) }, { account: accountCodes.payable(program), amount: unknown }]
    : [{ account: accountCodes.payable(program), amount: -(settledTotal + returned) }, { account: accountCodes.funding(program), amount: returned }];
  for (const [code, amount] of settled) lines.push({ account: accountCodes.settlement(code), amount });
  await post(em, { key: postingKey, description: `batch ${batch.id} ${fresh ? "dispatch" : "status resolution"}`, currency: batch.currency, batchId: batch.id, lines });
  if (hold && spent > 0n) await consumeHold(em, hold, spent);
  const now = em.getPlatform().processDateProperty(new Date());
  const plain = payments.filter((p) => !(p instanceof Payment) && outcomes.has(p.id));
  await updateRows(
    em,
    Payment,
    OUTCOME_COLUMNS,
    plain.map((p) => [p.id, p.status, p.statusReason ?? null, p.providerReference ?? null, p.attempts, now]),
  );
  await em.flush();
  await queueNotifications(em, batch.programCode, payments.filter((p) => outcomes.has(p.id)));
}

export type CallbackResult = "applied" | "duplicate" | "not_found" | "not_yet_recorded" | "mismatch" | "conflict";

/**
 * A provider's final answer pushed to us (GSMA callback). Same effects as a polled status answer:
 * UNKNOWN → COMPLETED | FAILED through `recordOutcomes` (PAYABLE → SETTLEMENT or back to FUNDING, key
 * `resolve:<payment>`), audit line, batch closed if nothing is left. The batch row is locked first, so
 * a callback that overtakes the commit of its dispatch chunk waits for it (PostgreSQL; SQLite has one
 * writer). Anything else changes nothing: same final state again → duplicate; still READY (its chunk
 * rolled back, or not recorded yet) → not_yet_recorded (the provider retries; polling is the fallback);
 * amount or currency not ours → mismatch; another final state → conflict (for an operator).
 */
export async function applyProviderCallback(
  em: EntityManager,
  paymentId: string,
  outcome: { status: "COMPLETED" | "FAILED"; reason?: string; reference?: string | null },
  check: { amount?: string; currency?: string; source: string },
): Promise<{ result: CallbackResult; status?: PaymentStatus }> {
  return em.transactional(async (tx) => {
    const first = await tx.findOne(Payment, paymentId, { fields: ["id", "batchId"] });
    if (!first) return { result: "not_found" as const };
    const batch = await lockBatch(tx, first.batchId);
    const p = await tx.findOne(Payment, paymentId, { ...lockOpts(tx), refresh: true });
    if (!batch || !p) return { result: "not_found" as const };
    const [wholeAmount, fraction = ""] = p.amount.split(".");
    const canonical = fraction.replace(/0+$/, "") ? `${wholeAmount}.${fraction.replace(/0+$/, "")}` : wholeAmount;
    if ((check.amount !== undefined && check.amount !== canonical) || (check.currency !== undefined && check.currency !== p.currency)) {
      return { result: "mismatch" as const, status: p.status };
    }
    if (p.status === PaymentStatus.UNKNOWN) {
      await recordOutcomes(tx, batch, [p], new Map([[p.id, { id: p.id, ...outcome }]]), `resolve:${p.id}`, null, false);
      audit(tx, SYSTEM, {
        action: "payment.callback",
        entityType: "Payment",
        entityId: p.id,
        changes: { from: PaymentStatus.UNKNOWN, to: p.status, amount: p.amount, currency: p.currency, reference: p.providerReference ?? null, source: check.source },
      });
      await maybeFinish(tx, batch);
      await notifyProgress(tx, batch);
      return { result: "applied" as const, status: p.status };
    }
    if (p.status === outcome.status) return { result: "duplicate" as const, status: p.status };
    if (p.status === PaymentStatus.COMPLETED || p.status === PaymentStatus.FAILED) return { result: "conflict" as const, status: p.status };
    return { result: "not_yet_recorded" as const, status: p.status };
  });
}

/** Asks providers about UNKNOWN payments of a batch (at most `limit`), then closes the batch if it can. */
export async function finish(em: EntityManager, batchId: string, limit = 2000): Promise<void> {
  const batch = await lockBatch(em, batchId);
  if (!batch || TERMINAL_BATCH.has(batch.status) || batch.status === BatchStatus.PENDING_APPROVAL) return;
  if (batch.status === BatchStatus.RECEIVED || batch.status === BatchStatus.VALIDATING) throw new NotReadyError(`batch ${batchId} not authorized yet`);
  const unknown = await em.find(Payment, { batchId, status: PaymentStatus.UNKNOWN }, { orderBy: { seq: "asc" }, limit });
  if (unknown.length > 0) {
    const connectors = await connectorsFor(em, [...new Set(unknown.map((p) => p.providerCode!))]);
    const outcomes = new Map<string, { id: string; status: "COMPLETED" | "FAILED"; reason?: string; reference?: string | null }>();
    for (const [code, connector] of connectors) {
      if (!connector) continue;
      const mine = unknown.filter((p) => p.providerCode === code);
      for (const a of await connector.status(mine.map((p) => p.id))) {
        if (a.status === "COMPLETED") outcomes.set(a.id, { id: a.id, status: "COMPLETED", reference: a.reference ?? null });
        else if (a.status === "FAILED") outcomes.set(a.id, { id: a.id, status: "FAILED", reason: a.reason ?? "provider: failed" });
        else if (a.status === "NOT_FOUND") outcomes.set(a.id, { id: a.id, status: "FAILED", reason: "provider never received it (status query: not found)" });
      }
    }
    for (const p of unknown) {
      const o = outcomes.get(p.id);
      if (o) await recordOutcomes(em, batch, [p], new Map([[p.id, o]]), `resolve:${p.id}`, null, false);
    }
  }
  await maybeFinish(em, batch);
  await notifyProgress(em, batch);
}

/** Operator decision on an UNKNOWN payment (after checking with the provider out of band). */
export async function resolveUnknown(em: EntityManager, actor: AuditActor, paymentId: string, outcome: "COMPLETED" | "FAILED", note: string): Promise<Payment> {
  return em.transactional(async (tx) => {
    const p = await tx.findOne(Payment, paymentId, lockOpts(tx));
    if (!p) throw userError("NOT_FOUND", `Payment ${paymentId} not found`, { id: paymentId });
    if (p.status !== PaymentStatus.UNKNOWN) throw userError("CONFLICT", `payment ${paymentId} is ${p.status}, not UNKNOWN`);
    const batch = (await lockBatch(tx, p.batchId))!;
    await recordOutcomes(tx, batch, [p], new Map([[p.id, { id: p.id, status: outcome, reason: `operator: ${note}` }]]), `resolve:${p.id}`, null, false);
    audit(tx, actor, { action: "payment.resolve", entityType: "Payment", entityId: p.id, changes: { outcome, note } });
    await maybeFinish(tx, batch);
    return p;
  });
}

export interface StatusCount {
  status: PaymentStatus;
  count: number;
  amount: bigint;
}

export async function statusCounts(em: EntityManager, batchId: string): Promise<StatusCount[]> {
  const rows = await em.getConnection().execute<{ status: PaymentStatus; n: number | string; s: unknown }[]>(
    `select status, count(*) as n, sum(amount) as s from ${tableOf(em, Payment)} where batch_id = ? group by status`,
    [batchId],
    "all",
    em.getTransactionContext(),
  );
  return (rows as { status: PaymentStatus; n: number | string; s: unknown }[]).map((r) => ({ status: r.status, count: Number(r.n), amount: rawMoneyToMinor(em, r.s) }));
}

const IN_FLIGHT = new Set([PaymentStatus.PENDING, PaymentStatus.READY, PaymentStatus.SENT]);

const PHASES = [20, 40, 60, 80, 100];
const FINISHED = new Set([PaymentStatus.COMPLETED, PaymentStatus.FAILED, PaymentStatus.INVALID, PaymentStatus.PAYEE_NOT_FOUND, PaymentStatus.CANCELLED]);

/**
 * Progress callbacks to the submitter: each phase (20/40/60/80/100 % of payments in a final state)
 * once, in order; recorded with the chunk's transaction (so at least once across crashes). A
 * callback that fails three times is given up (logged in the batch's statusReason), never the chunk.
 */
export async function notifyProgress(em: EntityManager, batch: DisbursementBatch): Promise<void> {
  if (!batch.callbackUrl || batch.progressNotified >= 100) return;
  const counts = await statusCounts(em, batch.id);
  const total = counts.reduce((a, c) => a + c.count, 0);
  const done = counts.filter((c) => FINISHED.has(c.status)).reduce((a, c) => a + c.count, 0);
  const progress = total === 0 ? 0 : Math.floor((done * 100) / total);
  for (const phase of PHASES) {
    if (phase <= batch.progressNotified || progress < phase) continue;
    const body = JSON.stringify({ clientCorrelationId: batch.clientCorrelationId, batchId: batch.id, phase, progress, status: batch.status });
    let delivered = false;
    for (let attempt = 0; attempt < 3 && !delivered; attempt++) {
      try {
        const res = await fetch(batch.callbackUrl, { method: "POST", headers: { "content-type": "application/json" }, body, signal: AbortSignal.timeout(5000) });
        delivered = res.ok;
      } catch {
        delivered = false;
      }
    }
    if (!delivered) batch.statusReason = `progress callback ${phase}% could not be delivered`;
    batch.progressNotified = phase;
  }
  await em.flush();
}

async function anyInFlight(em: EntityManager, batchId: string): Promise<boolean> {
  const rows = await em.getConnection().execute<{ one: number }[]>(
    `select 1 as one from ${tableOf(em, Payment)} where batch_id = ? and status in (?, ?, ?) limit 1`,
    [batchId, ...IN_FLIGHT],
    "all",
    em.getTransactionContext(),
  );
  return rows.length > 0;
}

/** Closes the batch when nothing is left in flight; RECONCILING while UNKNOWN payments remain. */
export async function maybeFinish(em: EntityManager, batch: DisbursementBatch): Promise<void> {
  if (TERMINAL_BATCH.has(batch.status)) return;
  // Cheap probe first (one index lookup on (batch_id, status)): while anything is in flight — every
  // dispatch chunk but the last — the batch cannot close, and the grouped count over the whole batch
  // (O(batch) per chunk, O(batch²) per batch) is not needed.
  if (await anyInFlight(em, batch.id)) return;
  const counts = await statusCounts(em, batch.id);
  const n = (s: PaymentStatus) => counts.find((c) => c.status === s)?.count ?? 0;
  if (counts.some((c) => IN_FLIGHT.has(c.status) && c.count > 0)) return;
  if (n(PaymentStatus.UNKNOWN) > 0) {
    if (batch.status !== BatchStatus.RECONCILING) {
      batch.status = BatchStatus.RECONCILING;
      batch.statusReason = `${n(PaymentStatus.UNKNOWN)} payments have an unknown outcome`;
      await em.flush();
    }
    return;
  }
  const total = counts.reduce((a, c) => a + c.count, 0);
  const completed = n(PaymentStatus.COMPLETED);
  const sent = completed + n(PaymentStatus.FAILED);
  batch.status =
    completed === total ? BatchStatus.COMPLETED : completed > 0 ? BatchStatus.PARTIALLY_COMPLETED : sent === 0 && n(PaymentStatus.CANCELLED) > 0 ? BatchStatus.CANCELLED : BatchStatus.FAILED;
  batch.statusReason = completed === total ? null : `${completed} of ${total} payments completed`;
  for (const hold of await em.find(LedgerHold, { batchId: batch.id, status: HoldStatus.OPEN })) await closeHold(em, hold);
  audit(em, SYSTEM, { action: "batch.finish", entityType: "DisbursementBatch", entityId: batch.id, changes: { status: batch.status, completed, total } });
  await em.flush();
}
