import { AuditEntry } from "./audit/audit-entry.entity";
import { JobChunk, JobRecord } from "./jobs/job.entities";

/** Tables every subgraph has: its audit log and its job state. */
export const kitEntities = [AuditEntry, JobRecord, JobChunk];
