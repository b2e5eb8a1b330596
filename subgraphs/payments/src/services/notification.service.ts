/**
 * Beneficiary notifications through a transactional outbox (docs/payments.md, "Notifications").
 *
 * `queueNotifications` writes one row per payment that reached COMPLETED or FAILED, inside the
 * transaction that records that state (so a crash loses or duplicates nothing: both commit or neither).
 * `NotificationWorker` (started by the subgraph's `background` hook) drains due rows to the SMS gateway
 * over HTTP — the same contract as identity's OTP outbox: `POST {messageId, to, text}`, `messageId` =
 * row id, which the gateway de-duplicates on. A row is claimed by a conditional UPDATE
 * (PENDING → SENDING), so several workers (processes) never send one row concurrently; a SENDING row
 * whose lease expired (crash mid-send) is re-queued and re-sent with the same messageId.
 */
import { randomUUID } from "node:crypto";
import type { EntityManager, MikroORM } from "@mikro-orm/core";
import type { Logger } from "pino";
import { mapLimit } from "../connectors/types";
import { NotificationStatus, PaymentNotification } from "../entities/notification.entity";
import { PaymentStatus, type Payment } from "../entities/payment.entity";
import { parseFinancialAddress } from "./mapper.service";
import { insertRows, tableOf } from "./sql";

/** Financial-address types whose id is a mobile-money MSISDN (G2P Connect `mobile:<msisdn>@<provider>`). */
const MSISDN_TYPES = new Set(["mobile", "msisdn"]);
const MSISDN = /^\+?\d{6,15}$/;

/** Amount as the beneficiary reads it: no trailing zeros after the point ("10.50" → "10.50" kept to 2 places). */
function displayAmount(amount: string): string {
  const [int, frac = ""] = amount.split(".");
  const f = frac.replace(/0+$/, "");
  return f ? `${int}.${f.padEnd(2, "0")}` : int!;
}

/** The reference the beneficiary can quote: the provider's transaction reference, else the first 8 characters of our payment id. */
export function notificationReference(p: Pick<Payment, "id" | "providerReference">): string {
  return p.providerReference || p.id.slice(0, 8).toUpperCase();
}

/** The SMS text: amount, currency and reference only (no name, phone or identifier). */
export function notificationText(p: Pick<Payment, "id" | "amount" | "currency" | "providerReference" | "status">): string {
  const money = `${displayAmount(p.amount)} ${p.currency}`;
  return p.status === PaymentStatus.COMPLETED
    ? `G2P payment of ${money} has been sent to your account. Ref ${notificationReference(p)}.`
    : `G2P payment of ${money} could not be completed. Ref ${notificationReference(p)}. Please contact your programme office.`;
}

/** The MSISDN of a payment's financial address, or why it has none. */
export function smsRecipient(financialAddress: string | null | undefined): { to: string } | { skip: string } {
  const fa = financialAddress ? parseFinancialAddress(financialAddress) : null;
  if (!fa) return { skip: "no financial address" };
  if (!MSISDN_TYPES.has(fa.type)) return { skip: `financial address type ${fa.type} is not a mobile-money MSISDN` };
  if (!MSISDN.test(fa.id)) return { skip: "financial address id is not an MSISDN" };
  return { to: fa.id };
}

/**
 * Queues a notification for each payment now COMPLETED or FAILED, in the caller's transaction.
 * Key `<payment>:<status>:<attempts>`: one per outcome of a send attempt (a retried payment that later
 * completes is told again); a repeated key is ignored.
 */
export async function queueNotifications(
  em: EntityManager,
  payments: Pick<Payment, "id" | "batchId" | "status" | "attempts" | "amount" | "currency" | "providerReference" | "financialAddress">[],
): Promise<void> {
  const now = em.getPlatform().processDateProperty(new Date());
  const rows = payments
    .filter((p) => p.status === PaymentStatus.COMPLETED || p.status === PaymentStatus.FAILED)
    .map((p) => {
      const r = smsRecipient(p.financialAddress);
      return [
        randomUUID(),
        `${p.id}:${p.status}:${p.attempts}`,
        p.id,
        p.batchId,
        "SMS",
        "to" in r ? r.to : null,
        notificationText(p),
        "to" in r ? NotificationStatus.PENDING : NotificationStatus.SKIPPED,
        0,
        now,
        "skip" in r ? `skipped: ${r.skip}` : null,
        now,
        now,
      ];
    });
  // One multi-row INSERT … ON CONFLICT (dedupe_key) DO NOTHING per 1,000 rows: a repeated key (a chunk
  // re-run, a duplicate callback) is dropped by the unique index instead of being looked up first.
  await insertRows(em, PaymentNotification, NOTIFICATION_COLUMNS, rows, "dedupe_key");
}

const NOTIFICATION_COLUMNS = ["id", "dedupe_key", "payment_id", "batch_id", "channel", "recipient", "text", "status", "attempts", "next_attempt_at", "last_error", "created_at", "updated_at"];

export interface NotificationCounts {
  pending: number;
  sending: number;
  sent: number;
  failed: number;
  skipped: number;
  total: number;
}

export async function notificationCounts(em: EntityManager, batchId?: string | null): Promise<NotificationCounts> {
  const rows = await em
    .getConnection()
    .execute<{ status: NotificationStatus; n: number | string }[]>(
      `select status, count(*) as n from ${tableOf(em, PaymentNotification)}${batchId ? " where batch_id = ?" : ""} group by status`,
      batchId ? [batchId] : [],
      "all",
      em.getTransactionContext(),
    );
  const n = (s: NotificationStatus) => Number((rows as { status: NotificationStatus; n: number | string }[]).find((r) => r.status === s)?.n ?? 0);
  const out = { pending: n(NotificationStatus.PENDING), sending: n(NotificationStatus.SENDING), sent: n(NotificationStatus.SENT), failed: n(NotificationStatus.FAILED), skipped: n(NotificationStatus.SKIPPED) };
  return { ...out, total: out.pending + out.sending + out.sent + out.failed + out.skipped };
}

export interface NotificationWorkerOptions {
  /** Read at every pass (PAYMENTS_SMS_GATEWAY_URL): without it rows stay PENDING. */
  gatewayUrl: () => string | null;
  intervalMs?: number;
  maxAttempts?: number;
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  timeoutMs?: number;
  leaseMs?: number;
  /** Rows per pass. */
  pageSize?: number;
  concurrency?: number;
  log?: Logger;
}

export function notificationOptionsFromEnv(env: Record<string, string | undefined> = process.env): Omit<NotificationWorkerOptions, "log"> {
  const n = (v: string | undefined, d: number) => (v && /^\d+$/.test(v) ? Number(v) : d);
  return {
    gatewayUrl: () => env.PAYMENTS_SMS_GATEWAY_URL?.trim() || null,
    intervalMs: n(env.PAYMENTS_NOTIFY_INTERVAL_MS, 1000),
    maxAttempts: Math.max(1, n(env.PAYMENTS_NOTIFY_MAX_ATTEMPTS, 5)),
    baseBackoffMs: n(env.PAYMENTS_NOTIFY_BACKOFF_MS, 1000),
    leaseMs: n(env.PAYMENTS_NOTIFY_LEASE_MS, 30_000),
    timeoutMs: n(env.PAYMENTS_NOTIFY_TIMEOUT_MS, 5000),
  };
}

/** Drains the outbox on a timer; `stop()` waits for the pass in progress. */
export class NotificationWorker {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;
  /** Sends attempted, accepted by the gateway, and failed (this process). */
  readonly counts = { attempted: 0, accepted: 0, errors: 0 };

  constructor(
    private readonly orm: Pick<MikroORM, "em">,
    private readonly opts: NotificationWorkerOptions,
  ) {}

  start(): this {
    this.schedule(0);
    return this;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  private schedule(ms: number) {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.running = this.pass()
        .then((full) => this.schedule(full ? 0 : (this.opts.intervalMs ?? 1000)))
        .catch((err: unknown) => {
          if (!this.stopped) this.opts.log?.warn({ err: String(err) }, "notification outbox pass failed");
          this.schedule(this.opts.intervalMs ?? 1000);
        })
        .finally(() => {
          this.running = null;
        });
    }, ms);
    this.timer.unref?.();
  }

  /** One pass: re-queues expired leases, sends up to a page of due rows. True when the page was full. */
  async pass(): Promise<boolean> {
    const url = this.opts.gatewayUrl();
    if (!url || this.stopped) return false;
    const em = this.orm.em.fork();
    const now = new Date();
    const leaseStart = new Date(now.getTime() - (this.opts.leaseMs ?? 30_000));
    await em.nativeUpdate(PaymentNotification, { status: NotificationStatus.SENDING, nextAttemptAt: { $lt: leaseStart } }, { status: NotificationStatus.PENDING });
    const pageSize = this.opts.pageSize ?? 100;
    const due = await em.find(PaymentNotification, { status: NotificationStatus.PENDING, nextAttemptAt: { $lte: now } }, { fields: ["id"], orderBy: { nextAttemptAt: "asc" }, limit: pageSize });
    await mapLimit(due, this.opts.concurrency ?? 8, (row) => this.sendOne(this.orm.em.fork(), row.id, url));
    return due.length === pageSize;
  }

  private async sendOne(em: EntityManager, id: string, url: string): Promise<void> {
    if (this.stopped) return;
    // Claim: only one worker turns PENDING into SENDING; nextAttemptAt becomes the lease start.
    const claimed = await em.nativeUpdate(PaymentNotification, { id, status: NotificationStatus.PENDING }, { status: NotificationStatus.SENDING, nextAttemptAt: new Date() });
    if (claimed !== 1) return;
    const row = await em.findOneOrFail(PaymentNotification, id);
    const attempts = row.attempts + 1;
    this.counts.attempted++;
    try {
      if (!row.recipient) throw new Error("no recipient");
      const res = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", "idempotency-key": row.id },
        body: JSON.stringify({ messageId: row.id, to: row.recipient, text: row.text }),
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 5000),
      });
      await res.arrayBuffer().catch(() => undefined);
      if (!res.ok) throw new Error(`SMS gateway answered ${res.status}`);
      await em.nativeUpdate(PaymentNotification, { id, status: NotificationStatus.SENDING }, { status: NotificationStatus.SENT, attempts, sentAt: new Date(), recipient: null, lastError: null });
      this.counts.accepted++;
    } catch (err) {
      this.counts.errors++;
      const exhausted = attempts >= (this.opts.maxAttempts ?? 5);
      const delay = Math.min((this.opts.baseBackoffMs ?? 1000) * 2 ** (attempts - 1), this.opts.maxBackoffMs ?? 300_000);
      await em.nativeUpdate(
        PaymentNotification,
        { id, status: NotificationStatus.SENDING },
        {
          status: exhausted ? NotificationStatus.FAILED : NotificationStatus.PENDING,
          attempts,
          lastError: (err instanceof Error ? err.message : String(err)).slice(0, 500),
          nextAttemptAt: new Date(Date.now() + delay),
          ...(exhausted ? { recipient: null } : {}),
        },
      );
    }
  }
}
