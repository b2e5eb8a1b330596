import type { SubgraphContext } from "@g2p/kit";
import { Arg, Authorized, Ctx, Field, ID, Int, ObjectType, Query, Resolver } from "type-graphql";
import type { PaymentsLoaders } from "../loaders";
import { notificationCounts } from "../services/notification.service";

type PaymentsContext = SubgraphContext<PaymentsLoaders>;

@ObjectType({ description: "Beneficiary notifications (SMS) of payment outcomes, by delivery state." })
export class PaymentNotificationStats {
  @Field(() => Int, { description: "Queued, waiting to be sent (or waiting for an SMS gateway to be configured)." }) pending!: number;
  @Field(() => Int, { description: "Claimed by a sender right now." }) sending!: number;
  @Field(() => Int, { description: "Accepted by the SMS gateway." }) sent!: number;
  @Field(() => Int, { description: "Given up after PAYMENTS_NOTIFY_MAX_ATTEMPTS attempts." }) failed!: number;
  @Field(() => Int, { description: "Not sent: the payee's financial address is not a mobile-money MSISDN." }) skipped!: number;
  @Field(() => Int) total!: number;
  @Field({ description: "False when PAYMENTS_SMS_GATEWAY_URL is not set: notifications stay pending." }) gatewayConfigured!: boolean;
}

@Resolver()
export class NotificationResolver {
  @Authorized("payment:read")
  @Query(() => PaymentNotificationStats, { description: "Counts of beneficiary notifications, for one batch or all." })
  async paymentNotificationStats(@Ctx() ctx: PaymentsContext, @Arg("batchId", () => ID, { nullable: true }) batchId?: string): Promise<PaymentNotificationStats> {
    const counts = await notificationCounts(ctx.em, batchId ?? null);
    return { ...counts, gatewayConfigured: !!process.env.PAYMENTS_SMS_GATEWAY_URL?.trim() };
  }
}
