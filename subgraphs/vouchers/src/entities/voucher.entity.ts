import { randomUUID } from "node:crypto";
import { BlobType, Entity, Enum, Index, OptionalProps, PrimaryKey, Property, Unique } from "@mikro-orm/core";
import { MoneyType } from "@g2p/kit";
import { GraphQLJSON } from "graphql-scalars";
import { Directive, Field, ID, ObjectType, registerEnumType } from "type-graphql";
import { newSerialNumber } from "../domain/numbers";

export enum VoucherStatus {
  INACTIVE = "INACTIVE",
  ACTIVE = "ACTIVE",
  SUSPENDED = "SUSPENDED",
  UTILIZED = "UTILIZED",
  CANCELLED = "CANCELLED",
  EXPIRED = "EXPIRED",
}
registerEnumType(VoucherStatus, { name: "VoucherStatus", description: "UTILIZED, CANCELLED and EXPIRED are terminal." });

export const TERMINAL_STATUSES: readonly VoucherStatus[] = [VoucherStatus.UTILIZED, VoucherStatus.CANCELLED, VoucherStatus.EXPIRED];

/** One item of a commodity basket (in-kind vouchers). */
export interface BasketItem {
  item: string;
  quantity: number;
  unit: string;
}

/**
 * A voucher issued to a beneficiary. The secret is never stored: only its HMAC (`secretHash`).
 * Every operation is scoped to the issuing program.
 */
@Entity({ tableName: "voucher" })
@Index({ properties: ["registrantId"] })
// One index serves the program report (program_id) and the cycle report (program_id, cycle_id).
@Index({ properties: ["programId", "cycleId", "status"] })
@Index({ properties: ["status", "expiresAt"] })
@ObjectType()
@Directive('@key(fields: "id")')
export class Voucher {
  [OptionalProps]?: "id" | "serialNumber" | "status" | "createdAt" | "updatedAt" | "presenceRequired";

  @Field(() => ID)
  @PrimaryKey({ type: "uuid" })
  id: string = randomUUID();

  @Field({ description: "The issuer's instruction id: issuing again with it returns this voucher (without its secret)." })
  @Property({ type: "string", length: 100 })
  @Unique()
  instructionId!: string;

  @Field({ description: "Public 14-digit serial number." })
  @Property({ type: "string", length: 14 })
  @Unique()
  serialNumber: string = newSerialNumber();

  /** HMAC-SHA256 of the 18-digit secret with the deployment's pepper: 32 raw bytes (blob / bytea). */
  @Property({ type: BlobType })
  @Unique()
  secretHash!: Buffer;

  @Field(() => ID)
  @Property({ type: "uuid" })
  programId!: string;

  @Field(() => ID, { nullable: true })
  @Property({ type: "uuid", nullable: true })
  cycleId?: string | null;

  @Field(() => String, { nullable: true, description: "Voucher group: restricts redemption to merchants of the same group." })
  @Property({ type: "string", length: 20, nullable: true })
  groupCode?: string | null;

  @Field(() => ID)
  @Property({ type: "uuid" })
  registrantId!: string;

  @Field(() => String, { nullable: true, description: "Administrative area of the beneficiary at issuance (registry's adminAreaCode), for reporting." })
  @Property({ type: "string", length: 50, nullable: true })
  areaCode?: string | null;

  @Field(() => String, { nullable: true, description: "Exact decimal string; null for a commodity basket." })
  @Property({ type: MoneyType, nullable: true })
  value?: string | null;

  @Field(() => String, { nullable: true })
  @Property({ type: "string", length: 3, nullable: true })
  currency?: string | null;

  @Field(() => GraphQLJSON, { nullable: true, description: "In-kind basket: [{ item, quantity, unit }]." })
  @Property({ type: "json", nullable: true })
  basket?: BasketItem[] | null;

  @Field(() => VoucherStatus)
  @Enum({ items: () => VoucherStatus })
  status: VoucherStatus = VoucherStatus.INACTIVE;

  @Field({ description: "Redemption needs the beneficiary to authenticate with the identity block." })
  @Property({ type: "boolean" })
  presenceRequired: boolean = true;

  @Field(() => Date, { nullable: true })
  @Property({ type: "datetime", nullable: true })
  activatedAt?: Date | null;

  @Field(() => Date, { nullable: true })
  @Property({ type: "datetime", nullable: true })
  expiresAt?: Date | null;

  @Field()
  @Property({ type: "datetime" })
  createdAt: Date = new Date();

  @Field()
  @Property({ type: "datetime", onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
