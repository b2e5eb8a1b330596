import { randomUUID } from "node:crypto";
import type http from "node:http";
import type { EntityManager, MikroORM } from "@mikro-orm/core";
import type { Logger } from "pino";
import type { TokenVerifier } from "./auth/tokens";
import type { Viewer } from "./auth/viewer";
import type { GraphClient } from "./graph-client";
import type { JobQueue } from "./jobs/types";

/** What every resolver receives. Built in one place, once per request (see createContextFactory). */
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

/**
 * The per-request context. The EntityManager fork, the loaders (built on that fork) and the child
 * logger are made on first use, not up front: a request whose resolvers never touch them (a query
 * answered from memory, a hot path on raw SQL) does not pay for them — the fork alone was ~5 % of an
 * identity authentication's CPU.
 *
 * They are getters on the prototype, over state shared by reference, because Apollo Server clones the
 * context for every operation with `Object.assign(Object.create(prototype), context)`: own getters
 * would be invoked (and the fork made) by that copy; prototype getters survive it, and the clone and
 * the original share one fork. (A `{ ...context }` spread would drop them: use the context itself.)
 */
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
    const requestId = headerValue(req.headers["x-request-id"]) ?? randomUUID();
    const ip = headerValue(req.headers["x-forwarded-for"])?.split(",")[0]?.trim() ?? req.socket.remoteAddress ?? null;
    return new RequestContext<L>(new LazyParts(deps, requestId), viewer, requestId, ip, deps.jobs, deps.graph);
  };
}

/** What a request makes only when asked, once. */
class LazyParts<L> {
  private em?: EntityManager;
  private loaders?: L;
  private log?: Logger;

  constructor(
    private readonly deps: { orm: MikroORM; createLoaders: (em: EntityManager) => L; log: Logger },
    private readonly requestId: string,
  ) {}

  fork(): EntityManager {
    return (this.em ??= this.deps.orm.em.fork());
  }

  loadersOf(): L {
    return (this.loaders ??= this.deps.createLoaders(this.fork()));
  }

  logger(): Logger {
    return (this.log ??= this.deps.log.child({ requestId: this.requestId }));
  }
}

class RequestContext<L> implements SubgraphContext<L> {
  constructor(
    private readonly lazy: LazyParts<L>,
    readonly viewer: Viewer,
    readonly requestId: string,
    readonly ip: string | null,
    readonly jobs: JobQueue,
    readonly graph: GraphClient,
  ) {}

  get em(): EntityManager {
    return this.lazy.fork();
  }

  get loaders(): L {
    return this.lazy.loadersOf();
  }

  get log(): Logger {
    return this.lazy.logger();
  }
}

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}
