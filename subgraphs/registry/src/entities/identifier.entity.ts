import { randomUUID } from "node:crypto";
import { Entity, Index, OptionalProps, PrimaryKey, Property, Unique } from "@mikro-orm/core";
import { Authorized, Field, ID, ObjectType } from "type-graphql";

/** A kind of identifier (NATIONAL_ID, BIRTH_CERTIFICATE, ...) with the pattern its values must match. */
@Entity({ tableName: "id_type" })
@ObjectType()
export class IdType {
  @Field({ description: "Upper-case code, e.g. NATIONAL_ID." })
  @PrimaryKey({ type: "string", length: 60 })
  name!: string;

  @Field(() => String, { nullable: true, description: "A regular expression the whole value must match." })
  @Property({ type: "string", length: 300, nullable: true })
  pattern?: string | null;

  @Field(() => String, { nullable: true })
  @Property({ type: "string", length: 300, nullable: true })
  description?: string | null;
}

/** One value per type per registrant; a value belongs to one registrant only (per type). */
@Entity({ tableName: "identifier" })
@Unique({ properties: ["type", "value"] })
@Unique({ properties: ["registrantId", "type"] })
@Index({ properties: ["value"] })
@ObjectType({ description: "A typed identifier of a registrant." })
export class Identifier {
  [OptionalProps]?: "id" | "createdAt";

  @Field(() => ID)
  @PrimaryKey({ type: "uuid" })
  id: string = randomUUID();

  @Field(() => ID)
  @Property({ type: "uuid" })
  registrantId!: string;

  @Field()
  @Property({ type: "string", length: 60 })
  type!: string;

  @Authorized("personal_data:read")
  @Field({ description: "Personal data: needs personal_data:read." })
  @Property({ type: "string", length: 120 })
  value!: string;

  @Property({ type: "datetime" })
  createdAt: Date = new Date();
}
