import { badInput, type SubgraphContext } from "@g2p/kit";
import { Arg, Authorized, Ctx, Field, InputType, Mutation, ObjectType, Query, Resolver } from "type-graphql";
import { ConnectorKind, FinancialAddressLink, LinkStatus, PaymentProvider, ProviderKind } from "../entities/mapper.entity";
import type { PaymentsLoaders } from "../loaders";
import { link, resolveMany, unlink, update, upsertProvider } from "../services/mapper.service";

type PaymentsContext = SubgraphContext<PaymentsLoaders>;

@InputType()
export class PaymentProviderInput {
  @Field({ description: "The `@provider` part of financial addresses." }) code!: string;
  @Field() name!: string;
  @Field(() => ProviderKind) kind!: ProviderKind;
  @Field({ nullable: true }) parentCode?: string;
  @Field(() => ConnectorKind, { nullable: true }) connector?: ConnectorKind;
  @Field({ nullable: true, description: "Base URL of the provider's API." }) endpointUrl?: string;
  @Field({ nullable: true }) active?: boolean;
}

@ObjectType({ description: "G2P Connect resolve result for one id (not found is a success code there)." })
export class FinancialAddressResolution {
  @Field() beneficiaryId!: string;
  @Field({ description: "succ.id.active | succ.id.inactive | succ.id.not_found" }) statusReasonCode!: string;
  @Field(() => String, { nullable: true }) financialAddress!: string | null;
  @Field(() => String, { nullable: true }) providerCode!: string | null;
}

@Resolver(() => FinancialAddressLink)
export class MapperResolver {
  @Authorized("payment:read")
  @Query(() => [PaymentProvider], { description: "Directory of banks, branches and wallet providers." })
  paymentProviders(@Ctx() ctx: PaymentsContext) {
    return ctx.em.find(PaymentProvider, {}, { orderBy: { code: "asc" } });
  }

  @Authorized("payment:write")
  @Mutation(() => PaymentProvider)
  upsertPaymentProvider(@Arg("input") input: PaymentProviderInput, @Ctx() ctx: PaymentsContext) {
    return upsertProvider(ctx.em, ctx, input);
  }

  @Authorized("personal_data:read")
  @Query(() => [FinancialAddressResolution], { description: "Batch resolve (at most 1,000 ids): every id gets an answer." })
  async resolveFinancialAddresses(@Arg("beneficiaryIds", () => [String]) ids: string[], @Ctx() ctx: PaymentsContext): Promise<FinancialAddressResolution[]> {
    if (ids.length > 1000) {
      throw badInput("at most 1,000 ids per call", "beneficiaryIds");
    }
    return (await resolveMany(ctx.em, ids)).map((r) => ({
      beneficiaryId: r.beneficiaryId,
      statusReasonCode: r.code,
      financialAddress: r.link?.financialAddress ?? null,
      providerCode: r.link?.providerCode ?? null,
    }));
  }

  @Authorized("payment:write")
  @Mutation(() => FinancialAddressLink)
  linkFinancialAddress(@Arg("beneficiaryId") beneficiaryId: string, @Arg("financialAddress") fa: string, @Ctx() ctx: PaymentsContext) {
    return link(ctx.em, ctx, beneficiaryId, fa);
  }

  @Authorized("payment:write")
  @Mutation(() => FinancialAddressLink)
  updateFinancialAddress(
    @Arg("beneficiaryId") beneficiaryId: string,
    @Arg("financialAddress") fa: string,
    @Ctx() ctx: PaymentsContext,
    @Arg("status", () => LinkStatus, { nullable: true }) status?: LinkStatus,
  ) {
    return update(ctx.em, ctx, beneficiaryId, fa, status);
  }

  @Authorized("payment:write")
  @Mutation(() => Boolean)
  unlinkFinancialAddress(@Arg("beneficiaryId") beneficiaryId: string, @Ctx() ctx: PaymentsContext) {
    return unlink(ctx.em, ctx, beneficiaryId);
  }
}
