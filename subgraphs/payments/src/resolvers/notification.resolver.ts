import type { SubgraphContext } from "@g2p/kit";
import { Arg, Authorized, Ctx, Field, ID, InputType, Int, Mutation, ObjectType, Query, Resolver } from "type-graphql";
import { NotificationChannel, NotificationEvent, NotificationTemplate } from "../entities/notification-template.entity";
import type { PaymentsLoaders } from "../loaders";
import { gatewayUrlsFromEnv, notificationCounts } from "../services/notification.service";
import { listTemplates, setTemplate } from "../services/notification-template.service";

type PaymentsContext = SubgraphContext<PaymentsLoaders>;

@ObjectType({ description: "Beneficiary notifications (SMS, e-mail) of payment outcomes, by delivery state." })
export class PaymentNotificationStats {
  @Field(() => Int, { description: "Queued, waiting to be sent (or waiting for the channel's gateway to be configured)." }) pending!: number;
  @Field(() => Int, { description: "Claimed by a sender right now." }) sending!: number;
  @Field(() => Int, { description: "Accepted by the gateway." }) sent!: number;
  @Field(() => Int, { description: "Given up after PAYMENTS_NOTIFY_MAX_ATTEMPTS attempts." }) failed!: number;
  @Field(() => Int, { description: "Not sent: the payee's financial address is not a mobile-money MSISDN." }) skipped!: number;
  @Field(() => Int) total!: number;
  @Field({ description: "False when PAYMENTS_SMS_GATEWAY_URL is not set: SMS notifications stay pending." }) gatewayConfigured!: boolean;
  @Field({ description: "False when PAYMENTS_EMAIL_GATEWAY_URL is not set: e-mail notifications stay pending." }) emailGatewayConfigured!: boolean;
}

@InputType()
export class PaymentNotificationTemplateInput {
  @Field() programCode!: string;
  @Field({ description: "BCP 47 tag (en, fr, sw, fr-CA); stored in lower case." }) language!: string;
  @Field(() => NotificationEvent) event!: NotificationEvent;
  @Field(() => NotificationChannel) channel!: NotificationChannel;
  @Field(() => String, { nullable: true, description: "Required for EMAIL, refused for SMS." }) subject?: string | null;
  @Field({ description: "Placeholders: {amount}, {currency}, {reference}, {programCode}; any other is refused (BAD_USER_INPUT)." }) body!: string;
}

@Resolver()
export class NotificationResolver {
  @Authorized("payment:read")
  @Query(() => PaymentNotificationStats, { description: "Counts of beneficiary notifications, for one batch or all, one channel or all." })
  async paymentNotificationStats(
    @Ctx() ctx: PaymentsContext,
    @Arg("batchId", () => ID, { nullable: true }) batchId?: string,
    @Arg("channel", () => NotificationChannel, { nullable: true }) channel?: NotificationChannel,
  ): Promise<PaymentNotificationStats> {
    const counts = await notificationCounts(ctx.em, batchId ?? null, channel ?? null);
    const urls = gatewayUrlsFromEnv();
    return { ...counts, gatewayConfigured: !!urls.SMS, emailGatewayConfigured: !!urls.EMAIL };
  }

  // Read and write as for the provider directory: listing is payment:read, changing is payment:write.
  @Authorized("payment:read")
  @Query(() => [NotificationTemplate], { description: "Notification templates, of one program or all." })
  paymentNotificationTemplates(@Ctx() ctx: PaymentsContext, @Arg("programCode", () => String, { nullable: true }) programCode?: string | null) {
    return listTemplates(ctx.em, programCode);
  }

  @Authorized("payment:write")
  @Mutation(() => NotificationTemplate, { description: "Creates or replaces the template of (programCode, language, event, channel). Audited." })
  setPaymentNotificationTemplate(@Arg("input") input: PaymentNotificationTemplateInput, @Ctx() ctx: PaymentsContext) {
    return setTemplate(ctx.em, ctx, input);
  }
}
