/**
 * The gateway's formatError is kit's: production masks every error whose code is not in the one
 * registry (subgraph errors included) and strips stack traces. The gateway's own outage codes
 * (SUBGRAPH_UNAVAILABLE, SUBGRAPH_TIMEOUT) are in that registry: they name no host or detail.
 */
import { createErrorFormatter } from "@g2p/kit/errors";
import type { Logger } from "pino";

export function createGatewayErrorFormatter(opts: { production: boolean; logger: Logger }) {
  return createErrorFormatter({
    production: opts.production,
    onUnexpected: (err) => opts.logger.error({ err }, "unexpected error in a GraphQL response"),
  });
}
