import type http from "node:http";
import type { EntityManager, MikroORM } from "@mikro-orm/core";
import pino from "pino";
import { createViewer } from "../src/auth/viewer";
import { createContextFactory } from "../src/context";
import type { GraphClient } from "../src/graph-client";
import type { JobQueue } from "../src/jobs/types";

function setup() {
  const forks: object[] = [];
  const orm = { em: { fork: () => forks[forks.push({ fork: forks.length }) - 1] } } as unknown as MikroORM;
  const loaderCalls: unknown[] = [];
  const log = pino({ level: "silent" });
  let children = 0;
  const child = log.child.bind(log);
  log.child = ((bindings: pino.Bindings) => (children++, child(bindings))) as typeof log.child;
  const factory = createContextFactory({
    orm,
    verify: async () => createViewer({ sub: "u1", roles: ["registrar"] }),
    createLoaders: (em: EntityManager) => (loaderCalls.push(em), { em }),
    log,
    jobs: {} as JobQueue,
    graph: {} as GraphClient,
  });
  const req = { headers: { "x-request-id": "req-9" }, socket: { remoteAddress: "10.0.0.1" } } as unknown as http.IncomingMessage;
  return { factory, req, forks, loaderCalls, children: () => children };
}

describe("request context", () => {
  it("forks the EntityManager, builds loaders and the child logger only when a resolver asks", async () => {
    const s = setup();
    const ctx = await s.factory(s.req);
    expect({ viewer: ctx.viewer.sub, requestId: ctx.requestId, ip: ctx.ip }).toEqual({ viewer: "u1", requestId: "req-9", ip: "10.0.0.1" });
    expect(s.forks).toHaveLength(0);
    expect(s.loaderCalls).toHaveLength(0);
    expect(s.children()).toBe(0);
    const em = ctx.em;
    expect(ctx.em).toBe(em);
    expect(s.forks).toHaveLength(1);
    expect((ctx.loaders as { em: unknown }).em).toBe(em); // loaders on the request's one fork
    expect(ctx.loaders).toBe(ctx.loaders);
    expect(s.loaderCalls).toHaveLength(1);
    expect(ctx.log).toBe(ctx.log);
    expect(s.children()).toBe(1);
  });

  it("stays lazy through Apollo's per-operation clone, and the clone shares the original's fork", async () => {
    const s = setup();
    const ctx = await s.factory(s.req);
    const clone = Object.assign(Object.create(Object.getPrototypeOf(ctx)), ctx) as typeof ctx; // Apollo Server's cloneObject
    expect(s.forks).toHaveLength(0);
    expect(clone.em).toBe(ctx.em);
    expect(clone.loaders).toBe(ctx.loaders);
    expect(s.forks).toHaveLength(1);
    expect(clone.viewer).toBe(ctx.viewer);
  });

  it("gives each request its own fork", async () => {
    const s = setup();
    const a = await s.factory(s.req);
    const b = await s.factory(s.req);
    expect(a.em).not.toBe(b.em);
  });
});
