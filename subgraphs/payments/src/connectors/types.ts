/**
 * One interface for every payment rail. A connector sends instructions and answers status queries;
 * the instruction id (our payment id) is the provider-side idempotency key on every attempt, so a
 * resend after a crash or a timeout can never pay twice.
 */
export interface Instruction {
  /** Our payment id: sent as the idempotency key (GSMA X-CorrelationID, Mojaloop transferId, ISO EndToEndId). */
  id: string;
  amount: string;
  currency: string;
  /** Parsed financial address. */
  payee: { type: string; id: string; provider: string };
  note?: string | null;
  /** How many times it was sent before (a retry of a failed payment is a new attempt; a crash re-run is not). */
  attempt?: number;
}

export type Outcome =
  | { id: string; status: "COMPLETED"; reference: string | null }
  | { id: string; status: "FAILED"; reason: string; reference?: string | null }
  /** No trustworthy answer: must be resolved by a later status query or an operator. */
  | { id: string; status: "UNKNOWN"; reason: string };

export interface StatusAnswer {
  id: string;
  /** NOT_FOUND: the provider never received it (safe to send again). */
  status: "COMPLETED" | "FAILED" | "PENDING" | "NOT_FOUND" | "UNKNOWN";
  reference?: string | null;
  reason?: string;
}

export interface Connector {
  readonly kind: string;
  /** Sends each instruction (bounded concurrency); every instruction gets exactly one outcome. */
  send(instructions: Instruction[]): Promise<Outcome[]>;
  status(ids: string[]): Promise<StatusAnswer[]>;
}

export interface ConnectorOptions {
  /** Per-request timeout (default 5 s; PAYMENTS_CONNECTOR_TIMEOUT_MS). */
  timeoutMs?: number;
  /** Sends per instruction when the provider is unreachable and never got it (default 3). */
  maxSendAttempts?: number;
  /** Requests in flight per chunk (default 16). */
  concurrency?: number;
  /** GSMA: ask for callbacks (PAYMENTS_GSMA_CALLBACK_URL, PAYMENTS_CALLBACK_SECRET); polling only without it. */
  gsmaCallback?: { baseUrl: string; secret: string };
  /** GSMA: sub-batches of at least this many payments go as one `POST /batchtransactions` (default 50; 0 = never). */
  gsmaBulkMinItems?: number;
  /** GSMA bulk: how long to wait for the provider to process a batch before its items are UNKNOWN (default 30 s). */
  gsmaBulkWaitMs?: number;
}

/** Runs `fn` over items with at most `limit` in flight, keeping order. */
export async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
