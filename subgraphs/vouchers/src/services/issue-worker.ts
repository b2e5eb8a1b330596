/**
 * The issuing worker: draws a chunk's numbers (row ids, serials, secrets), computes the secrets'
 * HMACs and signs the QR codes (the whole JWS, not only the signature) in a `worker_thread`, so the
 * main thread of bulk issuance mostly writes SQL (the chunk's delivery envelope, one JWE per chunk, is
 * sealed there with jose: a hand-made JWE here would have been crypto code of our own for ~2 ms a
 * chunk). One worker by default (`VOUCHER_ISSUE_WORKERS`): on two cores, the main thread writing and
 * one worker preparing the next chunk keep both busy.
 *
 * The worker's source is plain JavaScript in a string (node:crypto only), so it runs the same from
 * the TypeScript sources (tests, benchmark) and from the build. Its rules are those of
 * domain/numbers.ts, domain/ids.ts and domain/qr.ts (tests check its output against them).
 *
 * Serials of one chunk share a random 6-digit block (first digit non-zero) followed by 8 random
 * digits, distinct within the chunk: the chunk's serials land on a few neighbouring pages of the
 * unique index instead of one random page each (docs/vouchers.md, Decisions). Secrets stay 17 random
 * digits + a Luhn digit each.
 *
 * If a worker fails (an exception in a task, or the thread dies), the tasks it held are rejected
 * with an error that says so; the chunk then fails before anything is written, and the next task
 * starts a fresh worker.
 */
import { Worker } from "node:worker_threads";
import type { JsonWebKey } from "node:crypto";
import { vouchersConfig } from "../config";
import type { SigningKey } from "../entities/signing-key.entity";

/** What the QR of one voucher says besides its numbers. */
export interface QrFacts {
  v: string | null;
  c: string | null;
  exp?: number;
}

/** One chunk's numbers, in the order of the facts given. The secrets exist only here and in the QR. */
export interface PreparedNumbers {
  ids: string[];
  serials: string[];
  secrets: string[];
  /** 32 bytes per voucher: HMAC-SHA256(pepper, secret). */
  hashes: Buffer;
  qrs: string[];
}

const WORKER_SOURCE = String.raw`
"use strict";
const { parentPort } = require("node:worker_threads");
const { createHmac, createPrivateKey, randomFillSync, sign } = require("node:crypto");

const pool = Buffer.alloc(65536);
let pos = pool.length;
function randomByte() {
  if (pos >= pool.length) { randomFillSync(pool); pos = 0; }
  return pool[pos++];
}
// Bytes >= 250 are rejected, so every digit is uniform (as domain/numbers.ts).
function digit(min) {
  for (;;) { const b = randomByte(); if (b < 250 && b % 10 >= min) return b % 10; }
}
function digits(n, firstNonZero) {
  let s = firstNonZero ? String(digit(1)) : "";
  while (s.length < n) s += String(digit(0));
  return s;
}
function luhnCheckDigit(body) {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    let d = body.charCodeAt(body.length - 1 - i) - 48;
    if (i % 2 === 0) { d *= 2; if (d > 9) d -= 9; }
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}
const hex = [];
for (let i = 0; i < 256; i++) hex.push((i < 16 ? "0" : "") + i.toString(16));
// UUID version 7 (as domain/ids.ts): 48-bit milliseconds, then 74 random bits.
function uuid7(now) {
  const b = Buffer.allocUnsafe(16);
  b.writeUIntBE(now, 0, 6);
  for (let i = 6; i < 16; i++) b[i] = randomByte();
  b[6] = 0x70 | (b[6] & 0x0f);
  b[8] = 0x80 | (b[8] & 0x3f);
  let s = "";
  for (let i = 0; i < 16; i++) { s += hex[b[i]]; if (i === 3 || i === 5 || i === 7 || i === 9) s += "-"; }
  return s;
}
const signers = new Map();
function signerOf(key) {
  let s = signers.get(key.kid);
  if (!s) {
    s = {
      key: createPrivateKey({ key: key.jwk, format: "jwk" }),
      header: Buffer.from(JSON.stringify({ alg: "ES256", kid: key.kid, typ: "g2p-voucher+jwt" })).toString("base64url"),
    };
    signers.set(key.kid, s);
  }
  return s;
}
function prepare(task) {
  const n = task.facts.length;
  const signer = signerOf(task.key);
  const now = Date.now();
  const iat = Math.floor(now / 1000);
  const ids = new Array(n), serials = new Array(n), secrets = new Array(n), qrs = new Array(n);
  const hashes = Buffer.alloc(32 * n);
  const block = digits(6, true);
  const taken = new Set();
  for (let i = 0; i < n; i++) {
    ids[i] = uuid7(now);
    let suffix;
    do suffix = digits(8, false); while (taken.has(suffix));
    taken.add(suffix);
    const serial = block + suffix;
    const body = digits(17, true);
    const secret = body + luhnCheckDigit(body);
    createHmac("sha256", task.pepper).update(secret).digest().copy(hashes, 32 * i);
    const f = task.facts[i];
    const claims = { sn: serial, vn: secret, v: f.v, c: f.c, iss: "g2p-graph/vouchers", iat };
    if (f.exp) claims.exp = f.exp;
    const input = signer.header + "." + Buffer.from(JSON.stringify(claims)).toString("base64url");
    const signature = sign("sha256", Buffer.from(input), { key: signer.key, dsaEncoding: "ieee-p1363" });
    serials[i] = serial;
    secrets[i] = secret;
    qrs[i] = input + "." + signature.toString("base64url");
  }
  return { ids, serials, secrets, hashes, qrs };
}
// Tests: make the next task die with its worker (crash) or fail inside it (fail).
let sabotage = null;
parentPort.on("message", (task) => {
  if (task.sabotage) { sabotage = task.sabotage; return; }
  const how = sabotage;
  sabotage = null;
  if (how && how.crash) process.exit(70);
  try {
    if (how && how.fail) throw new Error(how.fail);
    const result = prepare(task);
    parentPort.postMessage({ id: task.id, result }, [result.hashes.buffer]);
  } catch (err) {
    parentPort.postMessage({ id: task.id, error: err && err.message ? err.message : String(err) });
  }
});
`;

interface Pending {
  resolve(result: PreparedNumbers): void;
  reject(err: Error): void;
}

class IssueWorker {
  private readonly worker: Worker;
  readonly pending = new Map<number, Pending>();
  dead = false;

  constructor(private readonly onDead: (w: IssueWorker) => void) {
    this.worker = new Worker(WORKER_SOURCE, { eval: true, name: "voucher-issue" });
    this.worker.unref();
    this.worker.on("message", (m: { id: number; result?: PreparedNumbers & { hashes: Uint8Array }; error?: string }) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (this.pending.size === 0) this.worker.unref();
      if (m.error !== undefined) p.reject(new Error(`voucher issuing worker: ${m.error}; nothing was issued for this chunk`));
      else {
        const r = m.result!;
        p.resolve({ ...r, hashes: Buffer.from(r.hashes.buffer, r.hashes.byteOffset, r.hashes.byteLength) });
      }
    });
    this.worker.on("error", (err) => this.die(`failed: ${err.message}`));
    this.worker.on("exit", (code) => this.die(`stopped (exit code ${code})`));
  }

  private die(why: string): void {
    if (this.dead) return;
    this.dead = true;
    this.onDead(this);
    for (const p of this.pending.values()) p.reject(new Error(`voucher issuing worker ${why}; nothing was issued for this chunk`));
    this.pending.clear();
  }

  post(id: number, message: Record<string, unknown>, pending: Pending): void {
    this.pending.set(id, pending);
    this.worker.ref(); // a task in flight keeps the process alive until it answers
    this.worker.postMessage({ id, ...message });
  }

  sabotage(how: object): void {
    this.worker.postMessage({ sabotage: how });
  }

  terminate(): Promise<number> {
    return this.worker.terminate();
  }
}

const workers: IssueWorker[] = [];
let nextTask = 1;


/** The least busy worker, starting one while fewer than VOUCHER_ISSUE_WORKERS run. */
function pick(): IssueWorker {
  const live = workers.filter((w) => !w.dead);
  const idle = live.find((w) => w.pending.size === 0);
  if (idle) return idle;
  if (live.length < vouchersConfig().VOUCHER_ISSUE_WORKERS) {
    const w = new IssueWorker((dead) => workers.splice(workers.indexOf(dead), 1));
    workers.push(w);
    return w;
  }
  return live.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
}

function send(message: Record<string, unknown>): Promise<PreparedNumbers> {
  const id = nextTask++;
  return new Promise((resolve, reject) => pick().post(id, message, { resolve, reject }));
}

/** Numbers, hashes and signed QR codes for `facts.length` vouchers, computed in the worker. */
export function prepareNumbers(key: SigningKey, pepper: string, facts: QrFacts[]): Promise<PreparedNumbers> {
  return send({ key: { kid: key.kid, jwk: key.privateJwk as unknown as JsonWebKey }, pepper, facts });
}

/** Tests: the next task dies with its worker (`crash`) or fails inside it (`fail`: the message). */
export function failNextTaskForTest(how: { crash: true } | { fail: string }): void {
  pick().sabotage(how);
}

/** Stops the workers (they are unreferenced when idle, so this is only needed for a clean exit). */
export async function stopIssueWorkers(): Promise<void> {
  await Promise.all(workers.splice(0).map((w) => w.terminate()));
}
