#!/usr/bin/env node
/**
 * CLI: node gateway/dist/main.js [--supergraph FILE] [--port N] [--host H] [--introspect name=URL,URL]
 * Flags override SUPERGRAPH_PATH, PORT, HOST and INTROSPECT_SUBGRAPHS. Prints one JSON log line
 * with "url" once listening (harnesses read the port from it); SIGINT/SIGTERM drain and exit.
 */
import { parseArgs } from "node:util";
import { ConfigError } from "@g2p/kit/config";
import { createLogger } from "./logger";
import { startGateway } from "./server";

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      supergraph: { type: "string" },
      port: { type: "string" },
      host: { type: "string" },
      introspect: { type: "string" },
    },
  });
  const env = { ...process.env };
  if (values.supergraph !== undefined) env.SUPERGRAPH_PATH = values.supergraph;
  if (values.port !== undefined) env.PORT = values.port;
  if (values.host !== undefined) env.HOST = values.host;
  if (values.introspect !== undefined) env.INTROSPECT_SUBGRAPHS = values.introspect;

  const logger = createLogger(env.LOG_LEVEL ?? "info");
  const running = await startGateway({ env, logger });
  const shutdown = (signal: NodeJS.Signals) => {
    logger.info({ signal }, "stopping");
    // A second signal while draining exits at once.
    process.once(signal, () => process.exit(1));
    running.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, "error while stopping");
        process.exit(1);
      },
    );
  };
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
}

main().catch((err: unknown) => {
  // A configuration or supergraph problem: say what is wrong in a line or two, no stack trace.
  const message = err instanceof ConfigError || err instanceof Error ? err.message : String(err);
  process.stderr.write(`gateway: ${message}\n`);
  process.exit(1);
});
