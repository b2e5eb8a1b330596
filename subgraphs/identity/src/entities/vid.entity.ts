import { randomUUID } from "node:crypto";
import { Entity, Enum, Index, OptionalProps, PrimaryKey, Property, Unique } from "@mikro-orm/core";
import { Field, ID, Int, ObjectType, registerEnumType } from "type-graphql";

export enum VidType {
  PERPETUAL = "PERPETUAL",
  TEMPORARY = "TEMPORARY",
  ONE_TIME_USE = "ONE_TIME_USE",
}
registerEnumType(VidType, { name: "VidType" });

export enum VidStatus {
  ACTIVE = "ACTIVE",
  REVOKED = "REVOKED",
  EXPIRED = "EXPIRED",
  USED = "USED",
  INVALIDATED = "INVALIDATED",
  DEACTIVATED = "DEACTIVATED",
}
registerEnumType(VidStatus, { name: "VidStatus" });

/** A virtual ID: a revocable 16-digit stand-in for the UIN, under the VID policy of its type. */
@Entity({ tableName: "vid" })
@Index({ properties: ["identityId", "type", "status"] })
@ObjectType({ description: "A virtual ID. Visible only to roles allowed raw ids." })
export class Vid {
  [OptionalProps]?: "id" | "status" | "createdAt" | "transactionsUsed" | "expiresAt" | "transactionsAllowed" | "replacedById";

  @Field(() => ID)
  @PrimaryKey({ type: "uuid" })
  id: string = randomUUID();

  @Property({ type: "uuid" })
  identityId!: string;

  @Property({ type: "string", length: 64 })
  @Unique()
  vidHash!: string;

  @Property({ type: "text" })
  vidSealed!: string;

  @Field(() => VidType)
  @Enum({ items: () => VidType })
  type!: VidType;

  @Field(() => VidStatus)
  @Enum({ items: () => VidStatus })
  status: VidStatus = VidStatus.ACTIVE;

  @Field(() => Date, { nullable: true })
  @Property({ type: "datetime", nullable: true })
  expiresAt?: Date | null;

  @Field(() => Int, { nullable: true, description: "null = unlimited." })
  @Property({ type: "integer", nullable: true })
  transactionsAllowed?: number | null;

  @Field(() => Int)
  @Property({ type: "integer" })
  transactionsUsed = 0;

  @Field(() => ID, { nullable: true, description: "The VID that replaced this one (regenerate)." })
  @Property({ type: "uuid", nullable: true })
  replacedById?: string | null;

  @Field()
  @Property({ type: "datetime" })
  createdAt: Date = new Date();
}
