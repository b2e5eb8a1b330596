/**
 * `npm run bench -- graph [--smoke] [--page 100] [--seconds 15] [--connections 10] [--samples 40]`
 *
 * Our own graph (testkit stack: five subgraphs and the gateway, in-memory SQLite): one query for a
 * page of registrants spanning all five blocks (registry, identity, eligibility, payments,
 * vouchers), seeded through the graph. Measures
 *   - throughput and p50/p99 through the gateway under load (wrk, every request its own JWT);
 *   - the gateway's overhead at concurrency 1: the same answer fetched through the gateway, and
 *     fetched by calling the subgraphs directly the way the query plan does (the registry page,
 *     then one `_entities` call to each of the four other subgraphs, in parallel).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";
import { dataOf, graphqlRequest } from "@g2p/kit";
import { signDevToken } from "@g2p/kit/auth";
import { startStack, type Stack } from "../src";
import { median, writeLoadFiles, wrk } from "./gateway/load";

type Row = Record<string, string | number>;

const PAGE_QUERY = /* GraphQL */ `
  query Page($first: Int!) {
    registrants(first: $first) {
      totalCount
      nodes {
        id kind givenName familyName
        identity { status token }
        enrollments { state program { name currency } }
        payments { amount currency status }
        vouchers { serialNumber value status }
      }
    }
  }
`;

/** What each block adds to a Registrant, fetched directly as the planner would. */
const ENTITY_FIELDS = {
  identity: "identity { status token }",
  eligibility: "enrollments { state program { name currency } }",
  payments: "payments { amount currency status }",
  vouchers: "vouchers { serialNumber value status }",
} as const;
type Block = keyof typeof ENTITY_FIELDS;

const arg = (args: string[], name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};

async function inBatches<T>(items: T[], size: number, work: (item: T) => Promise<void>) {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(work));
}

/** Seeds `n` people through the graph: registrant, identity, enrollment, voucher; then one payment batch. */
async function seed(stack: Stack, n: number): Promise<void> {
  const programId = dataOf(
    await stack.request(`mutation { createProgram(input: { name: "Bench cash transfer", target: INDIVIDUAL, currency: "KES" }) { id } }`, {}, { role: "program_manager" }),
  ).createProgram.id as string;
  const people: string[] = [];
  await inBatches(
    Array.from({ length: n }, (_, i) => i),
    5,
    async (i) => {
      const id = dataOf(
        await stack.request(`mutation ($i: CreateRegistrantInput!) { createRegistrant(input: $i) { id } }`, { i: { kind: "INDIVIDUAL", givenName: `Bench ${i}`, familyName: "Person" } }, { role: "registrar" }),
      ).createRegistrant.id as string;
      people.push(id);
      dataOf(await stack.request(`mutation ($r: ID) { createIdentity(registrantId: $r) { id } }`, { r: id }, { role: "registrar" }));
      dataOf(await stack.request(`mutation ($p: ID!, $r: ID!) { enroll(programId: $p, registrantId: $r) { id } }`, { p: programId, r: id }, { role: "program_manager" }));
      dataOf(
        await stack.request(
          `mutation ($i: IssueVoucherInput!) { issueVoucher(input: $i) { voucher { id } } }`,
          { i: { instructionId: `bench-v-${i}`, programId, registrantId: id, value: "25", currency: "KES" } },
          { role: "finance_officer" },
        ),
      );
    },
  );
  dataOf(
    await stack.request(
      `mutation ($i: CreateDisbursementBatchInput!) { createDisbursementBatch(input: $i) { id } }`,
      { i: { clientCorrelationId: "bench-cycle-1", currency: "KES", payments: people.map((registrantId) => ({ registrantId, amount: "1500.00" })) } },
      { role: "finance_officer" },
    ),
  );
}

/** The page fetched without the gateway: registry first, then the four entity fetches in parallel. */
async function direct(stack: Stack, first: number, token: string) {
  const caller = { token };
  const page = dataOf(
    await graphqlRequest(stack.subgraphs.registry!.url, `query ($first: Int!) { registrants(first: $first) { totalCount nodes { id kind givenName familyName } } }`, { first }, caller),
  ).registrants as { totalCount: number; nodes: Array<Record<string, unknown> & { id: string }> };
  const representations = page.nodes.map((n) => ({ __typename: "Registrant", id: n.id }));
  const blocks = Object.keys(ENTITY_FIELDS) as Block[];
  const answers = await Promise.all(
    blocks.map(async (block) => {
      const query = `query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on Registrant { ${ENTITY_FIELDS[block]} } } }`;
      return dataOf(await graphqlRequest(stack.subgraphs[block]!.url, query, { representations }, caller))._entities as Array<Record<string, unknown>>;
    }),
  );
  return { totalCount: page.totalCount, nodes: page.nodes.map((n, i) => Object.assign({}, n, ...answers.map((a) => a[i]))) };
}

async function timed<T>(work: () => Promise<T>): Promise<[number, T]> {
  const t = performance.now();
  const value = await work();
  return [performance.now() - t, value];
}

export async function run(args: string[]) {
  const smoke = args.includes("--smoke");
  const page = arg(args, "page", smoke ? 10 : 100);
  const seconds = arg(args, "seconds", smoke ? 4 : 15);
  const connections = arg(args, "connections", smoke ? 2 : 10);
  const samples = arg(args, "samples", smoke ? 5 : 40);
  const dir = mkdtempSync(path.join(tmpdir(), "g2p-bench-graph-"));
  const stack = await startStack({ env: { LOG_LEVEL: "silent" }, gatewayEnv: { LOG_LEVEL: "silent" } });
  try {
    const seedStarted = performance.now();
    await seed(stack, page);
    const seedSeconds = (performance.now() - seedStarted) / 1000;
    const token = await signDevToken({ sub: "bench-admin", roles: ["admin"] });

    // Same answer both ways, or the comparison means nothing.
    const viaGateway = dataOf(await stack.request(PAGE_QUERY, { first: page }, { token })).registrants;
    const viaSubgraphs = await direct(stack, page, token);
    if (JSON.stringify(viaGateway) !== JSON.stringify(viaSubgraphs)) {
      throw new Error(`gateway and direct answers differ:\n${JSON.stringify(viaGateway).slice(0, 400)}\n${JSON.stringify(viaSubgraphs).slice(0, 400)}`);
    }
    if (viaGateway.nodes.length !== page || viaGateway.nodes.some((n: { identity: unknown; enrollments: unknown[]; payments: unknown[]; vouchers: unknown[] }) => !n.identity || !n.enrollments.length || !n.payments.length || !n.vouchers.length)) {
      throw new Error("the seeded page is incomplete");
    }

    // Concurrency 1, interleaved: gateway, direct, gateway, direct...
    const gatewayMs: number[] = [];
    const directMs: number[] = [];
    for (let i = 0; i < samples + 3; i++) {
      const [g] = await timed(() => stack.request(PAGE_QUERY, { first: page }, { token }));
      const [d] = await timed(() => direct(stack, page, token));
      if (i >= 3) {
        // the first rounds warm plans and JIT
        gatewayMs.push(g);
        directMs.push(d);
      }
    }
    const overheads = gatewayMs.map((g, i) => g - directMs[i]!);

    // Throughput through the gateway, every request with its own token.
    const tokens = await Promise.all(Array.from({ length: Math.max(2_000, seconds * 300) }, (_, i) => signDevToken({ sub: `bench-${i}`, roles: ["admin"] })));
    const files = writeLoadFiles(dir, JSON.stringify({ query: PAGE_QUERY, variables: { first: page } }), tokens);
    if (!smoke) await wrk(stack.gatewayUrl, files, { connections, seconds: 3 });
    const load = await wrk(stack.gatewayUrl, files, { connections, seconds });
    const p = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;
    const fmt = (x: number) => Number(x.toFixed(1));
    const rows: Row[] = [
      { measure: "through the gateway, under load", connections, RPS: fmt(load.rps), "p50 ms": fmt(load.p50Ms), "p99 ms": fmt(load.p99Ms), requests: load.requests, errors: load.errors },
      { measure: "through the gateway", connections: 1, RPS: fmt(1000 / median(gatewayMs)), "p50 ms": fmt(median(gatewayMs)), "p99 ms": fmt(p(gatewayMs, 0.99)), requests: gatewayMs.length, errors: 0 },
      { measure: "subgraphs called directly", connections: 1, RPS: fmt(1000 / median(directMs)), "p50 ms": fmt(median(directMs)), "p99 ms": fmt(p(directMs, 0.99)), requests: directMs.length, errors: 0 },
      { measure: "gateway overhead (paired)", connections: 1, RPS: "", "p50 ms": fmt(median(overheads)), "p99 ms": fmt(p(overheads, 0.99)), requests: overheads.length, errors: 0 },
    ];
    return {
      title: `Graph benchmark: a page of ${page} registrants across all five subgraphs${smoke ? " (SMOKE run, numbers meaningless)" : ""}`,
      rows,
      notes: [
        `answer: ${Buffer.byteLength(JSON.stringify(viaGateway))} bytes of data; identical through the gateway and direct: true`,
        `gateway overhead = gateway latency - direct latency, paired per sample; median ${fmt(median(overheads))} ms (${fmt((100 * median(overheads)) / median(directMs))} % of direct)`,
        `seeded ${page} people through the graph in ${seedSeconds.toFixed(1)} s; everything (stack and load generator) on one 2-core host; load average ${loadavg()[0]!.toFixed(2)}`,
      ],
      data: { page, seconds, connections, gatewayMs, directMs, load },
    };
  } finally {
    await stack.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
