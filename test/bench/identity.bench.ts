/**
 * `npm run bench -- identity [auth|seeding|all] [--seconds N] [--concurrency N] [--otps N] [--instances N] [--records N] [--profile DIR]`
 *
 * The targets are the defaults: >= 1,000 demographic or OTP authentications/s (`auth`; add
 * `--instances 2` for one subgraph process per core) and 100,000 registrants seeded in <= 60 s
 * (`seeding`, `--records` to shrink).
 *
 * auth:    the identity subgraph as its own process (SQLite file by default, PostgreSQL with
 *          DATABASE_URL), driven over HTTP with keep-alive by this process: demographic
 *          authentications for N seconds, then OTP authentications (codes requested first and read
 *          from the simulated SMS gateway), then OTP requests. Every request carries a partner JWT,
 *          API key and licence key, and is fully checked and recorded (auth_transaction).
 * seeding: token seeding of 100,000 registrants (ids + demographics verified, tokens stored), through
 *          `seedTokens` in calls of 5,000, in-process, until every job is COMPLETED.
 */
import { randomUUID, randomBytes } from "node:crypto";
import http from "node:http";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createTestDatabase, dataOf, graphqlRequest, startSubgraph, tokenFor } from "@g2p/kit";
import { createIdentitySubgraph, Identity, ids } from "@g2p/identity";
import { spawnServer } from "../src/processes";
import { startSmsGateway } from "../simulators/sms-gateway";

type Row = Record<string, string | number>;

/** CPU seconds (user + system) a process has used so far, from /proc (Linux; ticks of 1/100 s). */
function cpuSeconds(pid: number | undefined): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}
const arg = (args: string[], name: string, d: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : d;
};

/** Fires `total` requests (or for `seconds`) at `concurrency`, keep-alive; returns rate and latency percentiles. */
async function load(urls: string | string[], token: string, body: (i: number) => string, opts: { concurrency: number; total?: number; seconds?: number; onResponse?: (i: number, text: string) => void }) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: opts.concurrency });
  const us = (Array.isArray(urls) ? urls : [urls]).map((x) => new URL(x));
  const lat: number[] = [];
  let ok = 0;
  let failed = 0;
  let next = 0;
  const firstError: string[] = [];
  const deadline = opts.seconds ? Date.now() + opts.seconds * 1000 : Infinity;
  const one = (i: number) =>
    new Promise<void>((resolve) => {
      const payload = body(i);
      const u = us[i % us.length]!;
      const t0 = process.hrtime.bigint();
      const req = http.request(
        { host: u.hostname, port: u.port, path: u.pathname, method: "POST", agent, headers: { "content-type": "application/json", authorization: `Bearer ${token}`, "content-length": Buffer.byteLength(payload) } },
        (res) => {
          let text = "";
          res.on("data", (c) => (text += c));
          res.on("end", () => {
            lat.push(Number(process.hrtime.bigint() - t0) / 1e6);
            opts.onResponse?.(i, text);
            if (res.statusCode === 200 && !text.includes('"errors"')) ok++;
            else {
              failed++;
              if (firstError.length < 1) firstError.push(text.length > 600 ? `${text.slice(0, 200)} … ${text.slice(-400)}` : text);
            }
            resolve();
          });
        },
      );
      req.on("error", (e) => {
        failed++;
        if (firstError.length < 1) firstError.push(String(e));
        resolve();
      });
      req.end(payload);
    });
  const started = Date.now();
  await Promise.all(
    Array.from({ length: opts.concurrency }, async () => {
      for (;;) {
        const i = next++;
        if ((opts.total != null && i >= opts.total) || Date.now() > deadline) return;
        await one(i);
      }
    }),
  );
  const elapsed = (Date.now() - started) / 1000;
  agent.destroy();
  lat.sort((a, b) => a - b);
  const pct = (p: number) => (lat.length ? lat[Math.min(lat.length - 1, Math.floor(p * lat.length))]! : 0);
  return { ok, failed, elapsed, rps: ok / elapsed, p50: pct(0.5), p99: pct(0.99), firstError: firstError[0] };
}

async function authBench(args: string[]): Promise<{ rows: Row[]; notes: string[] }> {
  const seconds = arg(args, "seconds", 10);
  const concurrency = arg(args, "concurrency", 32);
  const otpCount = arg(args, "otps", 3000);
  const sms = await startSmsGateway();
  const db = await createTestDatabase();
  const instances = arg(args, "instances", 1);
  const dataDir = await mkdtemp(path.join(tmpdir(), "g2p-identity-bench-"));
  const env = {
    PORT: "0",
    LOG_LEVEL: "info",
    DATA_DIR: dataDir,
    DATABASE_URL: db.databaseUrl ?? "",
    REDIS_URL: "",
    IDENTITY_SMS_GATEWAY_URL: sms.url,
    IDENTITY_OTP_FLOOD_LIMIT: "1000",
    IDENTITY_REQUEST_TIME_WINDOW_SECONDS: "120",
  };
  // Instances share one database (started one after the other, so only the first migrates).
  // --profile DIR: a CPU profile of each server process for each timed phase (demographic, otp), in DIR.
  const profileIdx = args.indexOf("--profile");
  const profileDir = profileIdx >= 0 ? path.resolve(args[profileIdx + 1]!) : null;
  const servers: Awaited<ReturnType<typeof spawnServer>>[] = [];
  try {
    for (let n = 0; n < instances; n++) {
      servers.push(profileDir ? await spawnServer(path.join("test", "bench", "identity.bench.ts"), ["--serve-profiled", profileDir], env) : await spawnServer(path.join("subgraphs", "identity", "src", "main.ts"), [], env));
    }
    const url = servers[0]!.url;
    const urls = servers.map((s) => s.url);
    const admin = { role: "admin" as const, sub: "bench-admin" };
    const policy = dataOf(
      await graphqlRequest(url, `mutation ($i: CreateAuthPolicyInput!) { createAuthPolicy(input: $i) { id } }`, { i: { name: "bench", authTokenType: "PARTNER", allowedAuthTypes: [{ authType: "DEMO" }, { authType: "OTP" }], allowedKycAttributes: ["fullName"] } }, admin),
    ).createAuthPolicy.id;
    const creds = dataOf(await graphqlRequest(url, `mutation ($i: CreateAuthPartnerInput!) { createAuthPartner(input: $i) { apiKey licenseKey } }`, { i: { id: "bench-bank", name: "Bench bank", policyId: policy } }, admin)).createAuthPartner;
    const people: { uin: string; phone: string; dob: string }[] = [];
    const population = Math.max(otpCount, 500);
    const created = Date.now();
    const token = await tokenFor("registrar", { sub: "bench-registrar" });
    const create = await load(
      url,
      token,
      (i) => {
        const phone = `+2557${String(10_000_000 + i).slice(-8)}`;
        people[i] = { uin: "", phone, dob: `19${50 + (i % 49)}-0${1 + (i % 9)}-1${i % 10}` };
        return JSON.stringify({ query: `mutation ($d: IdentityDemographicsInput) { createIdentity(demographics: $d) { uin } }`, variables: { d: { names: [{ language: "eng", value: `Person ${i}` }], dateOfBirth: people[i]!.dob, phone } } });
      },
      { concurrency: 8, total: population, onResponse: (i, text) => (people[i]!.uin = JSON.parse(text).data?.createIdentity?.uin ?? "") },
    );
    if (people.some((p) => !/^\d{10}$/.test(p.uin))) throw new Error(`setup failed: ${create.firstError}`);
    const setupSeconds = (Date.now() - created) / 1000;

    const partner = await tokenFor("partner", { sub: "bench-bank-svc", partnerId: "bench-bank" });
    const authQuery = `mutation ($i: IdAuthInput!) { authenticate(input: $i) { authStatus authToken } }`;
    const demoBody = (i: number) => {
      const p = people[i % people.length]!;
      return JSON.stringify({ query: authQuery, variables: { i: { individualId: p.uin, transactionId: `d${i}`, requestTime: new Date().toISOString(), consentObtained: true, credentials: creds, demographics: { dateOfBirth: p.dob } } } });
    };
    await load(urls, partner, demoBody, { concurrency, total: 2000 }); // warm-up
    const cpu = () => servers.reduce((a, s) => a + cpuSeconds(s.child.pid), 0);
    const profilePhase = () => profileDir && servers.forEach((s) => s.child.kill("SIGUSR2"));
    profilePhase();
    let c0 = cpu();
    const demo = await load(urls, partner, demoBody, { concurrency, seconds });
    const demoCpu = ((cpu() - c0) * 1000) / Math.max(1, demo.ok + demo.failed);
    profilePhase();

    const otpReq = await load(
      url,
      partner,
      (i) => JSON.stringify({ query: `mutation ($i: OtpRequestInput!) { requestOtp(input: $i) { maskedMobile } }`, variables: { i: { individualId: people[i]!.uin, transactionId: `o${i}`, requestTime: new Date().toISOString(), channels: ["PHONE"], credentials: creds } } }),
      { concurrency, total: otpCount },
    );
    if (otpReq.failed) throw new Error(`${otpReq.failed} OTP requests failed; first: ${otpReq.firstError}`);
    const codes: string[] = [];
    for (let i = 0; i < otpCount; i++) codes[i] = await sms.otpFor(people[i]!.phone, 0, 60_000);
    profilePhase();
    c0 = cpu();
    const otp = await load(
      urls,
      partner,
      (i) => JSON.stringify({ query: authQuery, variables: { i: { individualId: people[i]!.uin, transactionId: `o${i}`, requestTime: new Date().toISOString(), consentObtained: true, credentials: creds, otp: codes[i] } } }),
      { concurrency, total: otpCount },
    );
    const otpCpu = ((cpu() - c0) * 1000) / Math.max(1, otp.ok + otp.failed);
    profilePhase();
    if (profileDir) await new Promise((r) => setTimeout(r, 2000)); // let the servers write their profiles
    const rows: Row[] = [
      { scenario: "demographic auth (timed)", requests: demo.ok, failed: demo.failed, "req/s": Math.round(demo.rps), "p50 ms": demo.p50.toFixed(1), "p99 ms": demo.p99.toFixed(1), "server CPU ms/req": demoCpu.toFixed(2), "req/s per core": Math.round(1000 / demoCpu) },
      { scenario: "OTP auth (each code once)", requests: otp.ok, failed: otp.failed, "req/s": Math.round(otp.rps), "p50 ms": otp.p50.toFixed(1), "p99 ms": otp.p99.toFixed(1), "server CPU ms/req": otpCpu.toFixed(2), "req/s per core": Math.round(1000 / otpCpu) },
      { scenario: "OTP request (outbox + SMS)", requests: otpReq.ok, failed: otpReq.failed, "req/s": Math.round(otpReq.rps), "p50 ms": otpReq.p50.toFixed(1), "p99 ms": otpReq.p99.toFixed(1) },
      { scenario: "createIdentity (setup)", requests: create.ok, failed: create.failed, "req/s": Math.round(create.rps), "p50 ms": create.p50.toFixed(1), "p99 ms": create.p99.toFixed(1) },
    ];
    const notes = [
      `${instances} identity subgraph process(es) on ${db.databaseUrl ? "PostgreSQL" : "a SQLite file (WAL)"}; load generator in this process; ${concurrency} concurrent keep-alive connections; both share the machine's cores`,
      `setup: ${population} identities in ${setupSeconds.toFixed(1)} s`,
      ...[demo, otp, otpReq].filter((r) => r.firstError).map((r) => `first error: ${r.firstError}`),
    ];
    notes.push(`CPU load average during the run: ${(await import("node:os")).loadavg().map((l) => l.toFixed(1)).join(" / ")} (1/5/15 min) on ${(await import("node:os")).cpus().length} cores`);
    return { rows, notes };
  } finally {
    for (const s of servers) await s.kill(profileDir ? "SIGTERM" : "SIGKILL");
    await sms.stop();
    await db.drop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

async function seedingBench(args: string[]): Promise<{ rows: Row[]; notes: string[] }> {
  const total = arg(args, "records", 100_000);
  const db = await createTestDatabase();
  const def = createIdentitySubgraph();
  const seedDir = await mkdtemp(path.join(tmpdir(), "g2p-identity-seed-"));
  const running = await startSubgraph(def, {
    env: { ...process.env, PORT: "0", LOG_LEVEL: "silent", DATA_DIR: seedDir, DATABASE_URL: db.databaseUrl ?? "", JOBS_QUEUE_PREFIX: `bench-${randomBytes(4).toString("hex")}` },
  });
  try {
    const rt = def.runtime();
    // Population: inserted directly (this measures seeding, not enrollment).
    const t0 = Date.now();
    const records: { registrantId: string; individualId: string; demographics: Record<string, unknown> }[] = [];
    const em = running.orm.em.fork();
    const uins = new Set<string>();
    for (let start = 0; start < total; start += 5000) {
      const rows = [];
      for (let i = start; i < Math.min(total, start + 5000); i++) {
        let uin = ids.generateUin();
        while (uins.has(uin)) uin = ids.generateUin();
        uins.add(uin);
        const demo = { names: [{ language: "eng", value: `Seed Person ${i}` }], dateOfBirth: `19${50 + (i % 49)}-0${1 + (i % 9)}-1${i % 10}`, gender: i % 2 ? "F" : "M" };
        rows.push({ id: randomUUID(), status: "ACTIVATED", uinHash: rt.crypto.hash("UIN", uin), uinSealed: rt.crypto.seal(uin), personToken: rt.crypto.personToken(uin), demographicsSealed: rt.crypto.seal(JSON.stringify(demo)), hasAuthLocks: false, createdAt: new Date(), updatedAt: new Date() });
        // 1 in 50 records carries a wrong birth date: seeding must fail it with IDA-DEA-001.
        records.push({ registrantId: randomUUID(), individualId: uin, demographics: { names: [demo.names[0]], dateOfBirth: i % 50 === 0 ? "1900-01-01" : demo.dateOfBirth } });
      }
      await em.insertMany(Identity, rows as never[]);
    }
    const populate = (Date.now() - t0) / 1000;

    const registrar = { role: "registrar" as const, sub: "bench-registrar" };
    const started = Date.now();
    const cpu0 = process.cpuUsage();
    const jobs: string[] = [];
    for (let start = 0; start < total; start += 5000) {
      const r = await graphqlRequest(running.url, `mutation ($i: SeedTokensInput!) { seedTokens(input: $i) { id } }`, { i: { records: records.slice(start, start + 5000) } }, registrar);
      jobs.push(dataOf(r).seedTokens.id);
    }
    const submitted = (Date.now() - started) / 1000;
    for (const id of jobs) {
      const job = await running.jobs.waitFor(id, 600_000);
      if (job.status !== "COMPLETED") throw new Error(`job ${id} ${job.status}: ${job.error}`);
    }
    const elapsed = (Date.now() - started) / 1000;
    const cpuUsed = process.cpuUsage(cpu0);
    const cpuSeeding = (cpuUsed.user + cpuUsed.system) / 1e6;
    const conn = running.orm.em.fork().getConnection();
    const table = db.databaseUrl ? `"identity"."registrant_identity"` : "registrant_identity";
    const counts = await conn.execute(`select status, count(*) as n from ${table} group by status order by status`);
    return {
      rows: [{ scenario: `token seeding ${total.toLocaleString("en")} registrants`, "seconds": elapsed.toFixed(1), "records/s": Math.round(total / elapsed), "submit s": submitted.toFixed(1), result: counts.map((c: any) => `${c.status} ${c.n}`).join(", ") }],
      notes: [
        `${db.databaseUrl ? "PostgreSQL" : "SQLite file (WAL)"}; jobs ${running.jobs.kind}; ${jobs.length} seedTokens calls of ≤5,000 through GraphQL; population inserted directly in ${populate.toFixed(1)} s`,
        `CPU of this process (subgraph + jobs + client) during seeding: ${cpuSeeding.toFixed(1)} s; load average ${(await import("node:os")).loadavg().map((l) => l.toFixed(1)).join(" / ")} (1/5/15 min)`,
      ],
    };
  } finally {
    await running.stop();
    await db.drop();
    await rm(seedDir, { recursive: true, force: true });
  }
}

// `node -r scripts/ts-register.js test/bench/identity.bench.ts --serve-profiled DIR`: the identity subgraph
// with the V8 profiler driven by SIGUSR2 (NODE_OPTIONS may not carry --cpu-prof): one profile per timed
// phase, written to DIR as identity-<phase>-<pid>.cpuprofile.
if (require.main === module && process.argv[2] === "--serve-profiled") {
  const dir = process.argv[3]!;
  void (async () => {
    const inspector = await import("node:inspector");
    const fs = await import("node:fs");
    const session = new inspector.Session();
    session.connect();
    const post = (method: string, params?: object) => new Promise<any>((ok, ko) => session.post(method, params ?? {}, (e: Error | null, r: unknown) => (e ? ko(e) : ok(r))));
    await post("Profiler.enable");
    // One profile per measured phase: the bench sends SIGUSR2 when a phase starts and again when it
    // ends (setup and warm-up stay out of the profile).
    const phases = ["demographic", "otp"];
    let recording = false;
    process.on("SIGUSR2", () => {
      if (!recording) {
        recording = true;
        void post("Profiler.start");
        return;
      }
      recording = false;
      const phase = phases.shift() ?? "extra";
      void post("Profiler.stop").then(({ profile }) => {
        fs.mkdirSync(dir, { recursive: true });
        fs.writeFileSync(path.join(dir, `identity-${phase}-${process.pid}.cpuprofile`), JSON.stringify(profile));
      });
    });
    const { runSubgraphMain } = await import("@g2p/kit");
    const { subgraph } = await import("@g2p/identity");
    void runSubgraphMain(subgraph);
  })();
}

export async function run(args: string[]) {
  const what = args.find((a) => !a.startsWith("--") && !/^\d+$/.test(a)) ?? "all";
  const rows: Row[] = [];
  const notes: string[] = [];
  if (what === "auth" || what === "all") {
    const r = await authBench(args);
    rows.push(...r.rows);
    notes.push(...r.notes);
  }
  if (what === "seeding" || what === "all") {
    const r = await seedingBench(args);
    rows.push(...r.rows);
    notes.push(...r.notes);
  }
  notes.push("targets (issue 4): ≥ 1,000 demographic or OTP authentications/s; 100,000 registrants seeded in ≤ 60 s");
  return { title: `Identity: authentication throughput and token seeding (${what})`, rows, notes };
}
