import { ConnectorKind, type PaymentProvider } from "../entities/mapper.entity";
import { GsmaConnector } from "./gsma";
import { Iso20022Connector, iso20022OptionsFromEnv } from "./iso20022";
import { MojaloopConnector, mojaloopSettingsFromEnv } from "./mojaloop";
import type { Connector, ConnectorOptions } from "./types";

export * from "./types";
export { GsmaConnector } from "./gsma";
export { Iso20022Connector } from "./iso20022";

/** Connector settings from the environment (PAYMENTS_CONNECTOR_TIMEOUT_MS, _MAX_ATTEMPTS, _CONCURRENCY, PAYMENTS_GSMA_BULK_MIN_ITEMS, _WAIT_MS). */
export function connectorOptionsFromEnv(env: Record<string, string | undefined> = process.env): ConnectorOptions {
  const n = (v: string | undefined) => (v && /^\d+$/.test(v) ? Number(v) : undefined);
  return {
    timeoutMs: n(env.PAYMENTS_CONNECTOR_TIMEOUT_MS),
    maxSendAttempts: n(env.PAYMENTS_CONNECTOR_MAX_ATTEMPTS),
    concurrency: n(env.PAYMENTS_CONNECTOR_CONCURRENCY),
    gsmaBulkMinItems: n(env.PAYMENTS_GSMA_BULK_MIN_ITEMS),
    gsmaBulkWaitMs: n(env.PAYMENTS_GSMA_BULK_WAIT_MS),
    ...(gsmaCallbackSettings(env) ? { gsmaCallback: gsmaCallbackSettings(env)! } : {}),
  };
}

/** GSMA callbacks are asked for only when both the public callback base URL and a secret of 32+ characters are set. */
export function gsmaCallbackSettings(env: Record<string, string | undefined> = process.env): { baseUrl: string; secret: string } | null {
  const baseUrl = env.PAYMENTS_GSMA_CALLBACK_URL?.trim();
  const secret = env.PAYMENTS_CALLBACK_SECRET ?? "";
  if (!baseUrl || secret.length < 32 || !/^https?:\/\//.test(baseUrl)) return null;
  return { baseUrl, secret };
}

const cache = new Map<string, Connector>();

/** The connector for a provider of the directory (one per provider configuration, keeping its connection pool), or null. */
export function connectorFor(provider: PaymentProvider, opts: ConnectorOptions = connectorOptionsFromEnv()): Connector | null {
  if (!provider.active || !provider.endpointUrl) return null;
  const key = JSON.stringify([provider.connector, provider.endpointUrl, opts]);
  const cached = cache.get(key);
  if (cached) return cached;
  const base = provider.endpointUrl.endsWith("/") ? provider.endpointUrl : `${provider.endpointUrl}/`;
  let made: Connector;
  if (provider.connector === ConnectorKind.GSMA) made = new GsmaConnector(base, opts);
  else if (provider.connector === ConnectorKind.ISO20022) made = new Iso20022Connector(base, { ...iso20022OptionsFromEnv(), ...opts });
  else if (provider.connector === ConnectorKind.MOJALOOP) made = new MojaloopConnector(base, mojaloopSettingsFromEnv(), opts);
  else return null;
  if (cache.size > 100) cache.clear();
  cache.set(key, made);
  return made;
}
