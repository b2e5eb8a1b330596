import type { MikroORM } from "@mikro-orm/core";
import { JobEngine, type JobDefinition } from "../src/jobs";
import { createLogger } from "../src/logger";

// No database is touched: only the delay arithmetic. Retry delays double from backoffMs; pollers cap them with maxBackoffMs so a late answer is still seen soon.
describe("job retry backoff", () => {
  const job = (extra: Partial<JobDefinition>): JobDefinition => ({ name: "poll", plan: async () => [], processChunk: async () => undefined, ...extra });
  const engineWith = (def: JobDefinition) => {
    const engine = new JobEngine({ config: { get: () => undefined } } as unknown as MikroORM, createLogger("kit-test", "silent"));
    engine.register(def);
    return engine;
  };

  it("doubles from the base delay, without a cap by default", () => {
    const engine = engineWith(job({ backoffMs: 250 }));
    expect([1, 2, 3, 13].map((n) => engine.backoff("poll", n))).toEqual([250, 500, 1000, 250 * 2 ** 12]);
  });

  it("never waits longer than maxBackoffMs", () => {
    const engine = engineWith(job({ backoffMs: 250, maxBackoffMs: 30_000 }));
    expect([1, 7, 8, 20].map((n) => engine.backoff("poll", n))).toEqual([250, 16_000, 30_000, 30_000]);
  });
});
