import type { EntityManager as SqlEntityManager } from "@mikro-orm/knex";
import { notFound, type RegistrantKey, type SubgraphContext } from "@g2p/kit";
import { Arg, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from "type-graphql";
import { publicJwks } from "../domain/qr";
import { RegistrantRef } from "../entities/registrant-ref";
import { Merchant, MerchantStatus } from "../entities/merchant.entity";
import { Redemption } from "../entities/redemption.entity";
import { VoucherEvent } from "../entities/voucher-event.entity";
import { Voucher } from "../entities/voucher.entity";
import { expirySweep } from "../jobs";
import type { VouchersLoaders } from "../loaders";
import { assertProgramScope } from "../services/access";
import { issueVoucher } from "../services/issuance.service";
import { runCommand } from "../services/lifecycle.service";
import { registerMerchant, setMerchantStatus } from "../services/merchant.service";
import { redeemVoucher } from "../services/redemption.service";
import { areaReport, merchantReport, reimbursementReport, statusReport } from "../services/report.service";
import { VoucherBatch, VoucherDelivery } from "../entities/voucher-batch.entity";
import { startBatch } from "../services/batch-issuance.service";
import { startCycleIssuance } from "../services/cycle-issuance.service";
import {
  IssuedVoucher,
  IssueVoucherBatchInput,
  IssueVoucherInput,
  RedeemVoucherInput,
  RegisterMerchantInput,
  VoucherBatchStatus,
  VoucherCommandResult,
  VoucherReport,
} from "./types";

type VouchersContext = SubgraphContext<VouchersLoaders>;

@Resolver(() => Voucher)
export class VoucherResolver {
  @Authorized("voucher:read")
  @Query(() => Voucher)
  async voucher(@Arg("id", () => ID) id: string, @Ctx() ctx: VouchersContext): Promise<Voucher> {
    const found = await ctx.loaders.voucherById.load(id);
    if (!found) throw notFound("Voucher", id);
    assertProgramScope(ctx.viewer, found.programId);
    return found;
  }

  @Authorized("voucher:read")
  @Query(() => Voucher)
  async voucherBySerial(@Arg("serialNumber") serialNumber: string, @Ctx() ctx: VouchersContext): Promise<Voucher> {
    const found = await ctx.em.findOne(Voucher, { serialNumber });
    if (!found) throw notFound("Voucher", serialNumber);
    assertProgramScope(ctx.viewer, found.programId);
    return found;
  }

  @Query(() => String, { description: "JWKS (JSON) of the keys that sign voucher QR codes, for offline checks." })
  voucherSigningKeys(@Ctx() ctx: VouchersContext): Promise<string> {
    return publicJwks(ctx.em.fork()).then((jwks) => JSON.stringify(jwks));
  }

  @Authorized("voucher:read")
  @Query(() => VoucherReport, { description: "Counts and values by status and cycle, by area, and redemptions and reimbursements by merchant." })
  async voucherReport(
    @Arg("programId", () => ID) programId: string,
    @Ctx() ctx: VouchersContext,
    @Arg("cycleId", () => ID, { nullable: true, description: "Only this cycle's vouchers (byStatus, byArea)." }) cycleId?: string,
  ): Promise<VoucherReport> {
    assertProgramScope(ctx.viewer, programId);
    const em = ctx.em as SqlEntityManager;
    const [byStatus, byArea, byMerchant, reimbursements] = await Promise.all([
      statusReport(em, programId, cycleId),
      areaReport(em, programId, cycleId),
      merchantReport(em, programId),
      reimbursementReport(em, programId),
    ]);
    return {
      programId,
      cycleId: cycleId ?? null,
      byStatus: byStatus as VoucherReport["byStatus"],
      byArea: byArea as VoucherReport["byArea"],
      byMerchant,
      reimbursements: reimbursements as VoucherReport["reimbursements"],
    };
  }

  @Authorized("voucher:write")
  @Mutation(() => IssuedVoucher, { description: "Issues one voucher (idempotent by instructionId); the secret is shown only here." })
  async issueVoucher(@Arg("input", () => IssueVoucherInput) input: IssueVoucherInput, @Ctx() ctx: VouchersContext): Promise<IssuedVoucher> {
    assertProgramScope(ctx.viewer, input.programId);
    return issueVoucher(ctx.em, ctx, input);
  }

  @Authorized("voucher:write")
  @Mutation(() => VoucherBatchStatus, { description: "Issues up to 10,000 vouchers as a job; secrets come back only as JWEs to your key (voucherDeliveries)." })
  async issueVoucherBatch(@Arg("input", () => IssueVoucherBatchInput) input: IssueVoucherBatchInput, @Ctx() ctx: VouchersContext): Promise<VoucherBatchStatus> {
    for (const v of input.vouchers) assertProgramScope(ctx.viewer, v.programId);
    const batch = await startBatch(ctx.em, ctx, ctx.jobs, input);
    return batchStatus(ctx, batch);
  }

  @Authorized("voucher:write")
  @Mutation(() => VoucherBatchStatus, {
    description:
      "Issues one voucher per VOUCHER / IN_KIND entitlement of an APPROVED cycle, read from eligibility through the graph, as a job (batch id cycle:<cycleId>). Idempotent: asking again returns the same batch (and restarts it if it failed); an entitlement never gets two vouchers. Secrets come back only as JWEs to deliveryKey (voucherDeliveries).",
  })
  async issueVouchersForCycle(
    @Arg("cycleId", () => ID) cycleId: string,
    @Arg("deliveryKey", { description: "Your public key (JWK JSON, EC P-256)." }) deliveryKey: string,
    @Ctx() ctx: VouchersContext,
    @Arg("groupCode", () => String, { nullable: true }) groupCode?: string,
    @Arg("presenceRequired", () => Boolean, { nullable: true }) presenceRequired?: boolean,
  ): Promise<VoucherBatchStatus> {
    const batch = await startCycleIssuance(ctx.em, ctx, ctx.jobs, ctx.graph, { cycleId, deliveryKey, groupCode, presenceRequired });
    return batchStatus(ctx, batch);
  }

  @Authorized("voucher:write")
  @Query(() => VoucherBatchStatus)
  async voucherBatch(@Arg("batchId") batchId: string, @Ctx() ctx: VouchersContext): Promise<VoucherBatchStatus> {
    const batch = await ctx.em.findOne(VoucherBatch, { batchId });
    if (!batch) throw notFound("VoucherBatch", batchId);
    return batchStatus(ctx, batch);
  }

  @Authorized("voucher:write")
  @Query(() => [VoucherDelivery], { description: "The encrypted secrets of a batch, one JWE per chunk of up to 1,000 vouchers." })
  async voucherDeliveries(@Arg("batchId") batchId: string, @Ctx() ctx: VouchersContext): Promise<VoucherDelivery[]> {
    const batch = await ctx.em.findOne(VoucherBatch, { batchId });
    if (!batch) throw notFound("VoucherBatch", batchId);
    return ctx.em.find(VoucherDelivery, { batchId: batch.id }, { orderBy: { chunk: "asc" } });
  }

  @Authorized("voucher:write")
  @Mutation(() => [VoucherCommandResult])
  activateVouchers(@Arg("serialNumbers", () => [String]) serialNumbers: string[], @Ctx() ctx: VouchersContext) {
    return runCommand(ctx.em, ctx, "activate", serialNumbers, null);
  }

  @Authorized("voucher:write")
  @Mutation(() => [VoucherCommandResult])
  suspendVouchers(@Arg("serialNumbers", () => [String]) serialNumbers: string[], @Arg("reason") reason: string, @Ctx() ctx: VouchersContext) {
    return runCommand(ctx.em, ctx, "suspend", serialNumbers, reason);
  }

  @Authorized("voucher:write")
  @Mutation(() => [VoucherCommandResult], { description: "SUSPENDED → ACTIVE; a voucher past its expiry becomes EXPIRED instead." })
  reactivateVouchers(@Arg("serialNumbers", () => [String]) serialNumbers: string[], @Ctx() ctx: VouchersContext) {
    return runCommand(ctx.em, ctx, "reactivate", serialNumbers, null);
  }

  @Authorized("voucher:write")
  @Mutation(() => [VoucherCommandResult])
  cancelVouchers(@Arg("serialNumbers", () => [String]) serialNumbers: string[], @Arg("reason") reason: string, @Ctx() ctx: VouchersContext) {
    return runCommand(ctx.em, ctx, "cancel", serialNumbers, reason);
  }

  @Authorized("voucher:write")
  @Mutation(() => ID, { description: "Starts the expiry sweeper job; returns its job id." })
  async sweepExpiredVouchers(@Ctx() ctx: VouchersContext): Promise<string> {
    const job = await ctx.jobs.enqueue(expirySweep.name, { now: new Date().toISOString() });
    return job.id;
  }

  @Authorized("voucher:redeem")
  @Mutation(() => Redemption, { description: "Merchant: redeem with the secret or the QR, after the beneficiary authenticated." })
  redeemVoucher(@Arg("input", () => RedeemVoucherInput) input: RedeemVoucherInput, @Ctx() ctx: VouchersContext) {
    return redeemVoucher(ctx.em, ctx, input);
  }

  @FieldResolver(() => [VoucherEvent], { description: "Every transition, oldest first." })
  history(@Root() voucher: Voucher, @Ctx() ctx: VouchersContext) {
    return ctx.loaders.eventsByVoucher.load(voucher.id);
  }

  @FieldResolver(() => Redemption, { nullable: true, description: "The standing redemption (none once a failed payout gave the voucher back)." })
  redemption(@Root() voucher: Voucher, @Ctx() ctx: VouchersContext) {
    return ctx.loaders.redemptionByVoucher.load(voucher.id);
  }

  @FieldResolver(() => [Redemption], { description: "Every redemption, including those whose payout failed, oldest first." })
  redemptions(@Root() voucher: Voucher, @Ctx() ctx: VouchersContext) {
    return ctx.loaders.redemptionsByVoucher.load(voucher.id);
  }
}

@Resolver(() => Merchant)
export class MerchantResolver {
  @Authorized("voucher:write")
  @Mutation(() => Merchant)
  registerMerchant(@Arg("input", () => RegisterMerchantInput) input: RegisterMerchantInput, @Ctx() ctx: VouchersContext) {
    return registerMerchant(ctx.em, ctx, input);
  }

  @Authorized("voucher:write")
  @Mutation(() => Merchant, { description: "Approve, or suspend, a merchant; approval also lifts a lock-out." })
  setMerchantStatus(@Arg("id", () => ID) id: string, @Arg("status", () => MerchantStatus) status: MerchantStatus, @Ctx() ctx: VouchersContext) {
    return setMerchantStatus(ctx.em, ctx, id, status);
  }

  @Authorized("voucher:read")
  @Query(() => Merchant)
  async merchant(@Arg("id", () => ID) id: string, @Ctx() ctx: VouchersContext): Promise<Merchant> {
    const found = await ctx.loaders.merchantById.load(id);
    if (!found) throw notFound("Merchant", id);
    return found;
  }
}

@Resolver(() => Redemption)
export class RedemptionResolver {
  @FieldResolver(() => Merchant, { nullable: true })
  merchant(@Root() redemption: Redemption, @Ctx() ctx: VouchersContext) {
    return ctx.loaders.merchantById.load(redemption.merchantId);
  }
}

@Resolver(() => RegistrantRef)
export class RegistrantVouchersResolver {
  @Authorized("voucher:read")
  @FieldResolver(() => [Voucher], { nullable: true, description: "Vouchers issued to this registrant." })
  async vouchers(@Root() registrant: RegistrantKey, @Ctx() ctx: VouchersContext) {
    const all = await ctx.loaders.vouchersByRegistrant.load(registrant.id);
    return ctx.viewer.programIds.length ? all.filter((v) => ctx.viewer.programIds.includes(v.programId)) : all;
  }
}


async function batchStatus(ctx: VouchersContext, batch: VoucherBatch): Promise<VoucherBatchStatus> {
  const job = batch.jobId ? await ctx.jobs.get(batch.jobId) : null;
  return {
    id: batch.id,
    batchId: batch.batchId,
    instructionCount: batch.instructionCount,
    cycleId: batch.cycleId ?? null,
    status: job?.status ?? "PENDING",
    chunksDone: job?.doneChunks ?? 0,
    chunksTotal: job?.totalChunks ?? 0,
    error: job?.error ?? null,
  };
}
