import { randomInt, randomUUID } from "node:crypto";
import { Entity, Enum, Index, OptionalProps, PrimaryKey, Property, Unique } from "@mikro-orm/core";
import { Directive, Field, ID, ObjectType, registerEnumType } from "type-graphql";
import { MoneyType } from "@g2p/kit";

export enum VoucherStatus {
  INACTIVE = "INACTIVE",
  ACTIVE = "ACTIVE",
  SUSPENDED = "SUSPENDED",
  UTILIZED = "UTILIZED",
  CANCELLED = "CANCELLED",
  EXPIRED = "EXPIRED",
}
registerEnumType(VoucherStatus, { name: "VoucherStatus" });

/** 14-digit public serial number (random; uniqueness is enforced by the database). */
export function newSerialNumber(): string {
  return `${randomInt(1, 10)}${randomInt(0, 1e6).toString().padStart(6, "0")}${randomInt(0, 1e7).toString().padStart(7, "0")}`;
}

/** A voucher issued to a beneficiary (secret, QR, redemption come with the vouchers issue). */
@Entity({ tableName: "voucher" })
@Index({ properties: ["registrantId"] })
@ObjectType()
@Directive('@key(fields: "id")')
export class Voucher {
  [OptionalProps]?: "id" | "serialNumber" | "status" | "createdAt";

  @Field(() => ID)
  @PrimaryKey({ type: "uuid" })
  id: string = randomUUID();

  @Field({ description: "The caller's instruction id: issuing again with it returns this voucher." })
  @Property({ type: "string", length: 100 })
  @Unique()
  instructionId!: string;

  @Field({ description: "Public 14-digit serial number." })
  @Property({ type: "string", length: 14 })
  @Unique()
  serialNumber: string = newSerialNumber();

  @Field(() => ID)
  @Property({ type: "uuid" })
  registrantId!: string;

  @Field({ description: "Exact decimal string." })
  @Property({ type: MoneyType })
  value!: string;

  @Field()
  @Property({ type: "string", length: 3 })
  currency!: string;

  @Field(() => VoucherStatus)
  @Enum({ items: () => VoucherStatus })
  status: VoucherStatus = VoucherStatus.INACTIVE;

  @Field()
  @Property({ type: "datetime" })
  createdAt: Date = new Date();
}
