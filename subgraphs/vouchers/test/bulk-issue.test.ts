import { randomUUID } from "node:crypto";
import { startTestSubgraph, type TestSubgraph } from "@g2p/kit";
import { createLocalJWKSet, jwtVerify } from "jose";
import { subgraph } from "../src";
import { timeOrderedUuid } from "../src/domain/ids";
import { hashSecret, isValidSecret } from "../src/domain/numbers";
import { publicJwks, signingKey } from "../src/domain/qr";
import { vouchersConfig } from "../src/config";
import { VoucherEvent } from "../src/entities/voucher-event.entity";
import { Voucher, VoucherStatus } from "../src/entities/voucher.entity";
import { issueChunk, type ValidInstruction } from "../src/services/bulk-issue.service";
import { insertRows, ROWS_PER_STATEMENT } from "../src/services/bulk-insert";
import { UniqueConstraintViolationException } from "@mikro-orm/core";

describe("time-ordered ids", () => {
  it("are RFC 9562 version 7 UUIDs, unique, ordered by their millisecond", () => {
    const ids = Array.from({ length: 5000 }, (_, i) => timeOrderedUuid(1_700_000_000_000 + Math.floor(i / 10)));
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    // Ids of later milliseconds sort after earlier ones (what keeps index inserts at the end).
    for (let i = 10; i < ids.length; i += 10) expect(ids[i - 1]! < ids[i]!).toBe(true);
    expect(timeOrderedUuid(0x0123456789ab).startsWith("01234567-89ab-7")).toBe(true);
  });
});

describe("bulk issuing step", () => {
  let sg: TestSubgraph;
  const programId = randomUUID();
  beforeAll(async () => {
    sg = await startTestSubgraph(subgraph);
  });
  afterAll(() => sg.stop());

  const instruction = (i: number, extra: Partial<ValidInstruction> = {}): ValidInstruction => ({
    instructionId: `bulk-${i}`,
    programId,
    cycleId: i % 2 ? randomUUID() : null,
    registrantId: randomUUID(),
    groupCode: i % 3 ? null : "FOOD",
    areaCode: `KE-${i % 47}`,
    value: i % 5 ? "12.50" : null,
    currency: i % 5 ? "KES" : null,
    basket: i % 5 ? null : [{ item: "maize", quantity: 2.5, unit: "kg" }],
    expiresAt: i % 4 ? new Date(Date.now() + 86_400_000 + i * 1000) : null,
    presenceRequired: i % 2 === 0,
    ...extra,
  });

  it("writes rows the ORM reads back exactly as given, with a history line each and a jose-verifiable QR", async () => {
    // More rows than one statement holds, and not a multiple of it: full statements and a remainder.
    const count = ROWS_PER_STATEMENT * 2 + 37;
    const instructions = Array.from({ length: count }, (_, i) => instruction(i));
    const key = await signingKey(sg.orm.em.fork());
    const out = await sg.orm.em.fork().transactional((tx) => issueChunk(tx, key, instructions, "tester"));
    expect(out).toHaveLength(count);
    expect(out.every((o) => !o.alreadyIssued && isValidSecret(o.secret!))).toBe(true);

    const em = sg.orm.em.fork();
    const stored = await em.find(Voucher, { programId }, { orderBy: { instructionId: "asc" } });
    expect(stored).toHaveLength(count);
    const byInstruction = new Map(stored.map((v) => [v.instructionId, v]));
    const pepper = vouchersConfig().VOUCHER_SECRET_PEPPER;
    for (const [i, given] of instructions.entries()) {
      const v = byInstruction.get(given.instructionId)!;
      expect({
        programId: v.programId,
        cycleId: v.cycleId,
        registrantId: v.registrantId,
        groupCode: v.groupCode,
        areaCode: v.areaCode,
        value: v.value,
        currency: v.currency,
        basket: v.basket,
        expiresAt: v.expiresAt?.getTime() ?? null,
        presenceRequired: v.presenceRequired,
        status: v.status,
        activatedAt: v.activatedAt,
      }).toEqual({
        programId: given.programId,
        cycleId: given.cycleId,
        registrantId: given.registrantId,
        groupCode: given.groupCode,
        areaCode: given.areaCode,
        value: given.value,
        currency: given.currency,
        basket: given.basket,
        expiresAt: given.expiresAt?.getTime() ?? null,
        presenceRequired: given.presenceRequired,
        status: VoucherStatus.INACTIVE,
        activatedAt: null,
      });
      // Only the keyed hash of the secret is stored.
      expect(v.serialNumber).toBe(out[i]!.serialNumber);
      expect(Buffer.isBuffer(v.secretHash) && v.secretHash.length).toBe(32);
      expect(v.secretHash.toString("hex")).toBe(hashSecret(out[i]!.secret!, pepper).toString("hex"));
      expect(v.createdAt).toBeInstanceOf(Date);
      expect(v.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7/);
    }
    const events = await em.find(VoucherEvent, { voucherId: { $in: stored.map((v) => v.id) } });
    expect(events).toHaveLength(count);
    expect(events.every((e) => e.action === "issue" && e.fromStatus === null && e.toStatus === VoucherStatus.INACTIVE && e.actor === "tester")).toBe(true);

    const jwks = createLocalJWKSet((await publicJwks(em)) as never);
    const { payload } = await jwtVerify(out[5]!.qr!, jwks, { issuer: "g2p-graph/vouchers", typ: "g2p-voucher+jwt" });
    expect(payload).toMatchObject({ sn: out[5]!.serialNumber, vn: out[5]!.secret, v: instructions[5]!.value, c: instructions[5]!.currency });

    // Idempotent by instruction id: a re-run issues nothing and reveals no secret.
    const again = await sg.orm.em.fork().transactional((tx) => issueChunk(tx, key, instructions.slice(0, 3), "tester"));
    expect(again.map((o) => [o.alreadyIssued, o.secret])).toEqual([[true, null], [true, null], [true, null]]);
    expect(await sg.orm.em.fork().count(Voucher, { programId })).toBe(count);
  });

  it("reports a duplicate as the ORM's unique-violation error, and refuses to run outside a transaction", async () => {
    const em = sg.orm.em.fork();
    const [existing] = await em.find(Voucher, { programId }, { limit: 1 });
    const row = { ...existing!, id: timeOrderedUuid(), instructionId: `dup-${randomUUID()}` };
    await expect(
      em.fork().transactional(async (tx) => {
        await insertRows(tx, Voucher.name, ["id", "instructionId", "serialNumber", "secretHash", "programId", "registrantId", "status", "presenceRequired", "createdAt", "updatedAt"], [row as never]);
      }),
    ).rejects.toBeInstanceOf(UniqueConstraintViolationException);
    await expect(insertRows(em, Voucher.name, ["id"], [{ id: timeOrderedUuid() }])).rejects.toThrow(/inside a transaction/);
  });
});
