import pino, { type Logger } from "pino";

export type { Logger };

/** JSON logs on stdout; `redact` keeps tokens out of every line. */
export function createLogger(name: string, level = process.env.LOG_LEVEL ?? "info"): Logger {
  return pino({
    name,
    level,
    redact: { paths: ["req.headers.authorization", "authorization", "token", "*.token", "secret", "*.secret"], censor: "[redacted]" },
  });
}
