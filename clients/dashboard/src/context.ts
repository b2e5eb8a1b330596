/** What a page gets: the session, the graph, its route parameters, and navigation. */
import type { Session } from "./auth";
import type { GraphRequest } from "./graphql";
import { BATCHES, PROGRAMS, type Batch, type Program } from "./queries";

export interface PageContext {
  root: HTMLElement;
  session: Session;
  request: GraphRequest;
  params: string[];
  query: URLSearchParams;
  /** Goes to an app path such as "batches/123" (relative to the dashboard's base). */
  navigate(path: string): void;
  /** Renders the current page again. */
  refresh(): Promise<void>;
  /** Runs when the user leaves the page (stop polling, ...). */
  onLeave(fn: () => void): void;
}

export type Page = (ctx: PageContext) => Promise<void>;

export const BASE = import.meta.env.BASE_URL.replace(/\/$/, "");

export function href(path: string): string {
  return `${BASE}/${path.replace(/^\//, "")}`;
}

/** All pages of a connection, up to `max` items. */
async function collect<T>(page: (after: string | null) => Promise<{ nodes: T[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } }>, max: number): Promise<T[]> {
  const out: T[] = [];
  let after: string | null = null;
  for (;;) {
    const p = await page(after);
    out.push(...p.nodes);
    if (!p.pageInfo.hasNextPage || out.length >= max) return out;
    after = p.pageInfo.endCursor;
  }
}

export function loadPrograms(request: GraphRequest): Promise<Program[]> {
  return collect(async (after) => (await request(PROGRAMS, { first: 50, after })).programs, 500);
}

export function loadBatches(request: GraphRequest): Promise<Batch[]> {
  return collect(async (after) => (await request(BATCHES, { first: 100, after })).disbursementBatches, 2000);
}

/** A cycle's batch: payments names it `cycle:<cycle id>` (createDisbursementBatchFromCycle). */
export function cycleIdOf(batch: Batch): string | null {
  return batch.clientCorrelationId.startsWith("cycle:") ? batch.clientCorrelationId.slice("cycle:".length) : null;
}
