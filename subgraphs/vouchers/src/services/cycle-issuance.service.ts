/**
 * Issuance from an approved eligibility cycle. The cycle and its entitlements are read from the
 * eligibility block through the graph only (`cycle`, `payableEntitlements`, with this block's
 * service token). Planning walks the pages once and keeps only their cursors (bounded memory); each
 * chunk then reads one page of 500 entitlements and issues one voucher per entitlement, with the
 * instruction id `entitlement:<id>`, so an entitlement gets one voucher whatever is re-run. Secrets
 * come back as in bulk issuance: one JWE per chunk, encrypted to the requester's key.
 */
import type { EntityManager } from "@mikro-orm/core";
import { audit, badInput, createViewer, userError, type AuditActor, type GraphClient, type JobDefinition, type JobQueue, type Viewer } from "@g2p/kit";
import { vouchersConfig } from "../config";
import { signingKey } from "../domain/qr";
import { VoucherBatch, VoucherDelivery } from "../entities/voucher-batch.entity";
import { assertProgramScope } from "./access";
import { deliveryKeyOf } from "./batch-issuance.service";
import { deliver, discard, issueChunk, prepareChunk, type DeliveredVoucher, type PreparedChunk, type ValidInstruction } from "./bulk-issue.service";
import { validateNewVoucher } from "./issuance.service";

const ISSUABLE_KINDS = ["VOUCHER", "IN_KIND"];
const CYCLE_ACTOR: AuditActor = { viewer: createViewer({ sub: "system:voucher-cycle", roles: [] }) };

export const CYCLE_QUERY = /* GraphQL */ `
  query VoucherCycle($id: ID!) { cycle(id: $id) { id state programId program { benefitKind } } }
`;
export const CURSORS_QUERY = /* GraphQL */ `
  query VoucherCycleCursors($id: ID!, $first: Int!, $after: String) {
    payableEntitlements(cycleId: $id, first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } }
  }
`;
/** Value vouchers: the amount. In-kind: the items (only asked for then; see docs/vouchers.md). */
export const ENTITLEMENTS_QUERY = /* GraphQL */ `
  query VoucherCycleEntitlements($id: ID!, $first: Int!, $after: String) {
    payableEntitlements(cycleId: $id, first: $first, after: $after) {
      nodes { id programId registrantId amount currency validUntil }
    }
  }
`;
export const IN_KIND_ENTITLEMENTS_QUERY = /* GraphQL */ `
  query VoucherCycleInKindEntitlements($id: ID!, $first: Int!, $after: String) {
    payableEntitlements(cycleId: $id, first: $first, after: $after) {
      nodes { id programId registrantId amount currency items { name unit quantity } validUntil }
    }
  }
`;

interface CycleInfo {
  id: string;
  state: string;
  programId: string;
  program: { benefitKind: string } | null;
}

export interface EntitlementNode {
  id: string;
  programId: string;
  registrantId: string;
  amount: string;
  currency: string;
  items?: { name: string; unit: string; quantity: number }[] | null;
  validUntil: string;
}

type Graph = Pick<GraphClient, "request">;

export const cycleBatchId = (cycleId: string) => `cycle:${cycleId}`;

export async function startCycleIssuance(
  em: EntityManager,
  actor: AuditActor & { viewer: Viewer },
  jobs: Pick<JobQueue, "enqueue" | "get">,
  graph: Graph,
  input: { cycleId: string; deliveryKey: string; groupCode?: string | null; presenceRequired?: boolean | null },
): Promise<VoucherBatch> {
  if (input.groupCode != null && !/^[A-Z0-9_-]{1,20}$/.test(input.groupCode)) throw badInput("groupCode must be 1 to 20 of A-Z 0-9 _ -", "groupCode");
  const deliveryKey = await deliveryKeyOf(input.deliveryKey);
  const batchId = cycleBatchId(input.cycleId);
  const existing = await em.findOne(VoucherBatch, { batchId });
  if (existing) {
    assertProgramScope(actor.viewer, existing.options?.programId ?? "");
    const same =
      sameKey(existing.deliveryKey, deliveryKey as unknown as Record<string, unknown>) &&
      (existing.options?.groupCode ?? null) === (input.groupCode ?? null) &&
      existing.options?.presenceRequired === (input.presenceRequired ?? true);
    if (!same) throw userError("IDEMPOTENCY_MISMATCH", `cycle ${input.cycleId} was already issued with another delivery key or options`);
    const job = existing.jobId ? await jobs.get(existing.jobId) : null;
    // Not started (crash after staging) or failed (e.g. the graph was down): run it again. Chunks
    // already delivered are skipped and vouchers already issued are not issued twice.
    if (!job || job.status === "FAILED") return enqueueCycle(em, jobs, existing, job ? `retry-${Date.now()}` : "first");
    return existing;
  }
  const { cycle } = await graph.request<{ cycle: CycleInfo }>(CYCLE_QUERY, { id: input.cycleId });
  assertProgramScope(actor.viewer, cycle.programId);
  if (cycle.state !== "APPROVED") {
    throw userError("CONFLICT", `Cycle ${input.cycleId} is ${cycle.state}: vouchers are issued only for an APPROVED cycle`, { state: cycle.state });
  }
  const kind = cycle.program?.benefitKind ?? "CASH";
  if (!ISSUABLE_KINDS.includes(kind)) {
    throw userError("CONFLICT", `Cycle ${input.cycleId} belongs to a ${kind} program: vouchers are issued for VOUCHER or IN_KIND programs`, { benefitKind: kind });
  }
  const batch = await em.transactional(async (tx) => {
    const created = tx.create(VoucherBatch, {
      batchId,
      deliveryKey: deliveryKey as unknown as Record<string, unknown>,
      instructionCount: 0,
      cycleId: cycle.id,
      options: { programId: cycle.programId, kind, groupCode: input.groupCode ?? null, presenceRequired: input.presenceRequired ?? true },
      jobId: null,
    });
    audit(tx, actor, { action: "voucher.cycle.issue", entityType: "VoucherBatch", entityId: created.id, changes: { cycleId: cycle.id, programId: cycle.programId, kind } });
    return created;
  });
  return enqueueCycle(em, jobs, batch, "first");
}

const sameKey = (a: Record<string, unknown>, b: Record<string, unknown>) => ["kty", "crv", "x", "y"].every((k) => a[k] === b[k]);

async function enqueueCycle(em: EntityManager, jobs: Pick<JobQueue, "enqueue">, batch: VoucherBatch, run: string): Promise<VoucherBatch> {
  const job = await jobs.enqueue(cycleIssuance.name, { batchId: batch.id }, { idempotencyKey: `voucher-cycle:${batch.id}:${run}` });
  await em.nativeUpdate(VoucherBatch, { id: batch.id }, { jobId: job.id });
  batch.jobId = job.id;
  return batch;
}

/** End of the entitlement's last valid day (validUntil is an inclusive ISO date), UTC. */
export function expiryOf(validUntil: string): Date | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(validUntil)) return null;
  return new Date(Date.parse(`${validUntil}T00:00:00Z`) + 86_400_000);
}

/** What one entitlement becomes: a voucher instruction, or the reason it gets none. */
export function instructionFor(e: EntitlementNode, batch: VoucherBatch, now = Date.now()): ValidInstruction | { skipped: string } {
  const options = batch.options!;
  const expiresAt = expiryOf(e.validUntil);
  if (expiresAt && expiresAt.getTime() <= now) return { skipped: `entitlement validity ended on ${e.validUntil}` };
  const items = (e.items ?? []).filter((i) => i.quantity > 0);
  const inKind = options.kind === "IN_KIND";
  if (inKind && items.length === 0) return { skipped: "in-kind entitlement without items" };
  if (!inKind && !/^\d+(\.\d+)?$/.test(e.amount)) return { skipped: `entitlement amount ${e.amount} is not a positive decimal` };
  if (!inKind && /^0+(\.0+)?$/.test(e.amount)) return { skipped: "zero entitlement" };
  try {
    const fields = validateNewVoucher({
      instructionId: `entitlement:${e.id}`,
      programId: e.programId,
      registrantId: e.registrantId,
      groupCode: options.groupCode,
      value: inKind ? null : e.amount,
      currency: inKind ? null : e.currency,
      basket: inKind ? items.map((i) => ({ item: i.name, unit: i.unit, quantity: i.quantity })) : null,
    });
    return {
      instructionId: `entitlement:${e.id}`,
      programId: e.programId,
      cycleId: batch.cycleId ?? null,
      registrantId: e.registrantId,
      groupCode: options.groupCode,
      areaCode: null,
      ...fields,
      expiresAt,
      presenceRequired: options.presenceRequired,
    };
  } catch (err) {
    return { skipped: err instanceof Error ? err.message : String(err) };
  }
}

type Planned = { e: EntitlementNode; result: ValidInstruction | { skipped: string } }[];

/** One page of the cycle's payable entitlements, each turned into an instruction or a skip reason. */
async function readPage(batch: VoucherBatch, graph: Graph | undefined, after: string | null, first: number): Promise<Planned> {
  const page = await needGraph(graph).request<{ payableEntitlements: { nodes: EntitlementNode[] } }>(batch.options?.kind === "IN_KIND" ? IN_KIND_ENTITLEMENTS_QUERY : ENTITLEMENTS_QUERY, {
    id: batch.cycleId,
    first,
    after,
  });
  const now = Date.now();
  return page.payableEntitlements.nodes.map((e) => ({ e, result: instructionFor(e, batch, now) }));
}

const issuable = (planned: Planned): ValidInstruction[] => planned.flatMap((p) => ("skipped" in p.result ? [] : [p.result]));

function needGraph(graph: Graph | undefined): Graph {
  if (!graph) throw new Error("cycle issuance needs the graph (GRAPH_URL): none configured for this job queue");
  return graph;
}

export const cycleIssuance: JobDefinition<{ batchId: string }, { chunk: number; after: string | null; first: number }, { planned: Planned; chunk: PreparedChunk } | null> = {
  name: "voucher-cycle-issuance",
  maxAttempts: 4,
  backoffMs: 500,
  async plan({ batchId }, { em, graph }) {
    const batch = await em.findOneOrFail(VoucherBatch, batchId);
    // The page size is kept in each chunk: a restart with another setting reads the same pages.
    const first = vouchersConfig().VOUCHER_CYCLE_PAGE_SIZE;
    const specs: { chunk: number; after: string | null; first: number }[] = [];
    let after: string | null = null;
    let total: number;
    for (;;) {
      const page: { payableEntitlements: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null } } } = await needGraph(graph).request(CURSORS_QUERY, {
        id: batch.cycleId,
        first,
        after,
      });
      total = page.payableEntitlements.totalCount;
      if (total === 0) break;
      specs.push({ chunk: specs.length, after, first });
      if (!page.payableEntitlements.pageInfo.hasNextPage) break;
      after = page.payableEntitlements.pageInfo.endCursor;
    }
    await em.nativeUpdate(VoucherBatch, { id: batchId }, { instructionCount: total });
    return specs;
  },
  /**
   * Outside the transaction (kit jobs' `prepare`): reads the chunk's page of entitlements through the
   * graph and has the issuing worker draw the numbers and sign the QR codes, so the transaction only
   * writes. No effect of its own; a chunk already delivered is not prepared.
   */
  async prepare({ chunk, after, first }, { batchId }, { em, graph }) {
    if (await em.count(VoucherDelivery, { batchId, chunk })) return null;
    const batch = await em.findOneOrFail(VoucherBatch, batchId);
    const planned = await readPage(batch, graph, after, first);
    return { planned, chunk: await prepareChunk(await signingKey(em), issuable(planned)) };
  },
  async processChunk({ chunk, after, first }, { batchId }, { em, graph, prepared }) {
    // A chunk delivered by an earlier run of this batch (same page) is done: its vouchers and its
    // envelope committed together.
    if (await em.count(VoucherDelivery, { batchId, chunk })) {
      if (prepared) discard(prepared.chunk);
      return;
    }
    const batch = await em.findOneOrFail(VoucherBatch, batchId);
    const planned = prepared?.planned ?? (await readPage(batch, graph, after, first));
    const instructions = prepared?.chunk.instructions ?? issuable(planned);
    const issued = await issueChunk(em, await signingKey(em), instructions, "system:voucher-cycle", prepared?.chunk);
    const byInstruction = new Map(issued.map((o) => [o.instructionId, o]));
    const out: (DeliveredVoucher & { entitlementId: string; registrantId: string })[] = planned.map(({ e, result }) => ({
      entitlementId: e.id,
      registrantId: e.registrantId,
      ...("skipped" in result
        ? { instructionId: `entitlement:${e.id}`, serialNumber: null, secret: null, qr: null, alreadyIssued: false, skipped: result.skipped }
        : byInstruction.get(result.instructionId)!),
    }));
    await deliver(em, batchId, chunk, batch.deliveryKey, out);
    audit(em, CYCLE_ACTOR, {
      action: "voucher.cycle.chunk",
      entityType: "VoucherBatch",
      entityId: batchId,
      changes: {
        cycleId: batch.cycleId,
        chunk,
        issued: out.filter((o) => o.serialNumber && !o.alreadyIssued).length,
        alreadyIssued: out.filter((o) => o.alreadyIssued).length,
        skipped: out.filter((o) => o.skipped).length,
      },
    });
  },
};
