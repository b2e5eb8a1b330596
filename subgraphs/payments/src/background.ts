/**
 * The payments subgraph's background work (kit `background` hook: started once the server is up,
 * stopped before the database closes):
 * - the beneficiary notification outbox sender (services/notification.service.ts);
 * - the status poller: every PAYMENTS_STATUS_POLL_INTERVAL_MS (default 60 s; 0 = off) it enqueues a
 *   `reconcile` pipeline phase (status queries) for batches left RECONCILING, i.e. the fallback for
 *   provider callbacks that never arrive. Through the job queue, so with BullMQ any worker runs it, and
 *   the phase locks the batch row, so several processes polling at once do no harm.
 */
import type { SubgraphServices } from "@g2p/kit";
import { BatchStatus, DisbursementBatch } from "./entities/disbursement-batch.entity";
import { reconcileUnknown } from "./services/batch.service";
import { NotificationWorker, notificationOptionsFromEnv } from "./services/notification.service";

export function statusPollIntervalMs(env: Record<string, string | undefined> = process.env): number {
  const v = env.PAYMENTS_STATUS_POLL_INTERVAL_MS;
  return v && /^\d+$/.test(v) ? Number(v) : 60_000;
}

export function startStatusPoller(services: Pick<SubgraphServices, "orm" | "jobs" | "log">, intervalMs: number): () => Promise<void> {
  if (intervalMs <= 0) return async () => {};
  let stopped = false;
  let running: Promise<void> | null = null;
  const tick = async () => {
    const em = services.orm.em.fork();
    const batches = await em.find(DisbursementBatch, { status: BatchStatus.RECONCILING }, { fields: ["id"], limit: 100, orderBy: { updatedAt: "asc" } });
    for (const b of batches) {
      if (stopped) return;
      // One job per batch and interval slot: several processes polling in the same slot enqueue it once.
      await reconcileUnknown(services.jobs, b as DisbursementBatch, Math.floor(Date.now() / intervalMs));
    }
  };
  const timer = setInterval(() => {
    if (running) return;
    running = tick()
      .catch((err: unknown) => services.log.warn({ err: String(err) }, "status poller failed"))
      .finally(() => {
        running = null;
      });
  }, intervalMs);
  timer.unref?.();
  return async () => {
    stopped = true;
    clearInterval(timer);
    await running;
  };
}

export function paymentsBackground(services: SubgraphServices): () => Promise<void> {
  const notifier = new NotificationWorker(services.orm, { ...notificationOptionsFromEnv(), log: services.log }).start();
  const stopPoller = startStatusPoller(services, statusPollIntervalMs());
  if (!process.env.PAYMENTS_SMS_GATEWAY_URL) services.log.info("PAYMENTS_SMS_GATEWAY_URL not set: SMS notifications stay queued");
  if (!process.env.PAYMENTS_EMAIL_GATEWAY_URL) services.log.info("PAYMENTS_EMAIL_GATEWAY_URL not set: e-mail notifications stay queued");
  return async () => {
    await stopPoller();
    await notifier.stop();
  };
}
