import type { MikroORM } from "@mikro-orm/core";
import type { Logger } from "pino";
import type { GraphClient } from "../graph-client";
import { BullMqJobQueue } from "./bullmq";
import { InProcessJobQueue } from "./in-process";
import type { JobQueue } from "./types";

export * from "./types";
export * from "./job.entities";
export { JobEngine, stableJson } from "./engine";
export { InProcessJobQueue, BullMqJobQueue };

/** BullMQ when a Redis URL is configured, in-process otherwise. */
export function createJobQueue(
  orm: MikroORM,
  log: Logger,
  opts: { subgraph: string; redisUrl?: string; concurrency?: number; queueName?: string; graph?: GraphClient },
): JobQueue {
  if (opts.redisUrl) {
    return new BullMqJobQueue(orm, log, {
      redisUrl: opts.redisUrl,
      queueName: opts.queueName ?? `g2p-${opts.subgraph}`,
      concurrency: opts.concurrency,
      graph: opts.graph,
    });
  }
  return new InProcessJobQueue(orm, log, opts.concurrency, opts.graph);
}
