/**
 * The notification outbox dispatcher. Messages are rows written in the same transaction as what
 * caused them (an OTP); after commit the dispatcher is kicked and sends due rows to the SMS gateway
 * over HTTP, with exponential backoff, a bounded number of attempts and a per-request timeout. A row
 * is claimed by a conditional UPDATE (PENDING -> SENDING), so two dispatchers never send it twice;
 * a row left SENDING by a crash is re-queued after a lease. Delivered rows have their payload wiped.
 */
import type { EntityManager } from "@mikro-orm/core";
import type { Logger } from "pino";
import type { IdCrypto } from "../domain/crypto";
import { OutboxMessage, OutboxStatus } from "../entities/auth.entities";

export interface SmsPayload {
  to: string;
  text: string;
}

export interface OutboxOptions {
  gatewayUrl: () => string | null;
  crypto: IdCrypto;
  now: () => Date;
  maxAttempts?: number;
  baseBackoffMs?: number;
  timeoutMs?: number;
  leaseMs?: number;
  log?: Logger;
}

export class OutboxDispatcher {
  private em: EntityManager | null = null;
  private draining: Promise<void> | null = null;
  private again = false;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(private readonly opts: OutboxOptions) {}

  /** Called after a commit that queued messages: drain soon, and keep retrying on a timer. */
  kick(em: EntityManager): void {
    if (this.stopped) return;
    this.em ??= em;
    if (!this.timer) {
      this.timer = setInterval(() => void this.drain(), 1000);
      this.timer.unref();
    }
    setImmediate(() => void this.drain());
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Sends every due message; concurrent calls coalesce into one more pass. Resolves when idle. */
  drain(): Promise<void> {
    if (this.draining) {
      this.again = true;
      return this.draining;
    }
    this.draining = (async () => {
      try {
        do {
          this.again = false;
          await this.pass();
        } while (this.again && !this.stopped);
      } catch (err) {
        if (!this.stopped) this.opts.log?.warn({ err: String(err) }, "outbox pass failed");
      } finally {
        this.draining = null;
      }
    })();
    return this.draining;
  }

  private async pass(): Promise<void> {
    const url = this.opts.gatewayUrl();
    if (!this.em || !url || this.stopped) return;
    const em = this.em.fork();
    const now = this.opts.now();
    const lease = new Date(now.getTime() - (this.opts.leaseMs ?? 30_000));
    await em.nativeUpdate(OutboxMessage, { status: OutboxStatus.SENDING, nextAttemptAt: { $lt: lease } }, { status: OutboxStatus.PENDING });
    const due = await em.find(OutboxMessage, { status: OutboxStatus.PENDING, nextAttemptAt: { $lte: now } }, { orderBy: { createdAt: "asc" }, limit: 50 });
    await Promise.all(due.map((m) => this.sendOne(em.fork(), m.id, url)));
  }

  private async sendOne(em: EntityManager, id: string, url: string): Promise<void> {
    const claimed = await em.nativeUpdate(OutboxMessage, { id, status: OutboxStatus.PENDING }, { status: OutboxStatus.SENDING, nextAttemptAt: this.opts.now() });
    if (claimed !== 1) return;
    const msg = await em.findOneOrFail(OutboxMessage, id);
    const attempts = msg.attempts + 1;
    try {
      const payload = JSON.parse(this.opts.crypto.open(msg.payloadSealed!)) as SmsPayload;
      const res = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", "idempotency-key": msg.id },
        body: JSON.stringify({ messageId: msg.id, to: payload.to, text: payload.text }),
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 5000),
      });
      if (!res.ok) throw new Error(`SMS gateway answered ${res.status}`);
      await em.nativeUpdate(OutboxMessage, { id }, { status: OutboxStatus.SENT, attempts, sentAt: this.opts.now(), payloadSealed: null, lastError: null });
    } catch (err) {
      const exhausted = attempts >= (this.opts.maxAttempts ?? 5);
      const delay = (this.opts.baseBackoffMs ?? 200) * 2 ** (attempts - 1);
      await em.nativeUpdate(
        OutboxMessage,
        { id },
        {
          status: exhausted ? OutboxStatus.FAILED : OutboxStatus.PENDING,
          attempts,
          lastError: err instanceof Error ? err.message : String(err),
          nextAttemptAt: new Date(this.opts.now().getTime() + delay),
          ...(exhausted ? { payloadSealed: null } : {}),
        },
      );
      if (!exhausted && !this.stopped) setTimeout(() => void this.drain(), delay + 5).unref();
    }
  }
}
