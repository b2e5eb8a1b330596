/**
 * Fault (b): a private PostgreSQL (initdb + pg_ctl on a free port; never the shared one) is stopped
 * under load, stays down a few seconds and is started again. Every subgraph keeps running; their
 * connection pools must find the database again by themselves, and every write acknowledged is in
 * the database exactly once.
 */
import { sleep, startPrivatePostgres, startProcessStack, type PrivatePostgres, type ProcessStack } from "./infra";
import { faultUnderLoad, report } from "./scenario";

describe("fault: PostgreSQL restarted under load", () => {
  let pg: PrivatePostgres;
  let stack: ProcessStack;
  beforeAll(async () => {
    pg = await startPrivatePostgres();
    stack = await startProcessStack({ databaseUrl: pg.url });
  }, 300_000);
  afterAll(async () => {
    await stack?.stop();
    await pg?.destroy();
  });

  it("errors are coded while it is down, the graph recovers by itself, no write lost or doubled", async () => {
    const figures = await faultUnderLoad({
      scenario: "restart-postgres",
      stack,
      graceMs: 5_000,
      inject: async () => {
        const faultAt = Date.now();
        await pg.stop("fast"); // terminates every connection
        await sleep(3_000);
        const repairAt = Date.now();
        await pg.start();
        return { faultAt, repairAt, upAt: Date.now() };
      },
      afterMs: 10_000,
    });
    console.log(report(figures));
    expect(figures.failuresBeforeFault).toBe(0);
    expect(figures.failedAttempts).toBeGreaterThan(0);
    expect(Object.keys(figures.errorCodes)).not.toContain("NO_CODE");
    expect(figures.failuresAfterRecovery).toBe(0);
    expect(figures.recoveryMs).toBeLessThan(10_000);
    expect(figures.rowsLost).toBe(0);
    expect(figures.rowsDoubled).toBe(0);
    expect(figures.batchRows).toBe(figures.writesAcked);
  });
});
