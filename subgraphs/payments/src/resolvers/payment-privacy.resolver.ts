/**
 * Where a payment goes is personal data: a financial address such as `mobile:254700000001@mpesa`
 * holds the beneficiary's phone number or account, and a CSV batch's beneficiary id is often the
 * same MSISDN. Callers with `personal_data:read` see them whole; the others (finance officers,
 * approvers, auditors, partners) see them masked — the type, the provider and the last two
 * characters stay, enough to tell payments apart and to reconcile, not enough to contact anyone.
 */
import type { SubgraphContext } from "@g2p/kit";
import { Ctx, FieldResolver, Resolver, Root } from "type-graphql";
import { Payment } from "../entities/payment.entity";

/** `mobile:254700000001@mpesa` → `mobile:••••••••••01@mpesa`; any other text → `••••` + its last two. */
export function maskFinancialAddress(address: string): string {
  const m = /^([a-z_]+:)(.*?)(@[^@]*)?$/i.exec(address);
  if (!m) return maskValue(address);
  return `${m[1]}${maskValue(m[2]!)}${m[3] ?? ""}`;
}

function maskValue(value: string): string {
  if (value.length <= 4) return "•".repeat(value.length);
  return "•".repeat(value.length - 2) + value.slice(-2);
}

@Resolver(() => Payment)
export class PaymentPrivacyResolver {
  @FieldResolver(() => String, { nullable: true, description: "type:id@provider, given or resolved by the account mapper. Masked without personal_data:read." })
  financialAddress(@Root() payment: Payment, @Ctx() ctx: SubgraphContext): string | null {
    const address = payment.financialAddress ?? null;
    return address === null || ctx.viewer.can("personal_data:read") ? address : maskFinancialAddress(address);
  }

  @FieldResolver(() => String, { description: "Whom the mapper resolves: a registrant id or the CSV payee identifier. A payee identifier is masked without personal_data:read." })
  beneficiaryId(@Root() payment: Payment, @Ctx() ctx: SubgraphContext): string {
    // A registrant id is a random UUID, not personal data; a payee identifier (MSISDN, account) is.
    if (payment.registrantId && payment.beneficiaryId === payment.registrantId) return payment.beneficiaryId;
    return ctx.viewer.can("personal_data:read") ? payment.beneficiaryId : maskFinancialAddress(payment.beneficiaryId);
  }
}
