import { randomUUID } from "node:crypto";
import { Entity, Enum, Index, OptionalProps, PrimaryKey, Property } from "@mikro-orm/core";
import { Authorized, Directive, Field, ID, ObjectType, registerEnumType } from "type-graphql";

export enum RegistrantKind {
  INDIVIDUAL = "INDIVIDUAL",
  GROUP = "GROUP",
}
registerEnumType(RegistrantKind, { name: "RegistrantKind", description: "A person, or a group such as a household." });

/** A person or a group (household, family). Every other block extends this entity by its `id`. */
@Entity({ tableName: "registrant" })
@Index({ properties: ["createdAt", "id"] })
@ObjectType({ description: "A person (INDIVIDUAL) or a group such as a household (GROUP)." })
@Directive('@key(fields: "id")')
export class Registrant {
  [OptionalProps]?: "id" | "createdAt" | "updatedAt";

  @Field(() => ID)
  @PrimaryKey({ type: "uuid" })
  id: string = randomUUID();

  @Field(() => RegistrantKind)
  @Enum({ items: () => RegistrantKind })
  kind!: RegistrantKind;

  @Authorized("personal_data:read")
  @Field(() => String, { nullable: true, description: "Personal data: needs personal_data:read." })
  @Property({ type: "string", length: 200, nullable: true })
  givenName?: string | null;

  @Authorized("personal_data:read")
  @Field(() => String, { nullable: true, description: "Personal data: needs personal_data:read." })
  @Property({ type: "string", length: 200, nullable: true })
  familyName?: string | null;

  @Field(() => String, { nullable: true, description: "For groups: the household or family name." })
  @Property({ type: "string", length: 200, nullable: true })
  groupName?: string | null;

  @Field()
  @Property({ type: "datetime" })
  createdAt: Date = new Date();

  @Field()
  @Property({ type: "datetime", onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
