/**
 * /health (liveness: the process answers) and /ready (readiness: a graph is loaded and every
 * subgraph it routes to answers `{ __typename }` in time). /ready probes on every call rather than
 * caching, so an orchestrator sees a subgraph outage at its next probe.
 */
import type { RouteHandler } from "@g2p/kit/http";
import { sendJson } from "@g2p/kit/http";
import type { Dispatcher } from "undici";
import type { SubgraphInfo } from "./supergraph-source";

export const healthRoute: RouteHandler = (_req, res) => sendJson(res, 200, { status: "ok" });

async function probe(dispatcher: Dispatcher, url: string, timeoutMs: number): Promise<string | null> {
  try {
    const target = new URL(url);
    const res = await dispatcher.request({
      origin: target.origin,
      path: target.pathname + target.search,
      method: "POST",
      // A JSON content type also satisfies Apollo Server's CSRF prevention on the subgraph.
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: "{ __typename }" }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = (await res.body.json().catch(() => undefined)) as { data?: { __typename?: unknown } } | undefined;
    if (res.statusCode !== 200) return `HTTP ${res.statusCode}`;
    return typeof body?.data?.__typename === "string" ? null : "no data.__typename in the answer";
  } catch (err) {
    if ((err as Error).name === "TimeoutError") return `no answer within ${timeoutMs} ms`;
    // The error code (ECONNREFUSED, ...) rather than the message, which names the host.
    return (err as { code?: string }).code ?? "unreachable";
  }
}

export function readyRoute(opts: {
  /** The subgraphs of the graph being served; null until a graph is loaded. */
  subgraphs: () => SubgraphInfo[] | null;
  dispatcher: Dispatcher;
  timeoutMs: number;
}): RouteHandler {
  return async (_req, res) => {
    const subgraphs = opts.subgraphs();
    if (!subgraphs) {
      sendJson(res, 503, { status: "unavailable", reason: "no supergraph loaded", failed: [] });
      return;
    }
    const results = await Promise.all(
      subgraphs.map(async (s) => ({ name: s.name, error: await probe(opts.dispatcher, s.url, opts.timeoutMs) })),
    );
    // Names and reasons only: internal subgraph URLs stay out of a probe endpoint's answer.
    const failed = results.filter((r): r is { name: string; error: string } => r.error !== null);
    if (failed.length > 0) sendJson(res, 503, { status: "unavailable", failed });
    else sendJson(res, 200, { status: "ready", subgraphs: subgraphs.map((s) => s.name) });
  };
}
