import { randomUUID } from "node:crypto";
import { Entity, Enum, OptionalProps, PrimaryKey, Property } from "@mikro-orm/core";
import { Directive, Field, ID, ObjectType, registerEnumType } from "type-graphql";

export enum TargetKind {
  INDIVIDUAL = "INDIVIDUAL",
  GROUP = "GROUP",
}
registerEnumType(TargetKind, { name: "ProgramTarget", description: "Who a program enrolls: individuals or groups." });

/** A social-protection program; rules, scoring, cycles and entitlements come with the eligibility issue. */
@Entity({ tableName: "program" })
@ObjectType()
@Directive('@key(fields: "id")')
export class Program {
  [OptionalProps]?: "id" | "createdAt";

  @Field(() => ID)
  @PrimaryKey({ type: "uuid" })
  id: string = randomUUID();

  @Field()
  @Property({ type: "string", length: 200 })
  name!: string;

  @Field(() => TargetKind)
  @Enum({ items: () => TargetKind })
  target!: TargetKind;

  @Field({ description: "ISO 4217 code of the program's benefits." })
  @Property({ type: "string", length: 3 })
  currency!: string;

  @Field()
  @Property({ type: "datetime" })
  createdAt: Date = new Date();
}
