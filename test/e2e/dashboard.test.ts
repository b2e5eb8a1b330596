/**
 * The operations dashboard in a real browser (Debian's Chromium driven by playwright-core; never a
 * downloaded browser) against the whole stack: the dashboard is built from its sources with Vite into
 * a temporary folder and served by the testkit's gateway (DASHBOARD_DIR). A small program is seeded
 * through the graph (households in three areas, two cycles, a paid batch with provider refusals,
 * vouchers issued and one redeemed); then, per role: the overview's figures match the graph and its
 * ECharts canvases are drawn; an auditor sees no operation; an approver approves a cycle stage (and
 * sees the server's FORBIDDEN when it is not theirs to approve); a finance officer retries the failed
 * payments and watches the batch complete. Screenshots go to test/artifacts/dashboard/.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { resetEligibilityConfig, resetRegistrySource } from "@g2p/eligibility";
import { dataOf, tokenFor, type Caller } from "@g2p/kit";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { startMobileMoneySimulator, type MobileMoneySimulator } from "../simulators/mobile-money";
import { startStack, type Stack } from "../src";

const CHROMIUM = "/usr/bin/chromium";
const ROOT = path.resolve(__dirname, "..", "..");
const ARTIFACTS = path.join(ROOT, "test", "artifacts", "dashboard");
const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

const REGISTRAR: Caller = { role: "registrar", sub: "registrar-ui" };
const PM: Caller = { role: "program_manager", sub: "pm-ui" };
const APPROVER: Caller = { role: "approver", sub: "approver-ui" };
const ADMIN: Caller = { role: "admin", sub: "admin-ui" };
const FINANCE: Caller = { role: "finance_officer", sub: "finance-ui" };
const MERCHANT: Caller = { role: "merchant", sub: "shop-ui-till", partnerId: "SHOP-UI" };

/** Households: area, and the MSISDN their wallet is at (the provider refuses two of them). */
const HOUSEHOLDS = [
  { name: "Otieno", area: "KE-047-01", path: ["KE", "KE-047"], msisdn: "254711000001" },
  { name: "Wanjiru", area: "KE-047-01", path: ["KE", "KE-047"], msisdn: "254711000002" },
  { name: "Kamau", area: "KE-047-02", path: ["KE", "KE-047"], msisdn: "254711000003" },
  { name: "Achieng", area: "KE-047-02", path: ["KE", "KE-047"], msisdn: "254711000004" },
  { name: "Mutua", area: "KE-001-01", path: ["KE", "KE-001"], msisdn: "254711000005" },
  { name: "Njeri", area: "KE-001-01", path: ["KE", "KE-001"], msisdn: "254711000006" },
];
const REFUSED = ["254711000002", "254711000005"];
const FINAL = ["COMPLETED", "PARTIALLY_COMPLETED", "FAILED", "AUTHORIZATION_DENIED", "CANCELLED", "REJECTED"];

const chromiumPresent = existsSync(CHROMIUM);
if (!chromiumPresent) {
  console.warn(`dashboard browser test skipped: ${CHROMIUM} is absent (apt-get install -y chromium; CI installs it)`);
}
const describeWithChromium = chromiumPresent ? describe : describe.skip;

jest.setTimeout(360_000);

describeWithChromium(`operations dashboard in headless Chromium (${CHROMIUM})`, () => {
  let stack: Stack;
  let sim: MobileMoneySimulator;
  let browser: Browser;
  let dashboardDir: string;
  let base: string;
  const pageErrors: string[] = [];
  const saved = { GRAPH_URL: process.env.GRAPH_URL };
  const seed = { programId: "", programName: "Household cash transfer", cycle1: "", cycle2: "", batchId: "", households: [] as string[] };

  const request = (query: string, variables: Record<string, unknown>, caller: Caller) => stack.request(query, variables, caller).then(dataOf);

  async function waitRun(runId: string) {
    const q = `query ($id: ID!) { programRun(id: $id) { jobId status error } }`;
    const { jobId } = (await request(q, { id: runId }, PM)).programRun;
    await stack.subgraphs.eligibility!.jobs.waitFor(jobId, 60_000);
    const run = (await request(q, { id: runId }, PM)).programRun;
    expect(run).toMatchObject({ status: "COMPLETED", error: null });
  }

  async function prepareCycle(name: string, start: string, end: string): Promise<string> {
    const { id } = (await request(`mutation ($i: CreateCycleInput!) { createCycle(input: $i) { id } }`, { i: { programId: seed.programId, name, startDate: start, endDate: end } }, PM)).createCycle;
    await waitRun((await request(`mutation ($c: ID!) { checkCycleEligibility(cycleId: $c) { id } }`, { c: id }, PM)).checkCycleEligibility.id);
    await waitRun((await request(`mutation ($c: ID!) { generateEntitlements(cycleId: $c) { id } }`, { c: id }, PM)).generateEntitlements.id);
    await request(`mutation ($c: ID!) { submitCycle(cycleId: $c) { state } }`, { c: id }, PM);
    return id;
  }

  async function waitBatch(id: string, until: string[] = FINAL) {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const b = (await request(`query ($id: ID!) { disbursementBatch(id: $id) { status summary { total completed failed completedAmount } } }`, { id }, FINANCE)).disbursementBatch;
      if (until.includes(b.status)) return b;
      if (Date.now() > deadline) throw new Error(`batch ${id} still ${b.status}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  beforeAll(async () => {
    // Always the dashboard as its sources are now, in a folder of our own (never a stale dist).
    dashboardDir = mkdtempSync(path.join(tmpdir(), "g2p-dashboard-dist-"));
    execFileSync(process.execPath, [path.join(ROOT, "node_modules", "vite", "bin", "vite.js"), "build", "--outDir", dashboardDir, "--emptyOutDir", "--logLevel", "warn"], {
      cwd: path.join(ROOT, "clients", "dashboard"),
      stdio: "inherit",
    });
    sim = await startMobileMoneySimulator({ rejectMsisdns: REFUSED });
    stack = await startStack({ gatewayEnv: { DASHBOARD_DIR: dashboardDir } });
    base = stack.gatewayUrl.replace(/\/graphql$/, "");
    // Eligibility reads the registry through this gateway (its settings are read lazily).
    process.env.GRAPH_URL = stack.gatewayUrl;
    resetEligibilityConfig();
    resetRegistrySource();

    // Registry: six households in three areas.
    for (const hh of HOUSEHOLDS) {
      const r = await request(
        `mutation ($i: CreateRegistrantInput!) { createRegistrant(input: $i) { id } }`,
        { i: { kind: "GROUP", groupName: `${hh.name} household`, adminAreaCode: hh.area, adminAreaPath: hh.path } },
        REGISTRAR,
      );
      seed.households.push(r.createRegistrant.id);
    }
    // Eligibility: a program with two approval stages, two cycles.
    seed.programId = (
      await request(
        `mutation ($i: CreateProgramInput!) { createProgram(input: $i) { id } }`,
        {
          i: {
            name: seed.programName,
            target: "GROUP",
            currency: "KES",
            benefitKind: "CASH",
            criteria: [{ name: "is a household", expression: 'registrant.kind == "GROUP" && has(household.size)' }],
            entitlementFormula: { baseAmount: "500.00", perMemberAmount: "0.00", feeAmount: "2.50", validityDays: 31 },
            approvalStages: [
              { name: "Technical review", role: "approver" },
              { name: "Director", role: "admin" },
            ],
          },
        },
        PM,
      )
    ).createProgram.id;
    seed.cycle1 = await prepareCycle("January", "2026-01-01", "2026-01-31");
    await request(`mutation ($c: ID!) { approveCycle(cycleId: $c) { state } }`, { c: seed.cycle1 }, APPROVER);
    expect((await request(`mutation ($c: ID!) { approveCycle(cycleId: $c) { state } }`, { c: seed.cycle1 }, ADMIN)).approveCycle.state).toBe("APPROVED");
    seed.cycle2 = await prepareCycle("February", "2026-02-01", "2026-02-28");

    // Payments: a provider (the simulator), funds, wallets, and the January batch (two refusals).
    await request(`mutation ($u: String!) { upsertPaymentProvider(input: { code: "mpesa", name: "M-Pesa", kind: WALLET, connector: GSMA, endpointUrl: $u }) { code } }`, { u: sim.url }, FINANCE);
    await request(`mutation ($p: String!) { fundProgram(programCode: $p, currency: "KES", amount: "100000.00", reference: "ui-grant-1") { code } }`, { p: seed.programId }, FINANCE);
    for (const [i, id] of seed.households.entries()) {
      await request(`mutation ($b: String!, $f: String!) { linkFinancialAddress(beneficiaryId: $b, financialAddress: $f) { status } }`, { b: id, f: `mobile:${HOUSEHOLDS[i]!.msisdn}@mpesa` }, FINANCE);
    }
    seed.batchId = (await request(`mutation ($c: ID!) { createDisbursementBatchFromCycle(cycleId: $c) { id } }`, { c: seed.cycle1 }, FINANCE)).createDisbursementBatchFromCycle.id;
    const batch = await waitBatch(seed.batchId);
    expect(batch).toMatchObject({ status: "PARTIALLY_COMPLETED", summary: { total: 6, completed: 4, failed: 2, completedAmount: "2000.00" } });

    // Vouchers: four issued for January, three activated, one redeemed at an approved merchant.
    const merchantId = (await request(`mutation { registerMerchant(input: { code: "SHOP-UI", name: "Duka la Mama", financialAddress: "mobile:254700000099@mpesa" }) { id } }`, {}, ADMIN)).registerMerchant.id;
    await request(`mutation ($id: ID!) { setMerchantStatus(id: $id, status: APPROVED) { status } }`, { id: merchantId }, ADMIN);
    const secrets: string[] = [];
    const serials: string[] = [];
    for (let i = 0; i < 4; i++) {
      const issued = (
        await request(
          `mutation ($i: IssueVoucherInput!) { issueVoucher(input: $i) { secret voucher { serialNumber } } }`,
          { i: { instructionId: `ui-v-${i}`, programId: seed.programId, cycleId: seed.cycle1, registrantId: seed.households[i], value: "40", currency: "KES", presenceRequired: false } },
          ADMIN,
        )
      ).issueVoucher;
      secrets.push(issued.secret);
      serials.push(issued.voucher.serialNumber);
    }
    await request(`mutation ($s: [String!]!) { activateVouchers(serialNumbers: $s) { ok } }`, { s: serials.slice(0, 3) }, ADMIN);
    await request(`mutation ($i: RedeemVoucherInput!) { redeemVoucher(input: $i) { id } }`, { i: { secret: secrets[0] } }, MERCHANT);

    mkdirSync(ARTIFACTS, { recursive: true });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });

  afterAll(async () => {
    await browser?.close();
    if (saved.GRAPH_URL === undefined) delete process.env.GRAPH_URL;
    else process.env.GRAPH_URL = saved.GRAPH_URL;
    resetEligibilityConfig();
    resetRegistrySource();
    await stack?.stop();
    await sim?.stop();
    if (dashboardDir) rmSync(dashboardDir, { recursive: true, force: true });
  });

  /** A fresh browser context (its own sessionStorage), signed in with a token for `caller`. */
  async function signedIn(caller: NonNullable<Caller>): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ viewport: { width: 1360, height: 1000 } });
    const page = await context.newPage();
    page.on("pageerror", (err) => pageErrors.push(`${caller.role}: ${err.message}`));
    page.on("console", (msg) => {
      if (msg.type() === "error") pageErrors.push(`${caller.role} console: ${msg.text()}`);
    });
    await page.goto(`${base}/dashboard/`);
    await page.waitForSelector("textarea#token");
    await page.fill("textarea#token", await tokenFor(caller.role!, { sub: caller.sub, partnerId: caller.partnerId }));
    await page.click("button#sign-in");
    await page.waitForSelector(`#who-roles[data-roles="${caller.role}"]`);
    return { context, page };
  }

  async function pageReady(page: Page, charts: number) {
    await page.waitForSelector('main#app[data-loading="false"]');
    await page.waitForFunction((n) => document.querySelectorAll('.chart[data-chart-ready="true"]').length >= n, charts, { timeout: 15_000 });
  }

  /** How many pixels each chart canvas has drawn (not transparent). */
  const drawnPixels = (page: Page) =>
    page.$$eval(".chart canvas", (canvases) =>
      canvases.map((c) => {
        const canvas = c as HTMLCanvasElement;
        const data = canvas.getContext("2d")!.getImageData(0, 0, canvas.width, canvas.height).data;
        let n = 0;
        for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) n++;
        return n;
      }),
    );

  const kpi = (page: Page, key: string) => page.getAttribute(`[data-kpi="${key}"]`, "data-value");

  it("refuses a token the gateway does not accept, and shows why", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${base}/dashboard/`);
    const good = await tokenFor("admin");
    const [head, body] = good.split(".");
    await page.fill("textarea#token", `${head}.${body}.${"A".repeat(43)}`); // well-formed, wrong signature
    await page.click("button#sign-in");
    await page.waitForSelector('#login-error [data-error-code="UNAUTHENTICATED"]');
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    await context.close();
  });

  it("an admin sees the program overview (figures from the graph, charts drawn), payments, areas and vouchers", async () => {
    const { context, page } = await signedIn(ADMIN!);
    await pageReady(page, 3);
    expect(await page.textContent("h1")).toBe(seed.programName);

    const graph = await request(
      `query ($p: ID!) { registrantStats { total } program(id: $p) { enrollmentCounts { state count } cycles { totals { entitlements totalAmount } } } }`,
      { p: seed.programId },
      ADMIN,
    );
    const enrolled = graph.program.enrollmentCounts.find((c: { state: string }) => c.state === "ENROLLED")?.count;
    expect(await kpi(page, "registrants")).toBe(String(graph.registrantStats.total));
    expect(graph.registrantStats.total).toBe(HOUSEHOLDS.length);
    expect(await kpi(page, "enrolled")).toBe(String(enrolled));
    expect(enrolled).toBe(HOUSEHOLDS.length);
    expect(await kpi(page, "entitlements")).toBe(String(graph.program.cycles.reduce((n: number, c: any) => n + c.totals.entitlements, 0)));
    expect(await kpi(page, "entitled")).toBe("6000.00");
    expect(await kpi(page, "paid")).toBe("2000.00");
    expect(Number(await kpi(page, "failure-rate"))).toBeCloseTo(2 / 6, 5);

    // Three ECharts canvases, each with a real drawing on it.
    const pixels = await drawnPixels(page);
    expect(pixels).toHaveLength(3);
    for (const n of pixels) expect(n).toBeGreaterThan(2_000);

    // The admin approves the Director stage only: February waits for the technical review first.
    expect(await page.locator('[data-op="approve-cycle"]').count()).toBe(0);
    await page.screenshot({ path: path.join(ARTIFACTS, "overview-admin.png"), fullPage: true });

    // Payments by state, drilled down to the failed ones.
    await page.click('#nav a:has-text("Payments")');
    await pageReady(page, 1);
    await page.waitForSelector('#drill-table[data-status="FAILED"]');
    expect(await page.getAttribute("#drill-table", "data-rows")).toBe("2");
    expect(await kpi(page, "failed")).toBe("2");
    await page.screenshot({ path: path.join(ARTIFACTS, "payments.png"), fullPage: true });

    // Areas.
    await page.click('#nav a:has-text("Areas")');
    await pageReady(page, 3);
    expect(await page.locator("#areas tbody tr").count()).toBeGreaterThanOrEqual(3);
    await page.screenshot({ path: path.join(ARTIFACTS, "areas.png"), fullPage: true });

    // Vouchers.
    await page.click('#nav a:has-text("Vouchers")');
    await pageReady(page, 2);
    expect(await kpi(page, "issued")).toBe("4");
    expect(await kpi(page, "redeemed")).toBe("1");
    expect(await kpi(page, "active")).toBe("2");
    for (const n of await drawnPixels(page)) expect(n).toBeGreaterThan(1_000);
    await page.screenshot({ path: path.join(ARTIFACTS, "vouchers.png"), fullPage: true });
    await context.close();
  });

  it("an auditor reads everything but is offered no operation", async () => {
    const { context, page } = await signedIn({ role: "auditor", sub: "auditor-ui" });
    await pageReady(page, 3);
    expect(await page.locator("#cycles tbody tr").count()).toBe(2);
    expect(await page.locator("[data-op]").count()).toBe(0);
    await page.screenshot({ path: path.join(ARTIFACTS, "overview-auditor.png"), fullPage: true });
    await page.goto(`${base}/dashboard/batches/${seed.batchId}`);
    await pageReady(page, 1);
    await page.waitForSelector('[data-payments-status="FAILED"]');
    expect(await page.locator("[data-op]").count()).toBe(0);
    await context.close();
  });

  it("an approver approves a cycle stage; a stage that is not theirs to approve shows the server's code", async () => {
    // The program manager submitted February; the same person may not approve it.
    const self = await signedIn({ role: "approver", sub: "pm-ui" });
    await pageReady(self.page, 3);
    await self.page.click(`[data-op="approve-cycle"][data-cycle="${seed.cycle2}"]`);
    await self.page.waitForSelector('.op-result [data-error-code="FORBIDDEN"]');
    await self.page.screenshot({ path: path.join(ARTIFACTS, "approve-refused.png"), fullPage: true });
    await self.context.close();

    const { context, page } = await signedIn(APPROVER!);
    await pageReady(page, 3);
    // No payment operations for an approver.
    expect(await page.locator('[data-op="start-disbursement"]').count()).toBe(0);
    await page.click(`[data-op="approve-cycle"][data-cycle="${seed.cycle2}"]`);
    await page.waitForFunction(() => document.querySelector('[data-approved-stages="1"]') !== null);
    const cycle = (await request(`query ($c: ID!) { cycle(id: $c) { state approvedStages approvals { actor stageName } } }`, { c: seed.cycle2 }, ADMIN)).cycle;
    expect(cycle).toMatchObject({ state: "TO_APPROVE", approvedStages: 1, approvals: [{ actor: "approver-ui", stageName: "Technical review" }] });
    // The next stage is the Director's (admin): nothing more for the approver.
    expect(await page.locator('[data-op="approve-cycle"]').count()).toBe(0);
    await page.screenshot({ path: path.join(ARTIFACTS, "approve-done.png"), fullPage: true });
    await context.close();
  });

  it("a finance officer retries the failed payments and watches the batch complete", async () => {
    const { context, page } = await signedIn(FINANCE!);
    await pageReady(page, 3);
    await page.click(`a[href="/dashboard/batches/${seed.batchId}"]`);
    await pageReady(page, 1);
    await page.waitForSelector('[data-payments-status="FAILED"]');
    expect(await page.locator('[data-payments-status="FAILED"] tbody tr').count()).toBe(2);
    expect(await page.textContent('[data-payments-status="FAILED"]')).toMatch(/businessRule|refus|reject/i);
    await page.screenshot({ path: path.join(ARTIFACTS, "batch-failed.png"), fullPage: true });

    // The provider accepts the two wallets now. (On SQLite the dispatch holds the database while it
    // pays, so the page sees the batch finished; the polling is shown with the next batch.)
    sim.setFaults({});
    await page.click('[data-op="retry-failed"]');
    await page.waitForSelector('main#app[data-batch-status="COMPLETED"]', { timeout: 60_000 });
    await page.waitForFunction(() => document.querySelector('[data-kpi="failed"]')?.getAttribute("data-value") === "0");
    expect(await kpi(page, "completed")).toBe("6");
    expect(await kpi(page, "completed-amount")).toBe("3000.00");
    expect(await page.locator('[data-op="retry-failed"]').count()).toBe(0);
    const batch = await waitBatch(seed.batchId);
    expect(batch).toMatchObject({ status: "COMPLETED", summary: { total: 6, completed: 6, failed: 0, completedAmount: "3000.00" } });
    await page.screenshot({ path: path.join(ARTIFACTS, "batch-completed.png"), fullPage: true });

    // Live progress: a batch submitted without a funding program waits in RECEIVED; the page polls it,
    // and when someone else starts it (here through the graph), the page follows it to the end by itself.
    const waiting = (
      await request(
        `mutation ($i: CreateDisbursementBatchInput!) { createDisbursementBatch(input: $i) { id status } }`,
        { i: { clientCorrelationId: "ui-top-up-1", currency: "KES", purpose: "top-up", payments: seed.households.slice(0, 3).map((r, i) => ({ instructionId: `top-up-${i}`, registrantId: r, amount: "25.00" })) } },
        FINANCE,
      )
    ).createDisbursementBatch;
    expect(waiting.status).toBe("RECEIVED");
    await page.goto(`${base}/dashboard/batches/${waiting.id}`);
    await page.waitForSelector('main#app[data-batch-status="RECEIVED"] [data-live="true"]', { state: "attached" });
    expect(await page.locator('[data-op="start-batch"]').count()).toBe(1);
    await page.screenshot({ path: path.join(ARTIFACTS, "batch-waiting.png"), fullPage: true });
    await request(`mutation ($id: ID!, $p: String!) { startDisbursementBatch(id: $id, programCode: $p) { status } }`, { id: waiting.id, p: seed.programId }, FINANCE);
    await page.waitForSelector('main#app[data-batch-status="COMPLETED"] [data-live="false"]', { state: "attached", timeout: 60_000 });
    expect(await kpi(page, "completed")).toBe("3");
    expect(await kpi(page, "completed-amount")).toBe("75.00");
    expect(await page.locator('[data-op="start-batch"]').count()).toBe(0);
    await context.close();
  });

  it("raised no error in the page", () => {
    expect(pageErrors).toEqual([]);
  });
});
