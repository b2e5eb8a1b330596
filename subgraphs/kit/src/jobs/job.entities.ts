import { randomUUID } from "node:crypto";
import { Entity, Index, OptionalProps, PrimaryKey, Property, Unique } from "@mikro-orm/core";

export type JobStatus = "PENDING" | "RUNNING" | "COMPLETED" | "FAILED";
export type ChunkStatus = "PENDING" | "RUNNING" | "DONE" | "FAILED";

/** A long-running job. The database, not the queue, is the truth about its progress. */
@Entity({ tableName: "job" })
@Index({ properties: ["status"] })
export class JobRecord {
  [OptionalProps]?: "id" | "status" | "totalChunks" | "doneChunks" | "failedChunks" | "createdAt";

  @PrimaryKey({ type: "uuid" })
  id: string = randomUUID();

  @Property({ type: "string", length: 100 })
  name!: string;

  /** Same key twice returns the same job instead of starting a second one. */
  @Property({ type: "string", length: 255, nullable: true })
  @Unique()
  idempotencyKey?: string | null;

  @Property({ type: "json" })
  payload!: unknown;

  @Property({ type: "string", length: 20 })
  status: JobStatus = "PENDING";

  @Property({ type: "integer" })
  totalChunks = 0;

  @Property({ type: "integer" })
  doneChunks = 0;

  @Property({ type: "integer" })
  failedChunks = 0;

  @Property({ type: "text", nullable: true })
  error?: string | null;

  @Property({ type: "datetime" })
  createdAt: Date = new Date();

  @Property({ type: "datetime", nullable: true })
  finishedAt?: Date | null;
}

/** One chunk of a job; processed at least once, committed at most once. */
@Entity({ tableName: "job_chunk" })
@Unique({ properties: ["jobId", "seq"] })
@Index({ properties: ["jobId", "status"] })
export class JobChunk {
  [OptionalProps]?: "id" | "status" | "attempts";

  @PrimaryKey({ type: "uuid" })
  id: string = randomUUID();

  @Property({ type: "uuid" })
  jobId!: string;

  @Property({ type: "integer" })
  seq!: number;

  @Property({ type: "json" })
  spec!: unknown;

  @Property({ type: "string", length: 20 })
  status: ChunkStatus = "PENDING";

  @Property({ type: "integer" })
  attempts = 0;

  @Property({ type: "text", nullable: true })
  lastError?: string | null;

  @Property({ type: "datetime", nullable: true })
  finishedAt?: Date | null;
}
