/**
 * Bulk issuance after the second performance pass: secret hashes stored as 32 bytes (with the
 * migration that converts existing hex hashes), numbers prepared in the issuing worker, a prepared
 * chunk written at most once, and a failing worker failing the chunk with nothing written.
 * SQLite by default; PostgreSQL with DATABASE_URL.
 */
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createOrm, createTestDatabase, createViewer, startTestSubgraph, type SubgraphContext, type TestSubgraph } from "@g2p/kit";
import { compactDecrypt, createLocalJWKSet, exportJWK, generateKeyPair, jwtVerify } from "jose";
import { subgraph } from "../src";
import { vouchersConfig } from "../src/config";
import { hashSecret, isValidSecret, newSecret } from "../src/domain/numbers";
import { publicJwks, signingKey } from "../src/domain/qr";
import { Merchant, MerchantStatus } from "../src/entities/merchant.entity";
import { VoucherDelivery } from "../src/entities/voucher-batch.entity";
import { Voucher, VoucherStatus } from "../src/entities/voucher.entity";
import { deliver, issueChunk, prepareChunk, type ValidInstruction } from "../src/services/bulk-issue.service";
import { failNextTaskForTest, prepareNumbers } from "../src/services/issue-worker";
import { redeemVoucher } from "../src/services/redemption.service";

const merchantCtx = (code: string) =>
  ({ viewer: createViewer({ sub: `till-${code}`, roles: ["merchant"], partnerId: code }), requestId: randomUUID(), ip: "127.0.0.1" }) as unknown as SubgraphContext;

describe("secret hashes as 32 bytes: the migration", () => {
  it("converts existing hex hashes, keeps them unique, and redemption by secret still finds the voucher", async () => {
    const db = await createTestDatabase();
    const dir = await mkdtemp(path.join(tmpdir(), "g2p-vouchers-migration-"));
    const sqlitePath = path.join(dir, "vouchers.sqlite");
    const dialect = db.databaseUrl ? "postgresql" : "sqlite";
    const all = subgraph.migrations![dialect]!;
    const index = all.findIndex((m) => /Migration2026112808000[23]/.test(m.name));
    expect(index).toBeGreaterThan(0);
    const before = all.slice(0, index);
    const pepper = vouchersConfig().VOUCHER_SECRET_PEPPER;
    const secrets = [newSecret(), newSecret()];
    const code = `SHOP-${randomUUID().slice(0, 8)}`;
    // The schema as it was, with vouchers whose hashes are 64 hex characters.
    const old = await createOrm({ name: "vouchers", entities: subgraph.entities, migrations: { sqlite: before, postgresql: before }, databaseUrl: db.databaseUrl, sqlitePath });
    const ids = secrets.map(() => randomUUID());
    try {
      const em = old.em.fork();
      await em.insert(Merchant, { id: randomUUID(), code, name: code, financialAddress: "mobile:254700000000@mpesa", status: MerchantStatus.APPROVED, failedSecretAttempts: 0, createdAt: new Date() });
      for (const [i, secret] of secrets.entries()) {
        await em.insert(Voucher, {
          id: ids[i]!,
          instructionId: `old-${i}`,
          serialNumber: `1000000000000${i}`,
          secretHash: Buffer.alloc(1, i), // replaced by the hex text below, as the old code stored it
          programId: randomUUID(),
          registrantId: randomUUID(),
          value: "10.00",
          currency: "KES",
          status: VoucherStatus.ACTIVE,
          presenceRequired: false,
          createdAt: new Date(),
          updatedAt: new Date(),
        });
        // Bound as a string: stored as text (SQLite) / varchar (PostgreSQL), not through the new blob mapping.
        await em.getConnection().execute(`update ${db.databaseUrl ? `"vouchers"."voucher"` : `"voucher"`} set "secret_hash" = ? where "id" = ?`, [hashSecret(secret, pepper).toString("hex"), ids[i]]);
      }
      const raw = await em.getConnection().execute<{ h: unknown }[]>(`select "secret_hash" as h from ${db.databaseUrl ? `"vouchers"."voucher"` : `"voucher"`} where "id" = ?`, [ids[0]]);
      expect(raw[0]!.h).toBe(hashSecret(secrets[0]!, pepper).toString("hex"));
    } finally {
      await old.close(true);
    }
    const orm = await createOrm({ name: "vouchers", entities: subgraph.entities, migrations: subgraph.migrations!, databaseUrl: db.databaseUrl, sqlitePath });
    try {
      const em = orm.em.fork();
      const stored = await em.find(Voucher, { id: { $in: ids } }, { orderBy: { instructionId: "asc" } });
      expect(stored.map((v) => v.secretHash.toString("hex"))).toEqual(secrets.map((s) => hashSecret(s, pepper).toString("hex")));
      expect(stored.every((v) => Buffer.isBuffer(v.secretHash) && v.secretHash.length === 32)).toBe(true);
      // Still unique after the conversion.
      await expect(
        em.fork().insert(Voucher, { ...stored[1]!, id: randomUUID(), instructionId: "dup", serialNumber: "10000000000099", secretHash: stored[0]!.secretHash }),
      ).rejects.toThrow(/unique|duplicate/i);
      const redemption = await redeemVoucher(orm.em.fork(), merchantCtx(code), { secret: secrets[0]! });
      expect(redemption.voucherId).toBe(ids[0]);
      expect((await orm.em.fork().findOneOrFail(Voucher, ids[0]!)).status).toBe(VoucherStatus.UTILIZED);
    } finally {
      await orm.close(true);
      await db.drop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("the issuing worker", () => {
  let sg: TestSubgraph;
  const programId = randomUUID();
  let n = 0;
  beforeAll(async () => {
    sg = await startTestSubgraph(subgraph);
  });
  afterAll(() => sg.stop());

  const instructions = (count: number): ValidInstruction[] =>
    Array.from({ length: count }, () => ({
      instructionId: `worker-${n++}`,
      programId,
      cycleId: null,
      registrantId: randomUUID(),
      groupCode: null,
      areaCode: null,
      value: "5.00",
      currency: "KES",
      basket: null,
      expiresAt: new Date(Date.now() + 86_400_000),
      presenceRequired: false,
    }));

  it("draws valid numbers by the block's rules: Luhn secrets, their HMAC, one serial block per chunk, v7 ids, jose-verifiable QR codes", async () => {
    const key = await signingKey(sg.orm.em.fork());
    const pepper = vouchersConfig().VOUCHER_SECRET_PEPPER;
    const exp = Math.floor(Date.now() / 1000) + 3600;
    const got = await prepareNumbers(key, pepper, Array.from({ length: 500 }, () => ({ v: "1.00", c: "KES", exp })));
    expect(got.secrets.every(isValidSecret)).toBe(true);
    expect(new Set(got.secrets).size).toBe(500);
    got.secrets.forEach((s, i) => expect(got.hashes.subarray(32 * i, 32 * i + 32).toString("hex")).toBe(hashSecret(s, pepper).toString("hex")));
    expect(got.serials.every((s) => /^[1-9]\d{13}$/.test(s))).toBe(true);
    expect(new Set(got.serials).size).toBe(500);
    expect(new Set(got.serials.map((s) => s.slice(0, 6))).size).toBe(1);
    expect(got.ids.every((id) => /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(id))).toBe(true);
    // Another chunk, another block (900,000 blocks: equal only by a one-in-900,000 chance).
    const other = await prepareNumbers(key, pepper, [{ v: null, c: null }]);
    expect(other.serials[0]!.slice(0, 6)).not.toBe(got.serials[0]!.slice(0, 6));
    const jwks = createLocalJWKSet((await publicJwks(sg.orm.em.fork())) as never);
    const { payload } = await jwtVerify(got.qrs[7]!, jwks, { issuer: "g2p-graph/vouchers", typ: "g2p-voucher+jwt" });
    expect(payload).toMatchObject({ sn: got.serials[7], vn: got.secrets[7], v: "1.00", c: "KES", exp });
  });

  it("a prepared chunk is written once, its secrets dropped afterwards; the delivery envelope opens with the requester's key", async () => {
    const key = await signingKey(sg.orm.em.fork());
    const given = instructions(30);
    const recipient = await generateKeyPair("ECDH-ES+A256KW", { crv: "P-256" });
    const deliveryKey = (await exportJWK(recipient.publicKey)) as unknown as Record<string, unknown>;
    const prepared = await prepareChunk(key, given);
    const batchId = randomUUID();
    const out = await sg.orm.em.fork().transactional(async (tx) => {
      const issued = await issueChunk(tx, key, given, "tester", prepared);
      await deliver(tx, batchId, 0, deliveryKey, issued);
      return issued;
    });
    expect(out.every((o) => !o.alreadyIssued && isValidSecret(o.secret!))).toBe(true);
    expect(prepared.numbers).toBeNull();
    await expect(sg.orm.em.fork().transactional((tx) => issueChunk(tx, key, given, "tester", prepared))).rejects.toThrow(/at most once/);
    expect(await sg.orm.em.fork().count(Voucher, { instructionId: { $in: given.map((g) => g.instructionId) } })).toBe(30);
    const envelope = await sg.orm.em.fork().findOneOrFail(VoucherDelivery, { batchId, chunk: 0 });
    const { plaintext, protectedHeader } = await compactDecrypt(envelope.jwe, recipient.privateKey);
    expect(protectedHeader).toMatchObject({ alg: "ECDH-ES+A256KW", enc: "A256GCM", cty: "application/json" });
    expect(JSON.parse(new TextDecoder().decode(plaintext))).toEqual(out);

    // One instruction issued before: the envelope lists it as already issued.
    const mixed = [given[0]!, ...instructions(2)];
    const mixedPrepared = await prepareChunk(key, mixed);
    const mixedOut = await sg.orm.em.fork().transactional(async (tx) => {
      const issued = await issueChunk(tx, key, mixed, "tester", mixedPrepared);
      await deliver(tx, batchId, 1, deliveryKey, issued);
      return issued;
    });
    expect(mixedOut.map((o) => o.alreadyIssued)).toEqual([true, false, false]);
    const mixedEnvelope = await sg.orm.em.fork().findOneOrFail(VoucherDelivery, { batchId, chunk: 1 });
    expect(JSON.parse(new TextDecoder().decode((await compactDecrypt(mixedEnvelope.jwe, recipient.privateKey)).plaintext))).toEqual(mixedOut);

    // A failed write drops what was prepared: the retry prepares new secrets.
    const again = instructions(3);
    const failing = await prepareChunk(key, again);
    const secretsBefore = [...failing.numbers!.secrets];
    await expect(
      sg.orm.em.fork().transactional(async (tx) => {
        await issueChunk(tx, key, again, "tester", failing);
        throw new Error("the chunk's transaction fails after the write");
      }),
    ).rejects.toThrow(/fails after the write/);
    expect(failing.numbers).toBeNull();
    const retried = await sg.orm.em.fork().transactional((tx) => issueChunk(tx, key, again, "tester"));
    expect(retried.map((o) => o.secret)).not.toEqual(secretsBefore);
    expect(await sg.orm.em.fork().count(Voucher, { instructionId: { $in: again.map((g) => g.instructionId) } })).toBe(3);
  });

  it.each([
    ["dies", { crash: true } as const, /voucher issuing worker stopped \(exit code 70\); nothing was issued/],
    ["fails", { fail: "simulated fault" }, /voucher issuing worker: simulated fault; nothing was issued/],
  ])("a worker that %s fails the chunk with a clear error and nothing issued; the next chunk gets a working worker", async (_how, how, message) => {
    const key = await signingKey(sg.orm.em.fork());
    const given = instructions(20);
    failNextTaskForTest(how);
    await expect(sg.orm.em.fork().transactional((tx) => issueChunk(tx, key, given, "tester"))).rejects.toThrow(message);
    expect(await sg.orm.em.fork().count(Voucher, { instructionId: { $in: given.map((g) => g.instructionId) } })).toBe(0);
    const out = await sg.orm.em.fork().transactional((tx) => issueChunk(tx, key, given, "tester"));
    expect(out.filter((o) => !o.alreadyIssued)).toHaveLength(20);
  });
});
