import type { EntityManager } from "@mikro-orm/core";
import { Coalescer } from "../src/services/coalesce";

/** Just enough of an EntityManager for the coalescer: a connection to key by, a transaction or not. */
function fakeEm(opts: { connection?: object; inTransaction?: boolean } = {}): EntityManager {
  const connection = opts.connection ?? {};
  const em = {
    getConnection: () => connection,
    getTransactionContext: () => (opts.inTransaction ? {} : undefined),
    fork: () => fakeEm({ connection }),
  };
  return em as unknown as EntityManager;
}

describe("Coalescer", () => {
  it("runs the items submitted together as one statement, each caller getting its own result", async () => {
    const calls: number[][] = [];
    const c = new Coalescer<number, number>(async (_em, items) => {
      calls.push(items);
      return items.map((i) => i * 10);
    }, 100);
    const em = fakeEm();
    const out = await Promise.all([1, 2, 3, 4].map((i) => c.submit(em, i)));
    expect(out).toEqual([10, 20, 30, 40]);
    expect(calls).toEqual([[1, 2, 3, 4]]);
  });

  it("keeps one statement in flight: items arriving meanwhile go together into the next", async () => {
    const calls: number[][] = [];
    let release!: () => void;
    const firstRunning = new Promise<void>((r) => (release = r));
    const c = new Coalescer<number, number>(async (_em, items) => {
      calls.push(items);
      if (calls.length === 1) await firstRunning;
      return items;
    }, 100);
    const em = fakeEm();
    const first = c.submit(em, 1);
    await new Promise((r) => setImmediate(r));
    const later = [2, 3, 4].map((i) => c.submit(em, i));
    await new Promise((r) => setImmediate(r));
    expect(calls).toEqual([[1]]);
    release();
    expect(await Promise.all([first, ...later])).toEqual([1, 2, 3, 4]);
    expect(calls).toEqual([[1], [2, 3, 4]]);
  });

  it("splits at the batch size", async () => {
    const sizes: number[] = [];
    const c = new Coalescer<number, number>(async (_em, items) => {
      sizes.push(items.length);
      return items;
    }, 3);
    const em = fakeEm();
    await Promise.all([1, 2, 3, 4, 5, 6, 7].map((i) => c.submit(em, i)));
    expect(sizes).toEqual([3, 3, 1]);
  });

  it("when a statement fails, retries its items one by one so that only the bad one fails", async () => {
    const calls: string[][] = [];
    const c = new Coalescer<string, string>(async (_em, items) => {
      calls.push(items);
      if (items.includes("bad")) throw new Error("constraint violated");
      return items.map((i) => i.toUpperCase());
    }, 100);
    const em = fakeEm();
    const results = await Promise.allSettled(["a", "bad", "c"].map((i) => c.submit(em, i)));
    expect(results.map((r) => (r.status === "fulfilled" ? r.value : (r.reason as Error).message))).toEqual(["A", "constraint violated", "C"]);
    expect(calls).toEqual([["a", "bad", "c"], ["a"], ["bad"], ["c"]]);
  });

  it("keeps databases apart, and runs an item inside a transaction on its own, in that transaction", async () => {
    const seen: { em: EntityManager; items: number[] }[] = [];
    const c = new Coalescer<number, number>(async (em, items) => {
      seen.push({ em, items });
      return items;
    }, 100);
    const a = fakeEm();
    const b = fakeEm();
    const tx = fakeEm({ inTransaction: true });
    await Promise.all([c.submit(a, 1), c.submit(b, 2), c.submit(a, 3), c.submit(tx, 4)]);
    expect(seen.map((s) => s.items).sort()).toEqual([[1, 3], [2], [4]]);
    expect(seen.find((s) => s.items[0] === 4)!.em).toBe(tx);
  });
});
