/**
 * Every operation the dashboard sends, written against schema/supergraph.graphql, with the shape
 * of what it reads. Kept in one file so a schema change shows up in one place.
 */
import { gql } from "./graphql";

export type CycleState = "DRAFT" | "TO_APPROVE" | "APPROVED" | "DISTRIBUTED" | "CANCELLED" | "ENDED";
export type BatchStatus =
  | "RECEIVED" | "VALIDATING" | "AUTHORIZATION_DENIED" | "PENDING_APPROVAL" | "APPROVED" | "REJECTED"
  | "PROCESSING" | "RECONCILING" | "COMPLETED" | "PARTIALLY_COMPLETED" | "FAILED" | "CANCELLED";
export type PaymentStatus = "PENDING" | "INVALID" | "PAYEE_NOT_FOUND" | "READY" | "SENT" | "COMPLETED" | "FAILED" | "UNKNOWN" | "CANCELLED";
export type VoucherStatus = "INACTIVE" | "ACTIVE" | "SUSPENDED" | "UTILIZED" | "CANCELLED" | "EXPIRED";

export const PAYMENT_STATUSES: PaymentStatus[] = ["PENDING", "READY", "SENT", "COMPLETED", "FAILED", "UNKNOWN", "INVALID", "PAYEE_NOT_FOUND", "CANCELLED"];
export const TERMINAL_BATCH: BatchStatus[] = ["AUTHORIZATION_DENIED", "REJECTED", "COMPLETED", "PARTIALLY_COMPLETED", "FAILED", "CANCELLED"];

export interface Cycle {
  id: string;
  name: string;
  state: CycleState;
  round: number;
  approvedStages: number;
  startDate: string;
  endDate: string;
  totals: { entitlements: number; totalAmount: string; totalFee: string };
}

export interface Program {
  id: string;
  name: string;
  currency: string;
  target: "INDIVIDUAL" | "GROUP";
  benefitKind: string;
  approvalStages: { name: string; role: string }[];
  enrollmentCounts: { state: string; count: number }[];
  cycles: Cycle[];
}

export interface BatchSummary {
  total: number;
  completed: number;
  failed: number;
  ongoing: number;
  completedAmount: string;
  failedAmount: string;
  progress: number;
  byStatus: { status: PaymentStatus; count: number; amount: string; percentage: number }[];
}

export interface Batch {
  id: string;
  clientCorrelationId: string;
  programCode: string | null;
  purpose: string | null;
  status: BatchStatus;
  statusReason: string | null;
  currency: string;
  totalAmount: string;
  paymentCount: number;
  approvalRequired: boolean;
  createdAt: string;
  updatedAt: string;
  summary: BatchSummary;
}

export interface Payment {
  id: string;
  seq: number;
  instructionId: string;
  registrantId: string | null;
  beneficiaryId: string;
  amount: string;
  currency: string;
  status: PaymentStatus;
  statusReason: string | null;
  attempts: number;
  updatedAt: string;
}

export interface Page<T> {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  nodes: T[];
}

const CYCLE_FIELDS = `id name state round approvedStages startDate endDate totals { entitlements totalAmount totalFee }`;
const PROGRAM_FIELDS = `id name currency target benefitKind approvalStages { name role } enrollmentCounts { state count } cycles { ${CYCLE_FIELDS} }`;
const SUMMARY_FIELDS = `summary { total completed failed ongoing completedAmount failedAmount progress byStatus { status count amount percentage } }`;
const BATCH_FIELDS = `id clientCorrelationId programCode purpose status statusReason currency totalAmount paymentCount approvalRequired createdAt updatedAt ${SUMMARY_FIELDS}`;
const PAYMENT_FIELDS = `id seq instructionId registrantId beneficiaryId amount currency status statusReason attempts updatedAt`;

/** A probe that any valid token may send: the gateway refuses a bad one with UNAUTHENTICATED. */
export const PROBE = gql<{ __typename: string }>(`query DashboardProbe { __typename }`);

export const PROGRAMS = gql<{ programs: Page<Program> }, { first: number; after?: string | null }>(
  `query DashboardPrograms($first: Int, $after: String) { programs(first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { ${PROGRAM_FIELDS} } } }`,
);

export const REGISTRANT_COUNT = gql<{ registrantStats: { total: number; byKind: { key: string; count: number }[] } }>(
  `query DashboardRegistrantCount { registrantStats { total byKind { key count } } }`,
);

export interface Bucket {
  key: string;
  count: number;
}
export interface RegistrantStats {
  total: number;
  byArea: Bucket[];
  bySex: Bucket[];
  byAgeBand: Bucket[];
  byKind: Bucket[];
}
export const REGISTRANT_STATS = gql<{ registrantStats: RegistrantStats }, { filter?: { adminArea?: string } | null }>(
  `query DashboardRegistrantStats($filter: RegistrantFilter) { registrantStats(filter: $filter) { total byArea { key count } bySex { key count } byAgeBand { key count } byKind { key count } } }`,
);

export const BATCHES = gql<{ disbursementBatches: Page<Batch> }, { first: number; after?: string | null; status?: BatchStatus | null }>(
  `query DashboardBatches($first: Int, $after: String, $status: BatchStatus) { disbursementBatches(first: $first, after: $after, status: $status) { totalCount pageInfo { hasNextPage endCursor } nodes { ${BATCH_FIELDS} } } }`,
);

export const BATCH = gql<{ disbursementBatch: Batch & { payments: Page<Payment> } }, { id: string; status?: PaymentStatus | null; first: number; after?: string | null }>(
  `query DashboardBatch($id: ID!, $status: PaymentStatus, $first: Int, $after: String) { disbursementBatch(id: $id) { ${BATCH_FIELDS} payments(status: $status, first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { ${PAYMENT_FIELDS} } } } }`,
);

export interface VoucherReport {
  programId: string;
  byStatus: { cycleId: string | null; status: VoucherStatus; count: number; currency: string | null; totalValue: string | null }[];
  byMerchant: { merchantId: string; count: number; currency: string | null; totalValue: string | null }[];
}
export const VOUCHER_REPORT = gql<{ voucherReport: VoucherReport }, { programId: string }>(
  `query DashboardVoucherReport($programId: ID!) { voucherReport(programId: $programId) { programId byStatus { cycleId status count currency totalValue } byMerchant { merchantId count currency totalValue } } }`,
);

export const MERCHANT = gql<{ merchant: { id: string; code: string; name: string; status: string } }, { id: string }>(
  `query DashboardMerchant($id: ID!) { merchant(id: $id) { id code name status } }`,
);

// Operations

export const APPROVE_CYCLE = gql<{ approveCycle: Cycle }, { cycleId: string; comment?: string | null }>(
  `mutation DashboardApproveCycle($cycleId: ID!, $comment: String) { approveCycle(cycleId: $cycleId, comment: $comment) { ${CYCLE_FIELDS} } }`,
);

export const BATCH_FROM_CYCLE = gql<{ createDisbursementBatchFromCycle: { id: string; status: BatchStatus } }, { cycleId: string; approvalRequired?: boolean | null }>(
  `mutation DashboardBatchFromCycle($cycleId: ID!, $approvalRequired: Boolean) { createDisbursementBatchFromCycle(cycleId: $cycleId, approvalRequired: $approvalRequired) { id status } }`,
);

export const START_BATCH = gql<{ startDisbursementBatch: { id: string; status: BatchStatus } }, { id: string; programCode: string }>(
  `mutation DashboardStartBatch($id: ID!, $programCode: String!) { startDisbursementBatch(id: $id, programCode: $programCode) { id status } }`,
);

export const APPROVE_BATCH = gql<{ approveDisbursementBatch: { id: string; status: BatchStatus } }, { id: string; note?: string | null }>(
  `mutation DashboardApproveBatch($id: ID!, $note: String) { approveDisbursementBatch(id: $id, note: $note) { id status } }`,
);

export const RETRY_FAILED = gql<{ retryFailedPayments: { id: string; status: BatchStatus } }, { batchId: string }>(
  `mutation DashboardRetryFailed($batchId: ID!) { retryFailedPayments(batchId: $batchId) { id status } }`,
);

export const RESOLVE_UNKNOWN = gql<{ resolveUnknownPayment: { id: string; status: PaymentStatus } }, { paymentId: string; outcome: PaymentStatus; note: string }>(
  `mutation DashboardResolveUnknown($paymentId: ID!, $outcome: PaymentStatus!, $note: String!) { resolveUnknownPayment(paymentId: $paymentId, outcome: $outcome, note: $note) { id status } }`,
);
