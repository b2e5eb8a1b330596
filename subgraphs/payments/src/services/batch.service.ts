import { createHash, randomUUID } from "node:crypto";
import { Readable } from "node:stream";
import type { EntityManager } from "@mikro-orm/core";
import { parse } from "csv-parse";
import { assertCurrency, audit, badInput, decimalToMinor, fromMinorUnits, notFound, toMinorUnits, userError, type AuditActor, type JobQueue } from "@g2p/kit";
import { BatchSource, BatchStatus, DisbursementBatch, TERMINAL_BATCH } from "../entities/disbursement-batch.entity";
import { HoldStatus, LedgerHold } from "../entities/ledger.entity";
import { PaymentProvider } from "../entities/mapper.entity";
import { Payment, PaymentStatus } from "../entities/payment.entity";
import { enqueuePipeline } from "../jobs/pipeline.job";
import { accountCodes, closeHold, placeHold } from "./ledger.service";
import { parseFinancialAddress } from "./mapper.service";
import { lockBatch, maybeFinish } from "./pipeline.service";
import { normalizeLanguage } from "./notification-template.service";
import { insertRows, isUniqueViolation, minorToRawMoney, slices } from "./sql";

export interface InstructionInput {
  instructionId?: string | null;
  registrantId?: string | null;
  /** Whom the account mapper resolves; defaults to registrantId. */
  beneficiaryId?: string | null;
  financialAddress?: string | null;
  entitlementId?: string | null;
  amount: string;
  note?: string | null;
  /** BCP 47 language of the beneficiary's notifications; defaults to the batch's. */
  language?: string | null;
  /** Where the beneficiary is also told of the outcome by e-mail (personal data). */
  email?: string | null;
}

export interface NewBatch {
  clientCorrelationId: string;
  programCode?: string | null;
  currency: string;
  purpose?: string | null;
  approvalRequired?: boolean | null;
  /** Progress callbacks (POST JSON) at 20/40/60/80/100 %. */
  callbackUrl?: string | null;
  /** Default notification language of the batch's payments. */
  language?: string | null;
  payments: InstructionInput[];
}

export const MAX_INLINE_PAYMENTS = 10_000;
const INSERT_SLICE = 1000;

type Row = Omit<Payment, "id" | "createdAt" | "updatedAt" | "attempts"> & { id?: string };

function checkCorrelationId(id: string): string {
  const trimmed = id.trim();
  if (!trimmed || trimmed.length > 100) throw badInput("clientCorrelationId must be 1 to 100 characters", "clientCorrelationId");
  return trimmed;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function checkEmail(email: string | null | undefined, field: string): string | null {
  const e = email?.trim();
  if (!e) return null;
  if (e.length > 254 || !EMAIL.test(e)) throw badInput("email must be an e-mail address of at most 254 characters", field);
  return e;
}

function checkCallbackUrl(url: string | null | undefined): string | null {
  if (url == null) return null;
  try {
    const parsed = new URL(url);
    if (/^https?:$/.test(parsed.protocol) && url.length <= 500) return url;
  } catch {
    // fall through
  }
  throw badInput("callbackUrl must be an absolute http(s) URL of at most 500 characters", "callbackUrl");
}

export function checkProgram(code: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(code)) throw badInput("programCode must be letters, digits, '.', '_' or '-'", "programCode");
  return code;
}

/** The batch for a correlation id, if the payload hash matches; IDEMPOTENCY_MISMATCH if it does not. */
async function existingFor(em: EntityManager, correlationId: string, hash: string): Promise<DisbursementBatch | null> {
  const existing = await em.fork().findOne(DisbursementBatch, { clientCorrelationId: correlationId });
  if (!existing) return null;
  if (existing.payloadHash !== hash) throw userError("IDEMPOTENCY_MISMATCH", `clientCorrelationId ${correlationId} was used for a different batch`);
  return existing;
}

async function refuseEntitlementsAlreadyPaid(em: EntityManager, ids: string[]): Promise<void> {
  for (const part of slices(ids, 1000)) {
    const taken = await em.find(Payment, { entitlementId: { $in: part } }, { fields: ["entitlementId", "batchId"], limit: 1 });
    if (taken.length > 0) {
      throw userError("CONFLICT", `entitlement ${taken[0]!.entitlementId} is already in batch ${taken[0]!.batchId}: an entitlement is paid once`, { field: "entitlementId" });
    }
  }
}

/** Starts (or re-starts, idempotently) the pipeline of a batch. */
export async function startPipeline(jobs: JobQueue, batch: DisbursementBatch): Promise<void> {
  if (!batch.programCode) return;
  if (batch.status !== BatchStatus.RECEIVED && batch.status !== BatchStatus.VALIDATING) return;
  await enqueuePipeline(jobs, batch.id, "full", 0, `pipeline:${batch.id}:full`);
}

/**
 * Stores a batch submitted through the API in one transaction. Same correlation id + same payload
 * returns the existing batch (also under concurrency: the unique key decides, the losers re-read);
 * another payload is refused. Rows with problems are kept as INVALID with a reason.
 */
export async function submitBatch(em: EntityManager, actor: AuditActor, jobs: JobQueue, input: NewBatch, maxPayments = MAX_INLINE_PAYMENTS): Promise<DisbursementBatch> {
  const correlationId = checkCorrelationId(input.clientCorrelationId);
  const currency = assertCurrency(input.currency);
  const programCode = input.programCode == null ? null : checkProgram(input.programCode);
  const callbackUrl = checkCallbackUrl(input.callbackUrl);
  const batchLanguage = input.language == null ? null : normalizeLanguage(input.language);
  if (input.payments.length === 0) throw badInput("a batch needs at least one payment", "payments");
  if (input.payments.length > maxPayments) throw badInput(`at most ${maxPayments} payments inline; upload larger batches as CSV`, "payments");
  const minors = input.payments.map((p, i) => toMinorUnits(p.amount, `payments[${i}].amount`));
  const seen = new Set<string>();
  const rows: Row[] = input.payments.map((p, i) => {
    const instructionId = (p.instructionId ?? String(i + 1)).trim();
    if (!instructionId || instructionId.length > 100) throw badInput("instructionId must be 1 to 100 characters", `payments[${i}].instructionId`);
    if (seen.has(instructionId)) throw badInput(`instructionId ${instructionId} appears twice`, `payments[${i}].instructionId`);
    seen.add(instructionId);
    const beneficiaryId = (p.beneficiaryId ?? p.registrantId ?? "").trim();
    if (!beneficiaryId && !p.financialAddress) throw badInput("each payment needs a registrantId, a beneficiaryId or a financialAddress", `payments[${i}]`);
    if (p.financialAddress && !parseFinancialAddress(p.financialAddress)) throw badInput("financialAddress must look like type:id@provider", `payments[${i}].financialAddress`);
    return {
      batchId: "",
      seq: i,
      instructionId,
      registrantId: p.registrantId ?? null,
      entitlementId: p.entitlementId ?? null,
      beneficiaryId: beneficiaryId || p.financialAddress!,
      financialAddress: p.financialAddress ?? null,
      providerCode: null,
      amount: fromMinorUnits(minors[i]!),
      currency,
      note: p.note ?? null,
      language: p.language == null ? batchLanguage : normalizeLanguage(p.language, `payments[${i}].language`),
      email: checkEmail(p.email, `payments[${i}].email`),
      status: PaymentStatus.PENDING,
      statusReason: null,
      providerReference: null,
    };
  });
  const entitlements = rows.map((r) => r.entitlementId).filter((e): e is string => !!e);
  if (new Set(entitlements).size !== entitlements.length) throw badInput("an entitlement appears twice in the batch", "payments");
  const hash = createHash("sha256")
    .update(JSON.stringify([programCode, currency, input.purpose ?? null, !!input.approvalRequired, callbackUrl, rows.map(payloadOf)]))
    .digest("hex");

  const found = await existingFor(em, correlationId, hash);
  if (found) {
    await startPipeline(jobs, found);
    return found;
  }
  let batch: DisbursementBatch;
  try {
    batch = await em.fork().transactional(async (tx) => {
      await refuseEntitlementsAlreadyPaid(tx, entitlements);
      const created = tx.create(DisbursementBatch, {
        clientCorrelationId: correlationId,
        payloadHash: hash,
        source: BatchSource.API,
        programCode,
        purpose: input.purpose ?? null,
        currency,
        totalAmount: fromMinorUnits(minors.reduce((a, b) => a + b, 0n)),
        paymentCount: rows.length,
        statusReason: programCode ? null : "waiting for a program: startDisbursementBatch(id, programCode)",
        approvalRequired: !!input.approvalRequired,
        submittedBy: actor.viewer.sub,
        callbackUrl,
      });
      await tx.flush();
      await insertPayments(tx, created.id, rows);
      audit(tx, actor, {
        action: "batch.create",
        entityType: "DisbursementBatch",
        entityId: created.id,
        changes: { clientCorrelationId: correlationId, programCode, currency, totalAmount: created.totalAmount, paymentCount: created.paymentCount },
      });
      return created;
    });
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    const again = await existingFor(em, correlationId, hash);
    if (!again) throw userError("CONFLICT", "an entitlement in this batch is already in another batch: an entitlement is paid once", { field: "entitlementId" });
    batch = again;
  }
  await startPipeline(jobs, batch);
  return batch;
}

/**
 * What of a payment the idempotency hash covers. Language and e-mail are added only when given, so a
 * batch submitted before they existed hashes as it did (its resubmission is still the same batch).
 */
function payloadOf(r: Row): unknown[] {
  const base = [r.instructionId, r.beneficiaryId, r.financialAddress, r.entitlementId, r.amount, r.note];
  return r.language || r.email ? [...base, r.language ?? null, r.email ?? null] : base;
}

async function insertPayments(tx: EntityManager, batchId: string, rows: Row[]): Promise<void> {
  const base = Date.now();
  for (const part of slices(rows, INSERT_SLICE)) await insertPaymentRows(tx, batchId, part, base);
}

const PAYMENT_COLUMNS = [
  "id",
  "batch_id",
  "seq",
  "instruction_id",
  "registrant_id",
  "entitlement_id",
  "beneficiary_id",
  "financial_address",
  "provider_code",
  "amount",
  "currency",
  "note",
  "language",
  "email",
  "status",
  "status_reason",
  "provider_reference",
  "attempts",
  "created_at",
  "updated_at",
];

/**
 * Payments that arrive with a financial address of an active provider in the directory are prepared
 * as they are inserted (provider_code set): prepare then selects only the rest (account lookups,
 * unknown or inactive providers) and the common case costs no second write per payment. Dispatch still
 * refuses a provider deactivated since (no connector → FAILED with the reason).
 */
async function preparedAtIntake(tx: EntityManager, rows: Row[]): Promise<Map<Row, string>> {
  const providerOf = new Map<Row, string>();
  for (const r of rows) {
    if (r.status !== PaymentStatus.PENDING || !r.financialAddress || r.providerCode) continue;
    const parts = parseFinancialAddress(r.financialAddress);
    if (parts) providerOf.set(r, parts.provider);
  }
  const codes = [...new Set(providerOf.values())];
  if (codes.length === 0) return providerOf;
  const active = new Set((await tx.find(PaymentProvider, { code: { $in: codes }, active: true }, { fields: ["code"] })).map((p) => p.code));
  for (const [r, code] of providerOf) if (!active.has(code)) providerOf.delete(r);
  return providerOf;
}

/** One multi-row INSERT of new payments (raw column values; a duplicate still fails on the unique indexes). */
async function insertPaymentRows(tx: EntityManager, batchId: string, rows: Row[], base: number): Promise<void> {
  const date = (d: Date) => tx.getPlatform().processDateProperty(d);
  const updated = date(new Date(base));
  const provider = await preparedAtIntake(tx, rows);
  await insertRows(
    tx,
    Payment,
    PAYMENT_COLUMNS,
    rows.map((r) => [
      randomUUID(),
      batchId,
      r.seq,
      r.instructionId,
      r.registrantId ?? null,
      r.entitlementId ?? null,
      r.beneficiaryId,
      r.financialAddress ?? null,
      r.providerCode ?? provider.get(r) ?? null,
      minorToRawMoney(tx, decimalToMinor(r.amount)),
      r.currency,
      r.note ?? null,
      r.language ?? null,
      r.email ?? null,
      r.status,
      r.statusReason ?? null,
      r.providerReference ?? null,
      0,
      date(new Date(base + r.seq)),
      updated,
    ]),
  );
}

/** Payment Hub EE's bulk CSV columns (a header may use any subset that includes the required ones). */
export const PHEE_COLUMNS = [
  "id",
  "request_id",
  "payment_mode",
  "payer_identifier_type",
  "payer_identifier",
  "payee_identifier_type",
  "payee_identifier",
  "amount",
  "currency",
  "note",
  "account_number",
  "program_shortcode",
  "cycle",
  "payee_dfsp_id",
  "batch_id",
] as const;
const REQUIRED = ["payee_identifier_type", "payee_identifier", "amount", "currency"];

/** PH-EE identifier types → financial-address types. */
const FA_TYPE: Record<string, string> = { MSISDN: "mobile", ACCOUNT_ID: "account", IBAN: "account", WALLET_ID: "wallet", VIRTUAL_ADDRESS: "token", EMAIL: "email" };

export interface CsvBatchInput {
  clientCorrelationId: string;
  programCode: string;
  currency: string;
  purpose?: string | null;
  approvalRequired?: boolean | null;
}

/**
 * Streams a CSV in PH-EE's column set into a batch: csv-parse row by row, inserted 1,000 at a time
 * in one transaction, so memory does not grow with the file. Bad rows become INVALID payments with
 * the reason; a bad header refuses the file. Same correlation id + same bytes returns the batch.
 */
export async function submitCsvBatch(em: EntityManager, actor: AuditActor, jobs: JobQueue, input: CsvBatchInput, open: () => Readable): Promise<DisbursementBatch> {
  const correlationId = checkCorrelationId(input.clientCorrelationId);
  const currency = assertCurrency(input.currency);
  const programCode = checkProgram(input.programCode);
  const salt = JSON.stringify([programCode, currency, input.purpose ?? null, !!input.approvalRequired]);
  const existing = await em.fork().findOne(DisbursementBatch, { clientCorrelationId: correlationId });
  if (existing) {
    const hash = createHash("sha256").update(salt);
    for await (const piece of open()) hash.update(piece as Buffer);
    if (existing.payloadHash !== hash.digest("hex")) throw userError("IDEMPOTENCY_MISMATCH", `clientCorrelationId ${correlationId} was used for a different batch`);
    await startPipeline(jobs, existing);
    return existing;
  }
  let batch: DisbursementBatch;
  try {
    batch = await em.fork().transactional(async (tx) => {
      const created = tx.create(DisbursementBatch, {
        clientCorrelationId: correlationId,
        payloadHash: "pending",
        source: BatchSource.CSV,
        programCode,
        purpose: input.purpose ?? null,
        currency,
        totalAmount: "0.00",
        paymentCount: 0,
        approvalRequired: !!input.approvalRequired,
        submittedBy: actor.viewer.sub,
      });
      await tx.flush();
      const hash = createHash("sha256").update(salt);
      const source = open();
      source.on("data", (piece: Buffer | string) => hash.update(piece));
      const parser = source.pipe(
        parse({
          columns: (header: string[]) => {
            const names = header.map((h) => h.trim().toLowerCase());
            const unknown = names.filter((h) => !(PHEE_COLUMNS as readonly string[]).includes(h));
            if (unknown.length) throw badInput(`unknown CSV columns: ${unknown.join(", ")} (expected Payment Hub EE's: ${PHEE_COLUMNS.join(", ")})`, "csv");
            const missing = REQUIRED.filter((r) => !names.includes(r));
            if (missing.length) throw badInput(`missing CSV columns: ${missing.join(", ")}`, "csv");
            return names;
          },
          skip_empty_lines: true,
          trim: true,
          relax_column_count: true,
        }),
      );
      let seq = 0;
      let total = 0n;
      let pending: Row[] = [];
      const instructionIds = new Set<string>();
      const base = Date.now();
      const flush = async () => {
        if (!pending.length) return;
        const ents = pending.map((r) => r.entitlementId).filter((e): e is string => !!e);
        if (ents.length) await refuseEntitlementsAlreadyPaid(tx, ents);
        await insertPaymentRows(tx, created.id, pending, base);
        pending = [];
      };
      try {
        for await (const rec of parser as AsyncIterable<Record<string, string | undefined>>) {
          const row = csvRow(rec, seq, currency, instructionIds);
          if (row.status === PaymentStatus.PENDING) total += toMinorUnits(row.amount);
          pending.push(row);
          seq++;
          if (pending.length >= INSERT_SLICE) await flush();
        }
      } catch (err) {
        if ((err as { extensions?: unknown }).extensions) throw err;
        throw badInput(`CSV could not be read: ${err instanceof Error ? err.message : String(err)}`, "csv");
      }
      await flush();
      if (seq === 0) throw badInput("the CSV has no payment rows", "csv");
      created.payloadHash = hash.digest("hex");
      created.totalAmount = fromMinorUnits(total);
      created.paymentCount = seq;
      audit(tx, actor, {
        action: "batch.create",
        entityType: "DisbursementBatch",
        entityId: created.id,
        changes: { clientCorrelationId: correlationId, source: "CSV", programCode, currency, totalAmount: created.totalAmount, paymentCount: seq },
      });
      return created;
    });
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    return submitCsvBatch(em, actor, jobs, input, open);
  }
  await startPipeline(jobs, batch);
  return batch;
}

function csvRow(rec: Record<string, string | undefined>, seq: number, currency: string, instructionIds: Set<string>): Row {
  const problems: string[] = [];
  let instructionId = (rec.request_id || rec.id || String(seq + 1)).slice(0, 100);
  if (instructionIds.has(instructionId)) {
    problems.push(`duplicate request_id ${instructionId}`);
    instructionId = `${instructionId}#${seq + 1}`;
  }
  instructionIds.add(instructionId);
  let amount = "0.00";
  try {
    amount = fromMinorUnits(toMinorUnits(rec.amount ?? "", "amount"));
  } catch {
    problems.push(`amount ${JSON.stringify(rec.amount ?? "")} is not a positive decimal`);
  }
  if ((rec.currency ?? "") !== currency) problems.push(`currency ${JSON.stringify(rec.currency ?? "")} is not the batch's ${currency}`);
  const idType = (rec.payee_identifier_type ?? "").toUpperCase();
  const payee = rec.payee_identifier ?? "";
  if (!payee) problems.push("payee_identifier is empty");
  if (idType === "MSISDN" && payee && !/^\+?\d{6,15}$/.test(payee)) problems.push("payee_identifier is not an MSISDN");
  let financialAddress: string | null = null;
  if (rec.payee_dfsp_id) {
    const type = FA_TYPE[idType];
    if (!type) problems.push(`payee_identifier_type ${idType} is not supported`);
    else financialAddress = `${type}:${payee}@${rec.payee_dfsp_id}`;
    if (financialAddress && !parseFinancialAddress(financialAddress)) problems.push("payee address is not valid");
  }
  return {
    batchId: "",
    seq,
    instructionId,
    registrantId: null,
    entitlementId: null,
    beneficiaryId: (payee || `row-${seq + 1}`).slice(0, 200),
    financialAddress: problems.length ? null : financialAddress,
    providerCode: null,
    amount,
    currency,
    note: rec.note ? rec.note.slice(0, 200) : null,
    status: problems.length ? PaymentStatus.INVALID : PaymentStatus.PENDING,
    statusReason: problems.length ? problems.join("; ") : null,
    providerReference: null,
  };
}

/** Gives a batch submitted without a program its funding program, and starts its pipeline. */
export async function startBatch(em: EntityManager, actor: AuditActor, jobs: JobQueue, batchId: string, programCode: string): Promise<DisbursementBatch> {
  checkProgram(programCode);
  const batch = await em.fork().transactional(async (tx) => {
    const b = await lockBatch(tx, batchId);
    if (!b) throw notFound("DisbursementBatch", batchId);
    if (b.status !== BatchStatus.RECEIVED || (b.programCode && b.programCode !== programCode)) {
      throw userError("CONFLICT", `batch ${batchId} is ${b.status} with program ${b.programCode ?? "none"}`);
    }
    b.programCode = programCode;
    b.statusReason = null;
    audit(tx, actor, { action: "batch.start", entityType: "DisbursementBatch", entityId: batchId, changes: { programCode } });
    return b;
  });
  await startPipeline(jobs, batch);
  return batch;
}

/** Four eyes: the approver must not be the submitter. Starts dispatch. */
export async function approveBatch(em: EntityManager, actor: AuditActor, jobs: JobQueue, batchId: string, approve: boolean, note?: string | null): Promise<DisbursementBatch> {
  const batch = await em.fork().transactional(async (tx) => {
    const b = await lockBatch(tx, batchId);
    if (!b) throw notFound("DisbursementBatch", batchId);
    if (b.status !== BatchStatus.PENDING_APPROVAL) throw userError("CONFLICT", `batch ${batchId} is ${b.status}, not PENDING_APPROVAL`);
    if (b.submittedBy && b.submittedBy === actor.viewer.sub) throw userError("FORBIDDEN", "the submitter of a batch may not approve it");
    if (approve) {
      b.status = BatchStatus.APPROVED;
      b.approvedBy = actor.viewer.sub;
    } else {
      b.status = BatchStatus.REJECTED;
      b.statusReason = note ?? "rejected";
      await tx.nativeUpdate(Payment, { batchId, status: { $in: [PaymentStatus.PENDING, PaymentStatus.READY] } }, { status: PaymentStatus.CANCELLED, statusReason: "batch rejected" });
      for (const hold of await tx.find(LedgerHold, { batchId, status: HoldStatus.OPEN })) await closeHold(tx, hold);
    }
    audit(tx, actor, { action: approve ? "batch.approve" : "batch.reject", entityType: "DisbursementBatch", entityId: batchId, changes: { note: note ?? null } });
    return b;
  });
  if (approve) await enqueuePipeline(jobs, batchId, "dispatch", 0, `pipeline:${batchId}:dispatch:0`);
  return batch;
}

/** Cancels what has not been sent: PENDING and READY payments; the batch closes when nothing else is in flight. */
export async function cancelBatch(em: EntityManager, actor: AuditActor, batchId: string, reason: string): Promise<DisbursementBatch> {
  return em.fork().transactional(async (tx) => {
    const b = await lockBatch(tx, batchId);
    if (!b) throw notFound("DisbursementBatch", batchId);
    if (TERMINAL_BATCH.has(b.status)) throw userError("CONFLICT", `batch ${batchId} is ${b.status} and cannot be cancelled`);
    const cancelled = await tx.nativeUpdate(Payment, { batchId, status: { $in: [PaymentStatus.PENDING, PaymentStatus.READY] } }, { status: PaymentStatus.CANCELLED, statusReason: `cancelled: ${reason}` });
    audit(tx, actor, { action: "batch.cancel", entityType: "DisbursementBatch", entityId: batchId, changes: { reason, cancelledPayments: cancelled } });
    if (b.status !== BatchStatus.PROCESSING && b.status !== BatchStatus.RECONCILING) b.status = BatchStatus.PROCESSING; // let maybeFinish decide
    await maybeFinish(tx, b);
    if (b.status === BatchStatus.PROCESSING) b.statusReason = `cancel requested: ${reason}`;
    await tx.flush();
    return b;
  });
}

/** Sends FAILED payments (that a provider refused or never got) again, under a new hold. */
export async function retryFailed(em: EntityManager, actor: AuditActor, jobs: JobQueue, batchId: string): Promise<DisbursementBatch> {
  const { batch, run } = await em.fork().transactional(async (tx) => {
    const b = await lockBatch(tx, batchId);
    if (!b) throw notFound("DisbursementBatch", batchId);
    if (b.status !== BatchStatus.PARTIALLY_COMPLETED && b.status !== BatchStatus.FAILED) throw userError("CONFLICT", `batch ${batchId} is ${b.status}; only a finished batch with failures can be retried`);
    const failed = await tx.find(Payment, { batchId, status: PaymentStatus.FAILED, providerCode: { $ne: null } }, { fields: ["id", "amount"] });
    if (failed.length === 0) throw userError("CONFLICT", `batch ${batchId} has no failed payment to retry`);
    const total = failed.reduce((a, p) => a + toMinorUnits(p.amount), 0n);
    const n = (await tx.count(LedgerHold, { batchId })) + 1;
    const hold = await placeHold(tx, `retry:${batchId}:${n}`, accountCodes.funding(b.programCode!), b.currency, total, batchId);
    if (!hold) throw userError("CONFLICT", `insufficient funds on ${accountCodes.funding(b.programCode!)} to retry ${fromMinorUnits(total)} ${b.currency}`);
    await tx.nativeUpdate(Payment, { batchId, status: PaymentStatus.FAILED, providerCode: { $ne: null } }, { status: PaymentStatus.READY, statusReason: null });
    b.status = BatchStatus.PROCESSING;
    b.statusReason = `retry ${n - 1} of ${failed.length} failed payments`;
    audit(tx, actor, { action: "batch.retry", entityType: "DisbursementBatch", entityId: batchId, changes: { payments: failed.length, amount: fromMinorUnits(total) } });
    return { batch: b, run: n };
  });
  await enqueuePipeline(jobs, batchId, "dispatch", run, `pipeline:${batchId}:dispatch:${run}`);
  return batch;
}

/** Re-runs the status queries of a RECONCILING batch. */
export async function reconcileUnknown(jobs: JobQueue, batch: DisbursementBatch, run: number): Promise<void> {
  await enqueuePipeline(jobs, batch.id, "reconcile", run, `pipeline:${batch.id}:reconcile:${run}`);
}

export function readableFromString(text: string): () => Readable {
  return () => Readable.from([Buffer.from(text, "utf8")]);
}
