/**
 * The gateway's formatError: kit's formatter (production masks every error whose code is not a
 * known one, subgraph errors included, and strips stack traces) plus the gateway's own subgraph
 * outage codes, which name no host or internal detail and so may be shown as they are.
 */
import type { GraphQLFormattedError } from "graphql";
import { createErrorFormatter } from "@g2p/kit/errors";
import type { Logger } from "pino";
import { GATEWAY_ERROR_CODES } from "./data-source";

export function createGatewayErrorFormatter(opts: { production: boolean; logger: Logger }) {
  const base = createErrorFormatter({
    production: opts.production,
    onUnexpected: (err) => opts.logger.error({ err }, "unexpected error in a GraphQL response"),
  });
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const code = formatted.extensions?.code;
    if (opts.production && typeof code === "string" && GATEWAY_ERROR_CODES.has(code)) {
      const { stacktrace: _stack, exception: _exception, ...extensions } = formatted.extensions ?? {};
      return { ...formatted, extensions };
    }
    return base(formatted, error);
  };
}
