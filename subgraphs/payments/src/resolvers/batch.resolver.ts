import { badInput, connectionTypes, fromMinorUnits, keysetPage, notFound, type RegistrantKey, type SubgraphContext } from "@g2p/kit";
import { Arg, Authorized, Ctx, Field, FieldResolver, Float, ID, InputType, Int, Mutation, ObjectType, Query, Resolver, Root, registerEnumType } from "type-graphql";
import { RegistrantRef } from "../entities/registrant-ref";
import { BatchStatus, DisbursementBatch } from "../entities/disbursement-batch.entity";
import { Payment, PaymentStatus } from "../entities/payment.entity";
import type { PaymentsLoaders } from "../loaders";
import { approveBatch, cancelBatch, startBatch, readableFromString, reconcileUnknown, retryFailed, submitBatch, submitCsvBatch } from "../services/batch.service";
import { resolveUnknown, statusCounts } from "../services/pipeline.service";
import { batchFromCycle } from "../services/cycle.service";
import { reconcileStatement } from "../services/reconciliation.service";

type PaymentsContext = SubgraphContext<PaymentsLoaders>;

export enum StatementFormat {
  MT940 = "MT940",
  CAMT053 = "CAMT053",
  CAMT054 = "CAMT054",
}
registerEnumType(StatementFormat, { name: "StatementFormat", description: "MT940, ISO 20022 camt.053.001.08 (statement) or camt.054.001.08 (debit/credit notification)." });

export const PaymentConnection = connectionTypes(Payment, "Payment");
export const DisbursementBatchConnection = connectionTypes(DisbursementBatch, "DisbursementBatch");

@InputType()
export class PaymentInstructionInput {
  @Field({ nullable: true, description: "Your id for this instruction, unique in the batch (default: its position)." }) instructionId?: string;
  @Field(() => ID, { nullable: true }) registrantId?: string;
  @Field({ nullable: true, description: "Id the account mapper resolves (default: registrantId)." }) beneficiaryId?: string;
  @Field({ nullable: true, description: "type:id@provider; skips the account lookup." }) financialAddress?: string;
  @Field({ nullable: true, description: "An entitlement is paid at most once, across batches." }) entitlementId?: string;
  @Field({ description: 'Exact decimal string, e.g. "1250.50".' }) amount!: string;
  @Field({ nullable: true }) note?: string;
  @Field({ nullable: true, description: "BCP 47 language of the beneficiary's notifications (default: the batch's language)." }) language?: string;
  @Field({ nullable: true, description: "Also notify the beneficiary by e-mail (personal data: wiped from the outbox once sent)." }) email?: string;
}

@InputType()
export class CreateDisbursementBatchInput {
  @Field() clientCorrelationId!: string;
  @Field({ nullable: true, description: "Program whose funding account (FUNDING:<programCode>) pays the batch; without it the batch waits for startDisbursementBatch." })
  programCode?: string;
  @Field() currency!: string;
  @Field({ nullable: true }) purpose?: string;
  @Field({ nullable: true, description: "Require an approver (not the submitter) before dispatch." }) approvalRequired?: boolean;
  @Field({ nullable: true, description: "Receives POST {clientCorrelationId, batchId, phase, progress, status} at 20/40/60/80/100 %." }) callbackUrl?: string;
  @Field({ nullable: true, description: "Default notification language (BCP 47) of the batch's payments." }) language?: string;
  @Field(() => [PaymentInstructionInput]) payments!: PaymentInstructionInput[];
}

@InputType()
export class CsvDisbursementBatchInput {
  @Field() clientCorrelationId!: string;
  @Field() programCode!: string;
  @Field() currency!: string;
  @Field({ nullable: true }) purpose?: string;
  @Field({ nullable: true }) approvalRequired?: boolean;
  @Field({ description: "CSV with Payment Hub EE's columns (request_id, payment_mode, payee_identifier_type, payee_identifier, amount, currency, note, payee_dfsp_id, ...)." })
  csv!: string;
}

@ObjectType()
export class PaymentStatusSummary {
  @Field(() => PaymentStatus) status!: PaymentStatus;
  @Field(() => Int) count!: number;
  @Field({ description: "Exact decimal string." }) amount!: string;
  @Field(() => Float, { description: "Share of the batch's payments, 0–100." }) percentage!: number;
}

@ObjectType()
export class BatchSummary {
  @Field(() => Int) total!: number;
  @Field(() => Int) completed!: number;
  @Field(() => Int, { description: "FAILED, INVALID and PAYEE_NOT_FOUND." }) failed!: number;
  @Field(() => Int, { description: "Not finished yet: PENDING, READY, SENT, UNKNOWN." }) ongoing!: number;
  @Field() completedAmount!: string;
  @Field() failedAmount!: string;
  @Field(() => Float, { description: "Finished payments (any final state), 0–100." }) progress!: number;
  @Field(() => [PaymentStatusSummary]) byStatus!: PaymentStatusSummary[];
}

@ObjectType()
export class StatementLine {
  @Field() reference!: string;
  @Field() amount!: string;
  @Field({ description: "MT940 mark: C, D, RC, RD." }) mark!: string;
  @Field() narrative!: string;
}

@ObjectType({ description: "What a provider statement said about a batch." })
export class ReconciliationReport {
  @Field() statementReference!: string;
  @Field(() => Int) lines!: number;
  @Field(() => Int) matched!: number;
  @Field(() => [ID], { description: "Payments whose statement amount differs." }) amountMismatches!: string[];
  @Field(() => [ID], { description: "COMPLETED payments with no statement line." }) missing!: string[];
  @Field(() => [ID], { description: "Payments the provider reversed (funds returned to the program)." }) reversed!: string[];
  @Field(() => [StatementLine], { description: "Lines that match no payment of the batch." }) unknownLines!: StatementLine[];
}

const FAILED_STATES = new Set([PaymentStatus.FAILED, PaymentStatus.INVALID, PaymentStatus.PAYEE_NOT_FOUND]);
const ONGOING_STATES = new Set([PaymentStatus.PENDING, PaymentStatus.READY, PaymentStatus.SENT, PaymentStatus.UNKNOWN]);
const pct = (n: number, total: number) => (total === 0 ? 0 : Math.round((n / total) * 10000) / 100);

@Resolver(() => DisbursementBatch)
export class DisbursementBatchResolver {
  @Authorized("payment:read")
  @Query(() => DisbursementBatch)
  async disbursementBatch(@Arg("id", () => ID) id: string, @Ctx() ctx: PaymentsContext): Promise<DisbursementBatch> {
    const found = await ctx.loaders.batchById.load(id);
    if (!found) throw notFound("DisbursementBatch", id);
    return found;
  }

  @Authorized("payment:read")
  @Query(() => DisbursementBatchConnection, { description: "Batches, newest first by creation, optionally by state." })
  disbursementBatches(
    @Ctx() ctx: PaymentsContext,
    @Arg("status", () => BatchStatus, { nullable: true }) status?: BatchStatus,
    @Arg("first", () => Int, { nullable: true }) first?: number,
    @Arg("after", { nullable: true }) after?: string,
  ) {
    return keysetPage(ctx.em, DisbursementBatch, status ? { status } : {}, { first, after });
  }

  @Authorized("payment:read")
  @Query(() => Payment)
  async payment(@Arg("id", () => ID) id: string, @Ctx() ctx: PaymentsContext): Promise<Payment> {
    const found = await ctx.em.findOne(Payment, id);
    if (!found) throw notFound("Payment", id);
    return found;
  }

  @Authorized("payment:write")
  @Mutation(() => DisbursementBatch, { description: "Submits a batch; the same clientCorrelationId with the same payload returns the same batch." })
  createDisbursementBatch(@Arg("input") input: CreateDisbursementBatchInput, @Ctx() ctx: PaymentsContext) {
    return submitBatch(ctx.em, ctx, ctx.jobs, input);
  }

  @Authorized("payment:write")
  @Mutation(() => DisbursementBatch, { description: "Submits a batch as CSV in Payment Hub EE's column set (streamed; bad rows become INVALID payments)." })
  submitDisbursementCsv(@Arg("input") input: CsvDisbursementBatchInput, @Ctx() ctx: PaymentsContext) {
    return submitCsvBatch(ctx.em, ctx, ctx.jobs, input, readableFromString(input.csv));
  }

  @Authorized("payment:write")
  @Mutation(() => DisbursementBatch, {
    description: "A batch from an APPROVED eligibility cycle (read through the graph): one payment per cash entitlement, paid once; asking again returns the same batch.",
  })
  createDisbursementBatchFromCycle(
    @Arg("cycleId", () => ID) cycleId: string,
    @Ctx() ctx: PaymentsContext,
    @Arg("approvalRequired", { nullable: true }) approvalRequired?: boolean,
  ) {
    return batchFromCycle(ctx.em, ctx, ctx.jobs, ctx.graph, cycleId, approvalRequired ?? false);
  }

  @Authorized("payment:write")
  @Mutation(() => DisbursementBatch, { description: "Assigns the funding program of a batch submitted without one and starts its pipeline." })
  startDisbursementBatch(@Arg("id", () => ID) id: string, @Arg("programCode") programCode: string, @Ctx() ctx: PaymentsContext) {
    return startBatch(ctx.em, ctx, ctx.jobs, id, programCode);
  }

  @Authorized("cycle:approve")
  @Mutation(() => DisbursementBatch, { description: "Approves a PENDING_APPROVAL batch (not by its submitter) and starts dispatch." })
  approveDisbursementBatch(@Arg("id", () => ID) id: string, @Ctx() ctx: PaymentsContext, @Arg("note", { nullable: true }) note?: string) {
    return approveBatch(ctx.em, ctx, ctx.jobs, id, true, note);
  }

  @Authorized("cycle:approve")
  @Mutation(() => DisbursementBatch)
  rejectDisbursementBatch(@Arg("id", () => ID) id: string, @Arg("reason") reason: string, @Ctx() ctx: PaymentsContext) {
    return approveBatch(ctx.em, ctx, ctx.jobs, id, false, reason);
  }

  @Authorized("payment:write")
  @Mutation(() => DisbursementBatch, { description: "Cancels every payment not yet sent." })
  cancelDisbursementBatch(@Arg("id", () => ID) id: string, @Arg("reason") reason: string, @Ctx() ctx: PaymentsContext) {
    return cancelBatch(ctx.em, ctx, id, reason);
  }

  @Authorized("payment:write")
  @Mutation(() => DisbursementBatch, { description: "Sends the FAILED payments of a finished batch again (same idempotency keys)." })
  retryFailedPayments(@Arg("batchId", () => ID) batchId: string, @Ctx() ctx: PaymentsContext) {
    return retryFailed(ctx.em, ctx, ctx.jobs, batchId);
  }

  @Authorized("payment:write")
  @Mutation(() => DisbursementBatch, { description: "Queries providers again for the batch's UNKNOWN payments." })
  async reconcileDisbursementBatch(@Arg("id", () => ID) id: string, @Ctx() ctx: PaymentsContext) {
    const batch = await ctx.em.findOne(DisbursementBatch, id);
    if (!batch) throw notFound("DisbursementBatch", id);
    await reconcileUnknown(ctx.jobs, batch, Date.now());
    return batch;
  }

  @Authorized("payment:write")
  @Mutation(() => Payment, { description: "An operator settles an UNKNOWN payment after checking with the provider." })
  resolveUnknownPayment(
    @Arg("paymentId", () => ID) paymentId: string,
    @Arg("outcome", () => PaymentStatus) outcome: PaymentStatus,
    @Arg("note") note: string,
    @Ctx() ctx: PaymentsContext,
  ) {
    if (outcome !== PaymentStatus.COMPLETED && outcome !== PaymentStatus.FAILED) {
      throw badInput("outcome must be COMPLETED or FAILED", "outcome");
    }
    return resolveUnknown(ctx.em, ctx, paymentId, outcome, note);
  }

  @Authorized("payment:write")
  @Mutation(() => ReconciliationReport, {
    description:
      "Reconciles a provider's statement against a batch (MT940, camt.053 or camt.054; the format is detected when not given); flags payments MATCHED, AMOUNT_MISMATCH, MISSING or REVERSED. A malformed file is refused with MALFORMED_FILE and changes nothing.",
  })
  reconcileStatement(
    @Arg("batchId", () => ID) batchId: string,
    @Ctx() ctx: PaymentsContext,
    @Arg("mt940", () => String, { nullable: true, description: "An MT940 statement (kept for existing callers; same as statement + format MT940)." }) mt940?: string | null,
    @Arg("statement", () => String, { nullable: true, description: "The statement file's text." }) statement?: string | null,
    @Arg("format", () => StatementFormat, { nullable: true }) format?: StatementFormat | null,
  ) {
    if ((mt940 == null) === (statement == null)) throw badInput("give exactly one of mt940 and statement", "statement");
    if (mt940 != null) return reconcileStatement(ctx.em, ctx, batchId, mt940, StatementFormat.MT940, "mt940");
    return reconcileStatement(ctx.em, ctx, batchId, statement!, format ?? null, "statement");
  }

  @FieldResolver(() => PaymentConnection, { description: "The batch's payments in submitted order, optionally by state." })
  payments(
    @Root() batch: DisbursementBatch,
    @Ctx() ctx: PaymentsContext,
    @Arg("status", () => PaymentStatus, { nullable: true }) status?: PaymentStatus,
    @Arg("first", () => Int, { nullable: true }) first?: number,
    @Arg("after", { nullable: true }) after?: string,
  ) {
    return keysetPage(ctx.em, Payment, status ? { batchId: batch.id, status } : { batchId: batch.id }, { first, after });
  }

  @FieldResolver(() => BatchSummary, { description: "Counts, amounts and percentage per state (one grouped query)." })
  async summary(@Root() batch: DisbursementBatch, @Ctx() ctx: PaymentsContext): Promise<BatchSummary> {
    const counts = await statusCounts(ctx.em, batch.id);
    const total = counts.reduce((a, c) => a + c.count, 0);
    const sum = (pred: (s: PaymentStatus) => boolean) => counts.filter((c) => pred(c.status));
    const count = (pred: (s: PaymentStatus) => boolean) => sum(pred).reduce((a, c) => a + c.count, 0);
    const amount = (pred: (s: PaymentStatus) => boolean) => fromMinorUnits(sum(pred).reduce((a, c) => a + c.amount, 0n));
    return {
      total,
      completed: count((s) => s === PaymentStatus.COMPLETED),
      failed: count((s) => FAILED_STATES.has(s)),
      ongoing: count((s) => ONGOING_STATES.has(s)),
      completedAmount: amount((s) => s === PaymentStatus.COMPLETED),
      failedAmount: amount((s) => FAILED_STATES.has(s)),
      progress: pct(count((s) => !ONGOING_STATES.has(s)), total),
      byStatus: counts.map((c) => ({ status: c.status, count: c.count, amount: fromMinorUnits(c.amount), percentage: pct(c.count, total) })),
    };
  }
}

@Resolver(() => RegistrantRef)
export class RegistrantPaymentsResolver {
  @Authorized("payment:read")
  @FieldResolver(() => [Payment], { nullable: true, description: "Payments to this registrant, oldest first." })
  payments(@Root() registrant: RegistrantKey, @Ctx() ctx: PaymentsContext) {
    return ctx.loaders.paymentsByRegistrant.load(registrant.id);
  }
}
