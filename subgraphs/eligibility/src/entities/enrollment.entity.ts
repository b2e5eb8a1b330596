import { randomUUID } from "node:crypto";
import { Entity, Enum, Index, OptionalProps, PrimaryKey, Property, Unique } from "@mikro-orm/core";
import { Field, ID, ObjectType, registerEnumType } from "type-graphql";

export enum EnrollmentState {
  DRAFT = "DRAFT",
  ENROLLED = "ENROLLED",
  PAUSED = "PAUSED",
  EXITED = "EXITED",
  NOT_ELIGIBLE = "NOT_ELIGIBLE",
  DUPLICATED = "DUPLICATED",
}
registerEnumType(EnrollmentState, { name: "EnrollmentState" });

/** A registrant's membership of a program (one per program and registrant). */
@Entity({ tableName: "enrollment" })
@Unique({ properties: ["programId", "registrantId"] })
@Index({ properties: ["registrantId"] })
@ObjectType()
export class Enrollment {
  [OptionalProps]?: "id" | "state" | "createdAt";

  @Field(() => ID)
  @PrimaryKey({ type: "uuid" })
  id: string = randomUUID();

  @Field(() => ID)
  @Property({ type: "uuid" })
  programId!: string;

  @Field(() => ID)
  @Property({ type: "uuid" })
  registrantId!: string;

  @Field(() => EnrollmentState)
  @Enum({ items: () => EnrollmentState })
  state: EnrollmentState = EnrollmentState.DRAFT;

  @Field()
  @Property({ type: "datetime" })
  createdAt: Date = new Date();
}
