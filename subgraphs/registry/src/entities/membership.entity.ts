import { randomUUID } from "node:crypto";
import { Entity, Index, OptionalProps, PrimaryKey, Property } from "@mikro-orm/core";
import { Field, ID, ObjectType } from "type-graphql";

/** An individual in a group. At most one current HEAD per group (service check + partial unique index). */
@Entity({ tableName: "group_membership" })
@Index({ properties: ["groupId"] })
@Index({ properties: ["individualId"] })
@ObjectType({ description: "An individual's membership of a group, with a role such as HEAD." })
export class GroupMembership {
  [OptionalProps]?: "id" | "createdAt";

  @Field(() => ID)
  @PrimaryKey({ type: "uuid" })
  id: string = randomUUID();

  @Field(() => ID)
  @Property({ type: "uuid" })
  groupId!: string;

  @Field(() => ID)
  @Property({ type: "uuid" })
  individualId!: string;

  @Field(() => String, { nullable: true, description: "HEAD, SPOUSE, CHILD, OTHER, ..." })
  @Property({ type: "string", length: 40, nullable: true })
  role?: string | null;

  @Field(() => String, { nullable: true })
  @Property({ type: "string", length: 10, nullable: true })
  startDate?: string | null;

  @Field(() => String, { nullable: true, description: "Set when the membership ended; null = current." })
  @Property({ type: "string", length: 10, nullable: true })
  endDate?: string | null;

  @Property({ type: "datetime" })
  createdAt: Date = new Date();
}
