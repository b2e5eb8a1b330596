import { randomUUID } from "node:crypto";
import { Entity, Enum, Index, OptionalProps, PrimaryKey, Property, Unique } from "@mikro-orm/core";
import { Field, Float, ID, ObjectType, registerEnumType } from "type-graphql";

export enum DedupStatus {
  PENDING = "PENDING",
  CONFIRMED = "CONFIRMED",
  DISMISSED = "DISMISSED",
}
registerEnumType(DedupStatus, { name: "DedupStatus" });

/** A pair of registrants that may be the same person; `registrantA` < `registrantB` (ids). */
@Entity({ tableName: "dedup_candidate" })
@Unique({ properties: ["registrantA", "registrantB"] })
@Index({ properties: ["status", "createdAt", "id"] })
@ObjectType({ description: "Two registrants that may be the same person, with the score and its reasons." })
export class DedupCandidate {
  [OptionalProps]?: "id" | "createdAt" | "status";

  @Field(() => ID)
  @PrimaryKey({ type: "uuid" })
  id: string = randomUUID();

  @Field(() => ID)
  @Property({ type: "uuid" })
  registrantA!: string;

  @Field(() => ID)
  @Property({ type: "uuid" })
  registrantB!: string;

  @Field(() => Float, { description: "0..1" })
  @Property({ type: "double" })
  score!: number;

  @Field(() => [String], { description: "Why: e.g. `name 0.94`, `birthDate 3 days apart`, `same phone`." })
  @Property({ type: "json" })
  reasons!: string[];

  @Field(() => DedupStatus)
  @Enum({ items: () => DedupStatus, default: DedupStatus.PENDING })
  status: DedupStatus = DedupStatus.PENDING;

  @Field()
  @Property({ type: "datetime" })
  createdAt: Date = new Date();

  @Field(() => String, { nullable: true })
  @Property({ type: "string", length: 255, nullable: true })
  decidedBy?: string | null;
}
