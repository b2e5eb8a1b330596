"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.createGatewayErrorFormatter = createGatewayErrorFormatter;
/**
 * The gateway's formatError is kit's: production masks every error whose code is not in the one
 * registry (subgraph errors included) and strips stack traces. The gateway's own outage codes
 * (SUBGRAPH_UNAVAILABLE, SUBGRAPH_TIMEOUT) are in that registry: they name no host or detail.
 */
const errors_1 = require("@g2p/kit/errors");
function createGatewayErrorFormatter(opts) {
    return (0, errors_1.createErrorFormatter)({
        production: opts.production,
        onUnexpected: (err) => opts.logger.error({ err }, "unexpected error in a GraphQL response"),
    });
}
//# sourceMappingURL=errors.js.map