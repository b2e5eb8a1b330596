import { randomUUID } from "node:crypto";
import { Entity, Index, OptionalProps, PrimaryKey, Property, Unique } from "@mikro-orm/core";
import { Field, ID, Int, ObjectType } from "type-graphql";

/** A bulk issuance request: its instructions are staged, then issued by a job in chunks. */
@Entity({ tableName: "voucher_batch" })
@ObjectType()
export class VoucherBatch {
  [OptionalProps]?: "id" | "createdAt";
  @Field(() => ID) @PrimaryKey({ type: "uuid" }) id: string = randomUUID();
  @Field({ description: "The requester's batch id (idempotency key)." }) @Property({ type: "string", length: 100 }) @Unique() batchId!: string;
  /** The requester's public key (JWK) that the secrets are encrypted to. */
  @Property({ type: "json" }) deliveryKey!: Record<string, unknown>;
  @Field(() => Int, { description: "Instructions staged; for a cycle, entitlements found once the job planned (0 before)." })
  @Property({ type: "integer" })
  instructionCount!: number;
  @Field(() => ID, { nullable: true, description: "Set when the batch issues an approved cycle's entitlements." })
  @Property({ type: "uuid", nullable: true })
  cycleId?: string | null;
  /** Cycle issuance: the program, and what every voucher of the cycle gets (group, presence). */
  @Property({ type: "json", nullable: true }) options?: { programId: string; kind: string; groupCode: string | null; presenceRequired: boolean } | null;
  /** Set once the issuing job is enqueued (after the staging transaction commits). */
  @Field(() => ID, { nullable: true }) @Property({ type: "uuid", nullable: true }) jobId?: string | null;
  @Field() @Property({ type: "datetime" }) createdAt: Date = new Date();
}

/** One staged instruction of a batch (deleted once issued). */
@Entity({ tableName: "voucher_instruction" })
@Index({ properties: ["batchId", "seq"] })
export class VoucherInstruction {
  @PrimaryKey({ type: "uuid" }) id: string = randomUUID();
  @Property({ type: "uuid" }) batchId!: string;
  @Property({ type: "integer" }) seq!: number;
  @Property({ type: "json" }) input!: Record<string, unknown>;
}

/**
 * The secrets of one issued chunk, as a JWE encrypted to the requester's key: the only way a bulk
 * issuance hands secrets out. The block itself cannot read them back.
 */
@Entity({ tableName: "voucher_delivery" })
@Unique({ properties: ["batchId", "chunk"] })
@ObjectType()
export class VoucherDelivery {
  [OptionalProps]?: "id" | "createdAt";
  @PrimaryKey({ type: "uuid" }) id: string = randomUUID();
  @Property({ type: "uuid" }) batchId!: string;
  @Field(() => Int) @Property({ type: "integer" }) chunk!: number;
  @Field(() => Int) @Property({ type: "integer" }) count!: number;
  @Field({ description: "Compact JWE: [{ instructionId, serialNumber, secret, qr }] for this chunk." }) @Property({ type: "text" }) jwe!: string;
  @Field() @Property({ type: "datetime" }) createdAt: Date = new Date();
}
