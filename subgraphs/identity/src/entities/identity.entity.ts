import { randomInt, randomUUID } from "node:crypto";
import { Entity, Enum, OptionalProps, PrimaryKey, Property, Unique } from "@mikro-orm/core";
import { Directive, Field, ID, ObjectType, registerEnumType } from "type-graphql";

export enum IdentityStatus {
  ACTIVATED = "ACTIVATED",
  BLOCKED = "BLOCKED",
  DEACTIVATED = "DEACTIVATED",
}
registerEnumType(IdentityStatus, { name: "IdentityStatus" });

/** 36 random digits: the shape of a MOSIP partner-specific token (the real derivation comes with the identity issue). */
export function newToken(): string {
  let digits = "";
  while (digits.length < 36) digits += randomInt(0, 1_000_000_000).toString().padStart(9, "0");
  return digits.slice(0, 36);
}

/**
 * An identity record linked to a registrant. The rest of the graph knows the person by `token`,
 * never by a raw national ID.
 */
@Entity({ tableName: "identity" })
@ObjectType()
@Directive('@key(fields: "id")')
export class Identity {
  [OptionalProps]?: "id" | "status" | "token" | "createdAt";

  @Field(() => ID)
  @PrimaryKey({ type: "uuid" })
  id: string = randomUUID();

  @Field(() => ID, { nullable: true, description: "The registry's Registrant this identity is linked to." })
  @Property({ type: "uuid", nullable: true })
  @Unique()
  registrantId?: string | null;

  @Field(() => IdentityStatus)
  @Enum({ items: () => IdentityStatus })
  status: IdentityStatus = IdentityStatus.ACTIVATED;

  @Field({ description: "Token that stands for the person outside the identity block." })
  @Property({ type: "string", length: 36 })
  @Unique()
  token: string = newToken();

  @Field()
  @Property({ type: "datetime" })
  createdAt: Date = new Date();
}
