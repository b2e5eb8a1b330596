import { randomUUID } from "node:crypto";
import type http from "node:http";
import type { EntityManager, MikroORM } from "@mikro-orm/core";
import type { Logger } from "pino";
import type { TokenVerifier } from "./auth/tokens";
import type { Viewer } from "./auth/viewer";
import type { GraphClient } from "./graph-client";
import type { JobQueue } from "./jobs/types";

/** What every resolver receives. Built in one place, once per request. */
export interface SubgraphContext<L = unknown> {
  /** A forked EntityManager: a fresh identity map for this request only. */
  em: EntityManager;
  /** Fresh DataLoaders for this request only (never shared between callers). */
  loaders: L;
  /** The verified caller (token claims), or anonymous. */
  viewer: Viewer;
  requestId: string;
  ip: string | null;
  log: Logger;
  jobs: JobQueue;
  /** Calls to other blocks, through the gateway, as the `service` role. */
  graph: GraphClient;
}

export function createContextFactory<L>(deps: {
  orm: MikroORM;
  verify: TokenVerifier;
  createLoaders: (em: EntityManager) => L;
  log: Logger;
  jobs: JobQueue;
  graph: GraphClient;
}) {
  return async (req: http.IncomingMessage): Promise<SubgraphContext<L>> => {
    const viewer = await deps.verify(req.headers.authorization);
    const em = deps.orm.em.fork();
    const requestId = headerValue(req.headers["x-request-id"]) ?? randomUUID();
    return {
      em,
      loaders: deps.createLoaders(em),
      viewer,
      requestId,
      ip: headerValue(req.headers["x-forwarded-for"])?.split(",")[0]?.trim() ?? req.socket.remoteAddress ?? null,
      log: deps.log.child({ requestId }),
      jobs: deps.jobs,
      graph: deps.graph,
    };
  };
}

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}
