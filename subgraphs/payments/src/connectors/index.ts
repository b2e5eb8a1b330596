import { ConnectorKind, type PaymentProvider } from "../entities/mapper.entity";
import { GsmaConnector } from "./gsma";
import type { Connector, ConnectorOptions } from "./types";

export * from "./types";
export { GsmaConnector } from "./gsma";

/** Connector settings from the environment (PAYMENTS_CONNECTOR_TIMEOUT_MS, _MAX_ATTEMPTS, _CONCURRENCY). */
export function connectorOptionsFromEnv(env: Record<string, string | undefined> = process.env): ConnectorOptions {
  const n = (v: string | undefined) => (v && /^\d+$/.test(v) ? Number(v) : undefined);
  return {
    timeoutMs: n(env.PAYMENTS_CONNECTOR_TIMEOUT_MS),
    maxSendAttempts: n(env.PAYMENTS_CONNECTOR_MAX_ATTEMPTS),
    concurrency: n(env.PAYMENTS_CONNECTOR_CONCURRENCY),
  };
}

const cache = new Map<string, Connector>();

/** The connector for a provider of the directory (one per provider configuration, keeping its connection pool), or null. */
export function connectorFor(provider: PaymentProvider, opts: ConnectorOptions = connectorOptionsFromEnv()): Connector | null {
  if (!provider.active || !provider.endpointUrl) return null;
  const key = JSON.stringify([provider.connector, provider.endpointUrl, opts]);
  const cached = cache.get(key);
  if (cached) return cached;
  if (provider.connector !== ConnectorKind.GSMA) return null; // MOJALOOP and ISO20022 connectors: not built yet
  const made: Connector = new GsmaConnector(provider.endpointUrl.endsWith("/") ? provider.endpointUrl : `${provider.endpointUrl}/`, opts);
  if (cache.size > 100) cache.clear();
  cache.set(key, made);
  return made;
}
