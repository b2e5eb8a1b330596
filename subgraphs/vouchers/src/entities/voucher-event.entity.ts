import { randomUUID } from "node:crypto";
import { Entity, Enum, Index, OptionalProps, PrimaryKey, Property } from "@mikro-orm/core";
import { Field, ID, ObjectType } from "type-graphql";
import { VoucherStatus } from "./voucher.entity";

/** One transition in a voucher's history (also audited in the audit log). */
@Entity({ tableName: "voucher_event" })
@Index({ properties: ["voucherId", "at"] })
@ObjectType()
export class VoucherEvent {
  [OptionalProps]?: "id" | "at";

  @Field(() => ID) @PrimaryKey({ type: "uuid" }) id: string = randomUUID();
  @Field(() => ID) @Property({ type: "uuid" }) voucherId!: string;
  @Field(() => VoucherStatus, { nullable: true }) @Enum({ items: () => VoucherStatus, nullable: true }) fromStatus?: VoucherStatus | null;
  @Field(() => VoucherStatus) @Enum({ items: () => VoucherStatus }) toStatus!: VoucherStatus;
  @Field() @Property({ type: "string", length: 50 }) action!: string;
  @Field(() => String, { nullable: true }) @Property({ type: "string", length: 500, nullable: true }) reason?: string | null;
  @Field() @Property({ type: "string", length: 255 }) actor!: string;
  @Field() @Property({ type: "datetime" }) at: Date = new Date();
}

/** Every column of a history line, for the prepared multi-row INSERTs (services/bulk-insert.ts). */
export const VOUCHER_EVENT_COLUMNS = ["id", "voucherId", "fromStatus", "toStatus", "action", "reason", "actor", "at"] as const;
