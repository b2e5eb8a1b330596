/**
 * The gateway's query-plan cache, given to ApolloGateway as `queryPlannerConfig.cache` so its hits
 * and misses can be counted (the default store is private). Same policy as the default: an LRU
 * bounded by the approximate size of the plans (their JSON length, as @apollo/gateway measures
 * them), cleared by the gateway when the supergraph changes.
 */
type Plan = object;

export interface QueryPlanCacheOptions {
  maxBytes: number;
  onLookup?: (hit: boolean) => void;
}

export interface CountingQueryPlanCache {
  get(key: string): Promise<Plan | undefined>;
  set(key: string, value: Plan): Promise<void>;
  delete(key: string): Promise<boolean | void>;
  clear(): void;
  /** Bytes held (approximate). */
  bytes(): number;
}

export function createQueryPlanCache(opts: QueryPlanCacheOptions): CountingQueryPlanCache {
  const entries = new Map<string, { plan: Plan; bytes: number }>();
  let total = 0;
  const remove = (key: string) => {
    const e = entries.get(key);
    if (!e) return false;
    entries.delete(key);
    total -= e.bytes;
    return true;
  };
  return {
    async get(key) {
      const e = entries.get(key);
      opts.onLookup?.(e !== undefined);
      if (!e) return undefined;
      entries.delete(key);
      entries.set(key, e);
      return e.plan;
    },
    async set(key, plan) {
      const bytes = Buffer.byteLength(JSON.stringify(plan), "utf8");
      remove(key);
      if (bytes > opts.maxBytes) return; // larger than the whole cache: plan it again next time
      entries.set(key, { plan, bytes });
      total += bytes;
      for (const oldest of entries.keys()) {
        if (total <= opts.maxBytes) break;
        remove(oldest);
      }
    },
    async delete(key) {
      return remove(key);
    },
    clear() {
      entries.clear();
      total = 0;
    },
    bytes: () => total,
  };
}
