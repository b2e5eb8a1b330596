import { Field, ID, InputType, Int, ObjectType } from "type-graphql";
import { ReimbursementStatus } from "../entities/redemption.entity";
import { Voucher, VoucherStatus } from "../entities/voucher.entity";

@InputType()
export class BasketItemInput {
  @Field() item!: string;
  @Field() quantity!: number;
  @Field() unit!: string;
}

@InputType()
export class IssueVoucherInput {
  @Field() instructionId!: string;
  @Field(() => ID) programId!: string;
  @Field(() => ID, { nullable: true }) cycleId?: string | null;
  @Field(() => ID) registrantId!: string;
  @Field(() => String, { nullable: true }) groupCode?: string | null;
  @Field(() => String, { nullable: true, description: "Beneficiary's administrative area code (registry adminAreaCode), for reporting by area." }) areaCode?: string | null;
  @Field(() => String, { nullable: true, description: 'Exact decimal string, e.g. "25.00"; or give a basket.' }) value?: string | null;
  @Field(() => String, { nullable: true }) currency?: string | null;
  @Field(() => [BasketItemInput], { nullable: true }) basket?: BasketItemInput[] | null;
  @Field(() => Date, { nullable: true, description: "Default: activation + VOUCHER_VALIDITY_DAYS." }) expiresAt?: Date | null;
  @Field(() => Boolean, { nullable: true, description: "Default true: redemption needs identity authentication." }) presenceRequired?: boolean | null;
}

@ObjectType({ description: "The result of issuing: the secret and QR are shown here once and never again." })
export class IssuedVoucher {
  @Field(() => Voucher) voucher!: Voucher;
  @Field(() => String, { nullable: true, description: "18-digit secret; null when the instruction was issued before." }) secret!: string | null;
  @Field(() => String, { nullable: true, description: "Signed QR payload (compact JWS); null when issued before." }) qr!: string | null;
  @Field() alreadyIssued!: boolean;
}

@ObjectType()
export class VoucherCommandResult {
  @Field() serialNumber!: string;
  @Field() ok!: boolean;
  @Field(() => VoucherStatus, { nullable: true }) status!: VoucherStatus | null;
  @Field(() => String, { nullable: true }) error!: string | null;
}

@InputType()
export class RedeemVoucherInput {
  @Field(() => String, { nullable: true, description: "The 18-digit secret, typed by the merchant." }) secret?: string | null;
  @Field(() => String, { nullable: true, description: "Or the QR payload, scanned." }) qr?: string | null;
  @Field(() => String, { nullable: true, description: "Identity transaction id in which the beneficiary authenticated here." })
  presenceTransactionId?: string | null;
}

@InputType()
export class RegisterMerchantInput {
  @Field() code!: string;
  @Field() name!: string;
  @Field(() => String, { nullable: true }) groupCode?: string | null;
  @Field() financialAddress!: string;
}

@ObjectType()
export class VoucherStatusCount {
  @Field(() => ID, { nullable: true }) cycleId!: string | null;
  @Field(() => VoucherStatus) status!: VoucherStatus;
  @Field(() => Int) count!: number;
  @Field(() => String, { nullable: true }) currency!: string | null;
  @Field(() => String, { nullable: true, description: "Exact decimal sum of values." }) totalValue!: string | null;
}

@ObjectType()
export class MerchantRedemptionCount {
  @Field(() => ID) merchantId!: string;
  @Field(() => Int) count!: number;
  @Field(() => String, { nullable: true }) currency!: string | null;
  @Field(() => String, { nullable: true }) totalValue!: string | null;
}

@ObjectType()
export class VoucherAreaCount {
  @Field(() => String, { nullable: true, description: "The beneficiary's administrative area at issuance; null when unknown." }) areaCode!: string | null;
  @Field(() => VoucherStatus) status!: VoucherStatus;
  @Field(() => Int) count!: number;
  @Field(() => String, { nullable: true }) currency!: string | null;
  @Field(() => String, { nullable: true }) totalValue!: string | null;
}

@ObjectType()
export class MerchantReimbursementCount {
  @Field(() => ID) merchantId!: string;
  @Field(() => ReimbursementStatus) reimbursementStatus!: ReimbursementStatus;
  @Field(() => Int) count!: number;
  @Field(() => String, { nullable: true }) currency!: string | null;
  @Field(() => String, { nullable: true }) totalValue!: string | null;
}

@ObjectType()
export class VoucherReport {
  @Field(() => ID) programId!: string;
  @Field(() => ID, { nullable: true, description: "Set when the report is limited to one cycle." }) cycleId?: string | null;
  @Field(() => [VoucherStatusCount], { description: "Issued vouchers by cycle and status (ACTIVE, UTILIZED = redeemed, EXPIRED, ...)." }) byStatus!: VoucherStatusCount[];
  @Field(() => [VoucherAreaCount], { description: "By the beneficiaries' administrative area and status." }) byArea!: VoucherAreaCount[];
  @Field(() => [MerchantRedemptionCount], { description: "Standing redemptions per merchant (program-wide)." }) byMerchant!: MerchantRedemptionCount[];
  @Field(() => [MerchantReimbursementCount], { description: "Redemptions per merchant and reimbursement state (program-wide)." }) reimbursements!: MerchantReimbursementCount[];
}


@InputType()
export class IssueVoucherBatchInput {
  @Field({ description: "Your batch id: submitting it again returns the same batch." }) batchId!: string;
  @Field({ description: "Your public key (JWK JSON, EC P-256): the secrets come back encrypted to it." }) deliveryKey!: string;
  @Field(() => [IssueVoucherInput]) vouchers!: IssueVoucherInput[];
}

@ObjectType()
export class VoucherBatchStatus {
  @Field(() => ID) id!: string;
  @Field() batchId!: string;
  @Field(() => Int, { description: "For a cycle: its entitlements, known once the job has planned (0 before)." }) instructionCount!: number;
  @Field(() => ID, { nullable: true }) cycleId!: string | null;
  @Field({ description: "PENDING, RUNNING, COMPLETED or FAILED (the issuing job)." }) status!: string;
  @Field(() => Int) chunksDone!: number;
  @Field(() => Int) chunksTotal!: number;
  @Field(() => String, { nullable: true }) error!: string | null;
}
