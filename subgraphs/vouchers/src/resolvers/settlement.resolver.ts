import { connectionTypes, keysetPage, notFound, type SubgraphContext } from "@g2p/kit";
import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from "type-graphql";
import { Merchant } from "../entities/merchant.entity";
import { Redemption } from "../entities/redemption.entity";
import { SettlementStatus, VoucherSettlement } from "../entities/settlement.entity";
import type { VouchersLoaders } from "../loaders";
import { assertProgramScope } from "../services/access";
import { createSettlements, retrackSettlement } from "../services/settlement.service";

type VouchersContext = SubgraphContext<VouchersLoaders>;

export const VoucherSettlementConnection = connectionTypes(VoucherSettlement, "VoucherSettlement");

@Resolver(() => VoucherSettlement)
export class SettlementResolver {
  @Authorized("voucher:write", "payment:write")
  @Mutation(() => [VoucherSettlement], {
    description:
      "Reimburses merchants: claims the program's unpaid redemptions into settlements (one per approved merchant and currency, up to 5,000 redemptions each) and submits each to the payments block as a disbursement batch, then tracks the payouts. Asking again settles only redemptions made since.",
  })
  settleVoucherRedemptions(
    @Arg("programId", () => ID) programId: string,
    @Ctx() ctx: VouchersContext,
    @Arg("merchantId", () => ID, { nullable: true }) merchantId?: string,
  ) {
    return createSettlements(ctx.em, ctx, ctx.jobs, { programId, merchantId });
  }

  @Authorized("voucher:write", "payment:write")
  @Mutation(() => VoucherSettlement, { description: "Starts tracking again a settlement whose tracking job gave up." })
  trackVoucherSettlement(@Arg("id", () => ID) id: string, @Ctx() ctx: VouchersContext) {
    return retrackSettlement(ctx.em, ctx, ctx.jobs, id);
  }

  @Authorized("voucher:read")
  @Query(() => VoucherSettlement)
  async voucherSettlement(@Arg("id", () => ID) id: string, @Ctx() ctx: VouchersContext): Promise<VoucherSettlement> {
    const found = await ctx.em.findOne(VoucherSettlement, id);
    if (!found) throw notFound("VoucherSettlement", id);
    assertProgramScope(ctx.viewer, found.programId);
    return found;
  }

  @Authorized("voucher:read")
  @Query(() => VoucherSettlementConnection, { description: "A program's settlements, oldest first, optionally of one merchant or state." })
  voucherSettlements(
    @Arg("programId", () => ID) programId: string,
    @Ctx() ctx: VouchersContext,
    @Arg("merchantId", () => ID, { nullable: true }) merchantId?: string,
    @Arg("status", () => SettlementStatus, { nullable: true }) status?: SettlementStatus,
    @Arg("first", () => Int, { nullable: true }) first?: number,
    @Arg("after", () => String, { nullable: true }) after?: string,
  ) {
    assertProgramScope(ctx.viewer, programId);
    return keysetPage(ctx.em, VoucherSettlement, { programId, ...(merchantId ? { merchantId } : {}), ...(status ? { status } : {}) }, { first, after });
  }

  @FieldResolver(() => Merchant, { nullable: true })
  merchant(@Root() s: VoucherSettlement, @Ctx() ctx: VouchersContext) {
    return ctx.loaders.merchantById.load(s.merchantId);
  }

  @FieldResolver(() => [Redemption], { description: "The redemptions it pays (first 500 by default, up to 5,000)." })
  redemptions(@Root() s: VoucherSettlement, @Ctx() ctx: VouchersContext, @Arg("first", () => Int, { nullable: true }) first?: number) {
    return ctx.em.find(Redemption, { settlementId: s.id }, { orderBy: { at: "asc", id: "asc" }, limit: Math.min(Math.max(first ?? 500, 1), 5000) });
  }

  @FieldResolver(() => String, { nullable: true, description: "The tracking job's state: PENDING, RUNNING, COMPLETED or FAILED." })
  async jobStatus(@Root() s: VoucherSettlement, @Ctx() ctx: VouchersContext) {
    return s.jobId ? ((await ctx.jobs.get(s.jobId))?.status ?? null) : null;
  }
}
