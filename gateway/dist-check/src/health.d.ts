/**
 * /health (liveness: the process answers) and /ready (readiness: a graph is loaded and every
 * subgraph it routes to answers `{ __typename }` in time). /ready probes on every call rather than
 * caching, so an orchestrator sees a subgraph outage at its next probe.
 */
import type { RouteHandler } from "@g2p/kit/http";
import type { Dispatcher } from "undici";
import type { SubgraphInfo } from "./supergraph-source";
export declare const healthRoute: RouteHandler;
export declare function readyRoute(opts: {
    /** The subgraphs of the graph being served; null until a graph is loaded. */
    subgraphs: () => SubgraphInfo[] | null;
    dispatcher: Dispatcher;
    timeoutMs: number;
}): RouteHandler;
