/**
 * Enrollment imports as kit jobs. Rows are first staged (CSV streamed through csv-parse, JSON arrays,
 * or ODK Central pages pulled during planning), then processed in chunks: each chunk maps, validates
 * and writes its rows in one transaction, records refused rows as issues (row, field, reason) and
 * lets the good rows land. Re-importing the same submission updates the same registrant (source id).
 */
import { Readable } from "node:stream";
import type { EntityManager } from "@mikro-orm/core";
import { parse } from "csv-parse";
import { badInput, type AuditActor, type JobDefinition, type JobQueue, type Viewer } from "@g2p/kit";
import { ImportIssue, ImportRow, RegistryImport } from "../../entities/import.entity";
import { RegistrationSource } from "../../entities/registrant.entity";
import { bulkSql } from "../bulk-sql";
import { writeUnits, type IntakeUnit } from "../registrant.service";
import type { FieldIssue } from "../validation";
import { checkMapping, flatRowToUnit, odkToUnit, type OdkMapping } from "./mapping";
import { odkSubmissionPages, type OdkAuth } from "./odk-client";

export const IMPORT_JOB = "registry.import";
/**
 * Rows per chunk (one transaction each), `IMPORT_CHUNK_ROWS`. 1,000 submissions (~4,000
 * registrants) per transaction: 100,000 submissions took 199 s against 236 s with 250, side by side
 * on a SQLite file (each commit writes the index pages the chunk dirtied; more rows share a page).
 * The price: a chunk holds SQLite's single write lock ~2 s (other writers wait, up to the 5-s busy
 * timeout) and a retried chunk redoes more; lower it where API writes run beside large imports.
 */
export const CHUNK_ROWS = chunkRows(process.env.IMPORT_CHUNK_ROWS);

function chunkRows(value: string | undefined): number {
  const n = value == null || value === "" ? 1000 : Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 10_000) throw new Error(`IMPORT_CHUNK_ROWS must be an integer 1..10000 (got ${value})`);
  return n;
}
const STAGE_BATCH = 500;
export const MAX_UPLOAD_BYTES = 50 * 1024 * 1024;

export interface ImportPayload {
  importId: string;
}
interface ChunkSpec {
  from: number;
  to: number;
}

interface OdkConfig {
  baseUrl: string;
  projectId: number;
  formId: string;
  mapping: OdkMapping;
  since: string | null;
  pageSize: number;
  /** Cleared once the submissions are staged. */
  auth: OdkAuth | null;
}

function systemActor(createdBy: string): AuditActor {
  const viewer: Viewer = { authenticated: true, sub: createdBy, roles: [], partnerId: null, programIds: [], can: () => true };
  return { viewer, requestId: null, ip: null };
}

async function stage(em: EntityManager, importId: string, rows: AsyncIterable<Record<string, unknown>> | Iterable<Record<string, unknown>>): Promise<number> {
  let n = 0;
  let batch: unknown[][] = [];
  // Plain multi-row INSERTs with bound parameters (each batch its own transaction, which gives
  // bulkSql the driver connection): staged rows are only ever read back by the chunks.
  const flush = () => em.transactional((tx) => bulkSql(tx).insert("import_row", ["import_id", "row_no", "data"], batch, { pgArrays: false }));
  for await (const data of rows as AsyncIterable<Record<string, unknown>>) {
    batch.push([importId, ++n, JSON.stringify(data)]);
    if (batch.length >= STAGE_BATCH) {
      await flush();
      batch = [];
    }
  }
  if (batch.length) await flush();
  return n;
}

function planChunks(total: number): ChunkSpec[] {
  const out: ChunkSpec[] = [];
  for (let from = 1; from <= total; from += CHUNK_ROWS) out.push({ from, to: Math.min(total, from + CHUNK_ROWS - 1) });
  return out;
}

/**
 * The chunk's staged rows as plain values: as entities they were hydrated, then compared field by
 * field (their JSON too) by every flush of the chunk's unit of work, for rows that are only read.
 */
async function stagedRows(em: EntityManager, importId: string, chunk: ChunkSpec): Promise<{ rowNo: number; data: Record<string, unknown> }[]> {
  const sql = bulkSql(em);
  const rows = await sql.all<{ row_no: number | string; data: string | Record<string, unknown> }>(
    `select row_no, data from ${sql.table("import_row")} where import_id = ? and row_no >= ? and row_no <= ? order by row_no`,
    [importId, chunk.from, chunk.to],
  );
  return rows.map((r) => ({ rowNo: Number(r.row_no), data: typeof r.data === "string" ? (JSON.parse(r.data) as Record<string, unknown>) : r.data }));
}

export const importJob: JobDefinition<ImportPayload, ChunkSpec> = {
  name: IMPORT_JOB,
  maxAttempts: 3,
  backoffMs: 200,
  async plan(payload, { em }) {
    const imp = await em.findOneOrFail(RegistryImport, payload.importId);
    if (imp.source === RegistrationSource.ODK) {
      const cfg = imp.config as unknown as OdkConfig;
      if (!cfg.auth) throw new Error("ODK credentials are gone (the import was already staged once); start a new import");
      await em.nativeDelete(ImportRow, { importId: imp.id });
      let watermark = cfg.since ?? null;
      const rows = async function* () {
        for await (const page of odkSubmissionPages({ ...cfg, auth: cfg.auth! })) {
          for (const sub of page.value) {
            const at = (sub.__system as { submissionDate?: string } | undefined)?.submissionDate;
            if (at && (!watermark || at > watermark)) watermark = at;
            yield sub;
          }
        }
      };
      try {
        imp.rowsStaged = await stage(em, imp.id, rows());
        imp.highWatermark = watermark;
      } finally {
        // Credentials live only as long as staging: erased on success and on failure.
        imp.config = { ...cfg, auth: null };
        await em.flush();
      }
    }
    return planChunks(imp.rowsStaged);
  },
  async processChunk(chunk, payload, { em }) {
    const imp = await em.findOneOrFail(RegistryImport, payload.importId);
    const rows = await stagedRows(em, imp.id, chunk);
    const mapping = imp.source === RegistrationSource.ODK ? (imp.config as unknown as OdkConfig).mapping : null;
    const units: IntakeUnit[] = [];
    const issues: { rowNo: number; sourceId: string | null; issue: FieldIssue }[] = [];
    for (const row of rows) {
      const mapped = mapping ? odkToUnit(row.data, row.rowNo, mapping) : flatRowToUnit(row.data, row.rowNo, imp.source);
      const sourceId = mapped.unit?.sourceId ?? (typeof row.data.source_id === "string" ? row.data.source_id : typeof row.data.__id === "string" ? row.data.__id : null);
      if (mapped.issues.length || !mapped.unit) {
        for (const issue of mapped.issues) issues.push({ rowNo: row.rowNo, sourceId, issue });
      } else units.push(mapped.unit);
    }
    const results = await writeUnits(em, systemActor(imp.createdBy), units);
    let created = 0;
    let updated = 0;
    let unchanged = 0;
    for (const r of results) {
      if (r.issues.length) for (const issue of r.issues) issues.push({ rowNo: r.rowNo, sourceId: r.sourceId, issue });
      else {
        created += r.created;
        updated += r.updated;
        unchanged += r.unchanged;
      }
    }
    if (issues.length) {
      await em.insertMany(
        ImportIssue,
        issues.map((x) => ({ id: crypto.randomUUID(), importId: imp.id, rowNo: x.rowNo, sourceId: x.sourceId, field: x.issue.field.slice(0, 200), reason: x.issue.reason, message: x.issue.message })),
      );
    }
    const failedRows = new Set(issues.map((x) => x.rowNo)).size;
    // Counters add up across chunks (and workers): one atomic UPDATE, inside the chunk's transaction.
    const schema = em.config.get("schema");
    const table = em.getPlatform().constructor.name.toLowerCase().includes("postgre") && schema ? `"${schema}"."registry_import"` : "registry_import";
    await em.getConnection().execute(
      `update ${table} set created = created + ?, updated = updated + ?, unchanged = unchanged + ?, failed_rows = failed_rows + ? where id = ?`,
      [created, updated, unchanged, failedRows, imp.id],
      "run",
      em.getTransactionContext(),
    );
  },
};

async function createImport(em: EntityManager, jobs: JobQueue, viewer: Viewer, source: RegistrationSource, config: Record<string, unknown>, stageRows?: (importId: string) => Promise<number>, idempotencyKey?: string | null) {
  const imp = em.create(RegistryImport, { source, config, createdBy: viewer.sub ?? "unknown" });
  await em.persistAndFlush(imp);
  if (stageRows) {
    try {
      imp.rowsStaged = await stageRows(imp.id);
      await em.flush(); // the job plans from rowsStaged: it must be stored before the job can start
    } catch (err) {
      await em.nativeDelete(ImportRow, { importId: imp.id });
      await em.nativeDelete(RegistryImport, { id: imp.id });
      throw err;
    }
  }
  const job = await jobs.enqueue(IMPORT_JOB, { importId: imp.id }, idempotencyKey ? { idempotencyKey: `registry-import:${idempotencyKey}` } : {});
  imp.jobId = job.id;
  await em.flush();
  return imp;
}

/** CSV text, streamed through csv-parse into the staging table (header row = column names). */
export function importCsv(em: EntityManager, jobs: JobQueue, viewer: Viewer, csv: string) {
  if (Buffer.byteLength(csv) > MAX_UPLOAD_BYTES) throw badInput(`upload larger than ${MAX_UPLOAD_BYTES} bytes`, "csv");
  return createImport(em, jobs, viewer, RegistrationSource.CSV, {}, async (importId) => {
    const parser = Readable.from([csv]).pipe(parse({ columns: (h: string[]) => h.map((c) => c.trim()), skip_empty_lines: true, trim: true, bom: true, relax_column_count: false }));
    try {
      return await stage(em, importId, parser as AsyncIterable<Record<string, unknown>>);
    } catch (err) {
      const e = err as { message?: string; lines?: number };
      throw badInput(`CSV could not be parsed: ${e.message ?? String(err)}`, "csv");
    }
  });
}

/** A JSON array of row objects with the CSV column names. */
export function importJson(em: EntityManager, jobs: JobQueue, viewer: Viewer, rows: unknown) {
  if (!Array.isArray(rows)) throw badInput("rows must be a JSON array of objects", "rows");
  if (rows.some((r) => r == null || typeof r !== "object" || Array.isArray(r))) throw badInput("every row must be a JSON object", "rows");
  return createImport(em, jobs, viewer, RegistrationSource.JSON, {}, (importId) => stage(em, importId, rows as Record<string, unknown>[]));
}

export interface OdkImportInput {
  baseUrl: string;
  projectId: number;
  formId: string;
  email?: string | null;
  password?: string | null;
  token?: string | null;
  basicAuth?: boolean | null;
  mapping: OdkMapping;
  since?: string | null;
  /** Continue after the newest submission the last import of this form saw. */
  delta?: boolean | null;
  pageSize?: number | null;
}

export async function importFromOdk(em: EntityManager, jobs: JobQueue, viewer: Viewer, input: OdkImportInput) {
  let url: URL;
  try {
    url = new URL(input.baseUrl);
    if (!/^https?:$/.test(url.protocol)) throw new Error();
  } catch {
    throw badInput("baseUrl must be an http(s) URL", "baseUrl");
  }
  const problem = checkMapping(input.mapping);
  if (problem) throw badInput(problem, "mapping");
  const auth: OdkAuth | null = input.token ? { kind: "token", token: input.token } : input.email && input.password ? { kind: input.basicAuth ? "basic" : "session", email: input.email, password: input.password } : null;
  if (!auth) throw badInput("give email and password, or a token", "email");
  if (input.since && Number.isNaN(Date.parse(input.since))) throw badInput("since must be an ISO 8601 instant", "since");
  const pageSize = input.pageSize ?? 250;
  if (pageSize < 1 || pageSize > 5000) throw badInput("pageSize must be 1..5000", "pageSize");
  let since = input.since ?? null;
  if (input.delta && !since) {
    const last = await em.find(RegistryImport, { source: RegistrationSource.ODK, highWatermark: { $ne: null } }, { orderBy: { createdAt: "desc" }, limit: 50 });
    since = last.find((i) => (i.config as { baseUrl?: string; formId?: string; projectId?: number }).formId === input.formId && (i.config as { baseUrl?: string }).baseUrl === url.toString() && (i.config as { projectId?: number }).projectId === input.projectId)?.highWatermark ?? null;
  }
  const config: OdkConfig = { baseUrl: url.toString(), projectId: input.projectId, formId: input.formId, mapping: input.mapping, since, pageSize, auth };
  return createImport(em, jobs, viewer, RegistrationSource.ODK, config as unknown as Record<string, unknown>);
}
