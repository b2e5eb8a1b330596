import { notFound, type RegistrantKey, type SubgraphContext } from "@g2p/kit";
import { RegistrantRef } from "../entities/registrant-ref";
import { Arg, Authorized, Ctx, Field, FieldResolver, ID, InputType, Mutation, Query, Resolver, Root } from "type-graphql";
import { DisbursementBatch } from "../entities/disbursement-batch.entity";
import { Payment } from "../entities/payment.entity";
import type { PaymentsLoaders } from "../loaders";
import { createBatch } from "../services/batch.service";

type PaymentsContext = SubgraphContext<PaymentsLoaders>;

@InputType()
export class PaymentInstructionInput {
  @Field(() => ID) registrantId!: string;
  @Field({ description: 'Exact decimal string, e.g. "1250.50".' }) amount!: string;
}

@InputType()
export class CreateDisbursementBatchInput {
  @Field() clientCorrelationId!: string;
  @Field() currency!: string;
  @Field(() => [PaymentInstructionInput]) payments!: PaymentInstructionInput[];
}

@Resolver(() => DisbursementBatch)
export class DisbursementBatchResolver {
  @Authorized("payment:read")
  @Query(() => DisbursementBatch)
  async disbursementBatch(@Arg("id", () => ID) id: string, @Ctx() ctx: PaymentsContext): Promise<DisbursementBatch> {
    const found = await ctx.loaders.batchById.load(id);
    if (!found) throw notFound("DisbursementBatch", id);
    return found;
  }

  @Authorized("payment:write")
  @Mutation(() => DisbursementBatch)
  createDisbursementBatch(@Arg("input") input: CreateDisbursementBatchInput, @Ctx() ctx: PaymentsContext) {
    return createBatch(ctx.em, ctx, input);
  }

  @FieldResolver(() => [Payment])
  payments(@Root() batch: DisbursementBatch, @Ctx() ctx: PaymentsContext) {
    return ctx.loaders.paymentsByBatch.load(batch.id);
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
