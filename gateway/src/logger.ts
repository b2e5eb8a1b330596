import pino, { type Logger } from "pino";

export type { Logger };

/** JSON lines on stdout (what kit's subgraphs log too); tokens are redacted from every line. */
export function createLogger(level: string): Logger {
  return pino({
    name: "gateway",
    level,
    redact: { paths: ["req.headers.authorization", "authorization", "token", "*.token"], censor: "[redacted]" },
  });
}
