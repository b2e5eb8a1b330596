/**
 * A batch from an approved eligibility cycle, read through the graph only (eligibility's
 * `cycle` and `payableEntitlements`, as the `service` role): one payment per entitlement, with the
 * entitlement id as `entitlementId` (unique: an entitlement is paid once) and as instruction id;
 * correlation id `cycle:<id>`, so asking twice returns the same batch.
 */
import type { EntityManager } from "@mikro-orm/core";
import { userError, type AuditActor, type GraphClient, type JobQueue } from "@g2p/kit";
import type { DisbursementBatch } from "../entities/disbursement-batch.entity";
import { submitBatch } from "./batch.service";

export const CYCLE_QUERY = `query ($id: ID!) { cycle(id: $id) { id state programId } }`;
// 200 a page: the gateway's cost limit (5,000) multiplies a literal `first` by the fields below it.
export const ENTITLEMENTS_QUERY = `query ($id: ID!, $after: String) {
  payableEntitlements(cycleId: $id, first: 200, after: $after) {
    pageInfo { hasNextPage endCursor }
    nodes { id registrantId amount currency }
  }
}`;

/** Largest cycle taken in one request; beyond it the intake must become a job (not built yet). */
export const MAX_CYCLE_PAYMENTS = 100_000;

interface EntitlementNode {
  id: string;
  registrantId: string;
  amount: string;
  currency: string;
}

export async function batchFromCycle(
  em: EntityManager,
  actor: AuditActor,
  jobs: JobQueue,
  graph: Pick<GraphClient, "request">,
  cycleId: string,
  approvalRequired: boolean,
): Promise<DisbursementBatch> {
  const { cycle } = await graph.request<{ cycle: { id: string; state: string; programId: string } }>(CYCLE_QUERY, { id: cycleId });
  if (cycle.state !== "APPROVED" && cycle.state !== "DISTRIBUTED") throw userError("CONFLICT", `cycle ${cycleId} is ${cycle.state}, not APPROVED`);
  const entitlements: EntitlementNode[] = [];
  let after: string | null = null;
  for (;;) {
    const page: { payableEntitlements: { pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: EntitlementNode[] } } = await graph.request(ENTITLEMENTS_QUERY, {
      id: cycleId,
      after,
    });
    entitlements.push(...page.payableEntitlements.nodes);
    if (entitlements.length > MAX_CYCLE_PAYMENTS) throw userError("CONFLICT", `cycle ${cycleId} has more than ${MAX_CYCLE_PAYMENTS} entitlements: not supported in one request yet`);
    if (!page.payableEntitlements.pageInfo.hasNextPage) break;
    after = page.payableEntitlements.pageInfo.endCursor;
  }
  const cash = entitlements.filter((e) => /^\d+(\.\d+)?$/.test(e.amount) && !/^0+(\.0+)?$/.test(e.amount));
  if (cash.length === 0) throw userError("CONFLICT", `cycle ${cycleId} has no cash entitlement to pay`);
  const currencies = new Set(cash.map((e) => e.currency));
  if (currencies.size !== 1) throw userError("CONFLICT", `cycle ${cycleId} mixes currencies (${[...currencies].join(", ")})`);
  return submitBatch(
    em,
    actor,
    jobs,
    {
      clientCorrelationId: `cycle:${cycleId}`,
      programCode: cycle.programId,
      currency: [...currencies][0]!,
      purpose: `cycle ${cycleId}`,
      approvalRequired,
      payments: cash.map((e) => ({ instructionId: e.id, entitlementId: e.id, registrantId: e.registrantId, amount: e.amount })),
    },
    MAX_CYCLE_PAYMENTS,
  );
}
