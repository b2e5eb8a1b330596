#!/usr/bin/env node
"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
/**
 * CLI: node gateway/dist/main.js [--supergraph FILE] [--port N] [--host H] [--introspect name=URL,URL]
 * Flags override SUPERGRAPH_PATH, PORT, HOST and INTROSPECT_SUBGRAPHS. Prints one JSON log line
 * with "url" once listening (harnesses read the port from it); SIGINT/SIGTERM drain and exit.
 */
const node_util_1 = require("node:util");
const config_1 = require("@g2p/kit/config");
const logger_1 = require("./logger");
const server_1 = require("./server");
async function main() {
    const { values } = (0, node_util_1.parseArgs)({
        options: {
            supergraph: { type: "string" },
            port: { type: "string" },
            host: { type: "string" },
            introspect: { type: "string" },
        },
    });
    const env = { ...process.env };
    if (values.supergraph !== undefined)
        env.SUPERGRAPH_PATH = values.supergraph;
    if (values.port !== undefined)
        env.PORT = values.port;
    if (values.host !== undefined)
        env.HOST = values.host;
    if (values.introspect !== undefined)
        env.INTROSPECT_SUBGRAPHS = values.introspect;
    const logger = (0, logger_1.createLogger)(env.LOG_LEVEL ?? "info");
    const running = await (0, server_1.startGateway)({ env, logger });
    const shutdown = (signal) => {
        logger.info({ signal }, "stopping");
        // A second signal while draining exits at once.
        process.once(signal, () => process.exit(1));
        running.stop().then(() => process.exit(0), (err) => {
            logger.error({ err }, "error while stopping");
            process.exit(1);
        });
    };
    process.once("SIGINT", shutdown);
    process.once("SIGTERM", shutdown);
}
main().catch((err) => {
    // A configuration or supergraph problem: say what is wrong in a line or two, no stack trace.
    const message = err instanceof config_1.ConfigError || err instanceof Error ? err.message : String(err);
    process.stderr.write(`gateway: ${message}\n`);
    process.exit(1);
});
//# sourceMappingURL=main.js.map