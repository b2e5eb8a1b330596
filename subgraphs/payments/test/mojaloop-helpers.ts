/**
 * The simulated Mojaloop switch and the FSPIOP schema validator live in test/simulators/mojaloop (shared
 * with e2e); typed here to stay inside this package, as helpers.ts does for the GSMA simulator.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { FspiopCallbackHub, fspiopCallbackRoute } from "../src/connectors/mojaloop-callbacks";

export interface SimMessage {
  direction: "request" | "callback";
  method: string;
  path: string;
  headers: Record<string, string>;
  body: unknown;
}

export interface MojaloopFaults {
  latencyMs?: number;
  errorRate?: number;
  errorCode?: string;
  quoteErrorRate?: number;
  noCallbackRate?: number;
  httpErrorRate?: number;
  transferHttpErrors?: number;
  statusNoCallback?: boolean;
  unknownParties?: string[];
  badFulfilment?: boolean;
}

export interface MojaloopSim {
  url: string;
  switchId: string;
  payeeFsp: string;
  participants: Map<string, string>;
  transfers: Map<string, { transferId: string; state: string; amount: string; fulfilment: string | null; error: { errorCode: string } | null }>;
  settlements: Map<string, number>;
  duplicates: number;
  requests: number;
  invalid: { path: string; problems: string[] }[];
  callbackFailures: number;
  messages: SimMessage[];
  setFaults(f: MojaloopFaults): void;
  stop(): Promise<void>;
}

export interface FspiopValidator {
  request(method: string, path: string, body: unknown): string[] | null;
  errorResponse(body: unknown): string[] | null;
  missingHeaders(method: string, path: string, headers: Record<string, unknown>): string[];
}

/* eslint-disable @typescript-eslint/no-require-imports */
export const startMojaloopSimulator: (
  f?: MojaloopFaults,
  o?: { payeeFsp?: string; switchId?: string; participants?: Record<string, string>; quoteExpiryMs?: number },
) => Promise<MojaloopSim> = require("../../../test/simulators/mojaloop").startMojaloopSimulator;
export const conditionOf: (fulfilment: string) => string = require("../../../test/simulators/mojaloop").conditionOf;
export const fspiopValidator: () => FspiopValidator = require("../../../test/simulators/mojaloop/schema").fspiopValidator;
/* eslint-enable @typescript-eslint/no-require-imports */

/** Every message exchanged with the simulator, checked against the FSPIOP v1.1 definition (bodies and required headers). */
export function invalidMessages(sim: MojaloopSim): { message: string; problems: string[] }[] {
  const v = fspiopValidator();
  const out: { message: string; problems: string[] }[] = [];
  for (const m of sim.messages) {
    const problems = [...(v.request(m.method, m.path, m.body) ?? []), ...v.missingHeaders(m.method, m.path, m.headers)];
    const resource = m.path.split("/")[1];
    if (!/^application\/vnd\.interoperability\.[a-z]+\+json;version=1\.1$/i.test(m.headers["content-type"] ?? "") || !m.headers["content-type"]!.includes(`.${resource}+`)) {
      problems.push(`content-type ${m.headers["content-type"]}`);
    }
    if (m.direction === "request" && m.headers["accept"] !== m.headers["content-type"]) problems.push(`accept ${m.headers["accept"]}`);
    if (problems.length > 0) out.push({ message: `${m.direction} ${m.method} ${m.path}`, problems });
  }
  return out;
}

export interface CapturedLog {
  warnings: { obj: object; msg?: string }[];
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export function captureLog(): CapturedLog {
  const log: CapturedLog = {
    warnings: [],
    info: () => {},
    warn: (obj, msg) => log.warnings.push({ obj, msg }),
  };
  return log;
}

/** A bare HTTP server with only the FSPIOP callback route, standing in for the payments subgraph. */
export async function startCallbackServer(fspId: string, hub = new FspiopCallbackHub(), log = captureLog()) {
  const route = fspiopCallbackRoute({ hub, fspId, log });
  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    if (!path.startsWith("/fspiop/")) {
      res.writeHead(404).end();
      return;
    }
    Promise.resolve(route(req, res)).catch(() => res.writeHead(500).end());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/fspiop`,
    hub,
    log,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
