import { notFound, type RegistrantKey, type SubgraphContext } from "@g2p/kit";
import { RegistrantRef } from "../entities/registrant-ref";
import { Arg, Authorized, Ctx, Field, FieldResolver, ID, InputType, Mutation, Query, Resolver, Root } from "type-graphql";
import { Voucher } from "../entities/voucher.entity";
import type { VouchersLoaders } from "../loaders";
import { issueVoucher } from "../services/voucher.service";

type VouchersContext = SubgraphContext<VouchersLoaders>;

@InputType()
export class IssueVoucherInput {
  @Field() instructionId!: string;
  @Field(() => ID) registrantId!: string;
  @Field({ description: 'Exact decimal string, e.g. "25.00".' }) value!: string;
  @Field() currency!: string;
}

@Resolver(() => Voucher)
export class VoucherResolver {
  @Authorized("voucher:read")
  @Query(() => Voucher)
  async voucher(@Arg("id", () => ID) id: string, @Ctx() ctx: VouchersContext): Promise<Voucher> {
    const found = await ctx.loaders.voucherById.load(id);
    if (!found) throw notFound("Voucher", id);
    return found;
  }

  @Authorized("voucher:write")
  @Mutation(() => Voucher)
  issueVoucher(@Arg("input") input: IssueVoucherInput, @Ctx() ctx: VouchersContext) {
    return issueVoucher(ctx.em, ctx, input);
  }
}

@Resolver(() => RegistrantRef)
export class RegistrantVouchersResolver {
  @Authorized("voucher:read")
  @FieldResolver(() => [Voucher], { nullable: true, description: "Vouchers issued to this registrant." })
  vouchers(@Root() registrant: RegistrantKey, @Ctx() ctx: VouchersContext) {
    return ctx.loaders.vouchersByRegistrant.load(registrant.id);
  }
}
