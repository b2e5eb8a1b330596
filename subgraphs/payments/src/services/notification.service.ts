/**
 * Beneficiary notifications through a transactional outbox (docs/payments.md, "Notifications").
 *
 * `queueNotifications` writes one row per channel (SMS; EMAIL when the payment has an address) for each
 * payment that reached COMPLETED or FAILED, texts rendered from the program's templates, inside the
 * transaction that records that state (so a crash loses or duplicates nothing: both commit or neither).
 * `NotificationWorker` (started by the subgraph's `background` hook) drains due rows to the gateway of
 * their channel over HTTP — SMS: identity's OTP outbox contract `POST {messageId, to, text}`; EMAIL:
 * `POST {messageId, to, subject, text}`; `messageId` = row id, which the gateways de-duplicate on. A
 * row is claimed by a conditional UPDATE (PENDING → SENDING), so several workers (processes) never send one row concurrently; a SENDING row
 * whose lease expired (crash mid-send) is re-queued and re-sent with the same messageId.
 */
import { randomUUID } from "node:crypto";
import type { EntityManager, MikroORM } from "@mikro-orm/core";
import type { Logger } from "pino";
import { mapLimit } from "../connectors/types";
import { NotificationChannel, NotificationEvent } from "../entities/notification-template.entity";
import { NotificationStatus, PaymentNotification } from "../entities/notification.entity";
import { PaymentStatus, type Payment } from "../entities/payment.entity";
import { parseFinancialAddress } from "./mapper.service";
import { templateRenderer, type TemplateValues } from "./notification-template.service";
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

/** The values a template may use: amount, currency, reference and program only (no name, phone or identifier). */
export function templateValues(p: Pick<Payment, "id" | "amount" | "currency" | "providerReference">, programCode: string | null | undefined): TemplateValues {
  return { amount: displayAmount(p.amount), currency: p.currency, reference: notificationReference(p), programCode: programCode ?? "" };
}

/** The MSISDN of a payment's financial address, or why it has none. */
export function smsRecipient(financialAddress: string | null | undefined): { to: string } | { skip: string } {
  const fa = financialAddress ? parseFinancialAddress(financialAddress) : null;
  if (!fa) return { skip: "no financial address" };
  if (!MSISDN_TYPES.has(fa.type)) return { skip: `financial address type ${fa.type} is not a mobile-money MSISDN` };
  if (!MSISDN.test(fa.id)) return { skip: "financial address id is not an MSISDN" };
  return { to: fa.id };
}

/** The columns of a payment that notifications read. */
export type NotifiablePayment = Pick<Payment, "id" | "batchId" | "status" | "attempts" | "amount" | "currency" | "providerReference" | "financialAddress" | "language" | "email">;

/**
 * Queues the notifications of each payment now COMPLETED or FAILED, in the caller's transaction: an SMS
 * row always (SKIPPED with the reason when the address is no MSISDN), an EMAIL row when the payment has
 * an e-mail address. Key `<payment>:<status>:<attempts>:<channel>`: one per channel and outcome of a send
 * attempt (a retried payment that later completes is told again); a repeated key is ignored.
 *
 * Texts are rendered here, not at send time: the row then holds exactly what the beneficiary is told
 * (a template edited later changes neither a queued nor a re-sent message, so a resend after a crash
 * carries the same text under the same messageId), and the sender needs no template look-ups. The
 * program's templates are read once per call (one query per dispatch chunk), never per payment.
 */
export async function queueNotifications(em: EntityManager, programCode: string | null | undefined, payments: NotifiablePayment[]): Promise<void> {
  const final = payments.filter((p) => p.status === PaymentStatus.COMPLETED || p.status === PaymentStatus.FAILED);
  if (final.length === 0) return;
  const renderFor = await templateRenderer(em, programCode, final.map((p) => p.language));
  const now = em.getPlatform().processDateProperty(new Date());
  const rows: unknown[][] = [];
  const row = (p: NotifiablePayment, channel: NotificationChannel, recipient: { to: string } | { skip: string }) => {
    const event = p.status === PaymentStatus.COMPLETED ? NotificationEvent.COMPLETED : NotificationEvent.FAILED;
    const message = renderFor(event, channel, p.language, templateValues(p, programCode));
    const to = "to" in recipient ? recipient.to : null;
    rows.push([
      randomUUID(),
      `${p.id}:${p.status}:${p.attempts}:${channel}`,
      p.id,
      p.batchId,
      channel,
      to,
      message.subject,
      message.text,
      to ? NotificationStatus.PENDING : NotificationStatus.SKIPPED,
      0,
      now,
      "skip" in recipient ? `skipped: ${recipient.skip}` : null,
      now,
      now,
    ]);
  };
  for (const p of final) {
    row(p, NotificationChannel.SMS, smsRecipient(p.financialAddress));
    if (p.email) row(p, NotificationChannel.EMAIL, { to: p.email });
  }
  // One multi-row INSERT … ON CONFLICT (dedupe_key) DO NOTHING per 1,000 rows: a repeated key (a chunk
  // re-run, a duplicate callback) is dropped by the unique index instead of being looked up first.
  await insertRows(em, PaymentNotification, NOTIFICATION_COLUMNS, rows, "dedupe_key");
}

const NOTIFICATION_COLUMNS = ["id", "dedupe_key", "payment_id", "batch_id", "channel", "recipient", "subject", "text", "status", "attempts", "next_attempt_at", "last_error", "created_at", "updated_at"];

export interface NotificationCounts {
  pending: number;
  sending: number;
  sent: number;
  failed: number;
  skipped: number;
  total: number;
}

export async function notificationCounts(em: EntityManager, batchId?: string | null, channel?: NotificationChannel | null): Promise<NotificationCounts> {
  const where = [batchId ? "batch_id = ?" : null, channel ? "channel = ?" : null].filter(Boolean);
  const rows = await em
    .getConnection()
    .execute<{ status: NotificationStatus; n: number | string }[]>(
      `select status, count(*) as n from ${tableOf(em, PaymentNotification)}${where.length ? ` where ${where.join(" and ")}` : ""} group by status`,
      [batchId, channel].filter((v): v is string => !!v),
      "all",
      em.getTransactionContext(),
    );
  const n = (s: NotificationStatus) => Number((rows as { status: NotificationStatus; n: number | string }[]).find((r) => r.status === s)?.n ?? 0);
  const out = { pending: n(NotificationStatus.PENDING), sending: n(NotificationStatus.SENDING), sent: n(NotificationStatus.SENT), failed: n(NotificationStatus.FAILED), skipped: n(NotificationStatus.SKIPPED) };
  return { ...out, total: out.pending + out.sending + out.sent + out.failed + out.skipped };
}

/** The gateway URL of each channel; a channel without one keeps its rows PENDING. */
export type GatewayUrls = Record<NotificationChannel, string | null>;

export interface NotificationWorkerOptions {
  /** Read at every pass (PAYMENTS_SMS_GATEWAY_URL, PAYMENTS_EMAIL_GATEWAY_URL). */
  gatewayUrls: () => GatewayUrls;
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

export function gatewayUrlsFromEnv(env: Record<string, string | undefined> = process.env): GatewayUrls {
  return { [NotificationChannel.SMS]: env.PAYMENTS_SMS_GATEWAY_URL?.trim() || null, [NotificationChannel.EMAIL]: env.PAYMENTS_EMAIL_GATEWAY_URL?.trim() || null };
}

/**
 * What each channel's gateway receives; everything else (claim, lease, retries, SENT/FAILED, wiping
 * the recipient) is one code path for all channels. `messageId` (= row id) is the idempotency key.
 */
function gatewayBody(row: PaymentNotification): Record<string, string> {
  const base = { messageId: row.id, to: row.recipient!, text: row.text };
  return row.channel === NotificationChannel.EMAIL ? { ...base, subject: row.subject ?? "" } : base;
}

const GATEWAY_NAME: Record<NotificationChannel, string> = { [NotificationChannel.SMS]: "SMS gateway", [NotificationChannel.EMAIL]: "e-mail gateway" };

export function notificationOptionsFromEnv(env: Record<string, string | undefined> = process.env): Omit<NotificationWorkerOptions, "log"> {
  const n = (v: string | undefined, d: number) => (v && /^\d+$/.test(v) ? Number(v) : d);
  return {
    gatewayUrls: () => gatewayUrlsFromEnv(env),
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
    const urls = this.opts.gatewayUrls();
    const channels = (Object.keys(urls) as NotificationChannel[]).filter((c) => urls[c]);
    if (channels.length === 0 || this.stopped) return false;
    const em = this.orm.em.fork();
    const now = new Date();
    const leaseStart = new Date(now.getTime() - (this.opts.leaseMs ?? 30_000));
    await em.nativeUpdate(PaymentNotification, { status: NotificationStatus.SENDING, nextAttemptAt: { $lt: leaseStart } }, { status: NotificationStatus.PENDING });
    const pageSize = this.opts.pageSize ?? 100;
    const due = await em.find(
      PaymentNotification,
      { status: NotificationStatus.PENDING, nextAttemptAt: { $lte: now }, channel: { $in: channels } },
      { fields: ["id", "channel"], orderBy: { nextAttemptAt: "asc" }, limit: pageSize },
    );
    await mapLimit(due, this.opts.concurrency ?? 8, (row) => this.sendOne(this.orm.em.fork(), row.id, urls[row.channel]!));
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
        body: JSON.stringify(gatewayBody(row)),
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 5000),
      });
      await res.arrayBuffer().catch(() => undefined);
      if (!res.ok) throw new Error(`${GATEWAY_NAME[row.channel] ?? "gateway"} answered ${res.status}`);
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
