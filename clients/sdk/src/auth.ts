/**
 * Where the bearer token comes from: a fixed token, or OAuth2 client credentials (RFC 6749 §4.4)
 * with the token cached and fetched again shortly before it expires.
 */
import { G2PError } from "./errors";

export interface AuthProvider {
  /** A bearer token valid now (fetched or from the cache). */
  getToken(): Promise<string | null>;
  /** Forget a cached token (the graph answered 401 with it): the next call fetches a fresh one. */
  invalidate?(): void;
}

/** A token you already have (a development token, or one your platform manages). */
export function staticToken(token: string): AuthProvider {
  return { getToken: async () => token };
}

export interface ClientCredentialsOptions {
  /** The identity provider's token endpoint. */
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  scope?: string;
  audience?: string;
  /** Fetch a new token this many seconds before the current one expires (default 60). */
  refreshBeforeSeconds?: number;
  /** Lifetime assumed when the endpoint gives no `expires_in` (default 300). */
  defaultExpiresInSeconds?: number;
  /** `client_secret_basic` (default: HTTP Basic) or `client_secret_post` (credentials in the form). */
  authMethod?: "client_secret_basic" | "client_secret_post";
  timeoutMs?: number;
  fetch?: typeof fetch;
  /** Clock, for tests. */
  now?: () => number;
}

export interface ClientCredentialsProvider extends AuthProvider {
  invalidate(): void;
  /** How many tokens were fetched from the endpoint so far. */
  readonly fetchCount: number;
}

/** OAuth2 client credentials: one request in flight at a time, cached until shortly before expiry. */
export function clientCredentials(opts: ClientCredentialsOptions): ClientCredentialsProvider {
  const doFetch = opts.fetch ?? fetch;
  const now = opts.now ?? Date.now;
  const skewMs = (opts.refreshBeforeSeconds ?? 60) * 1000;
  let cached: { token: string; refreshAt: number } | null = null;
  let inflight: Promise<string> | null = null;
  let fetchCount = 0;

  async function fetchToken(): Promise<string> {
    const form = new URLSearchParams({ grant_type: "client_credentials" });
    if (opts.scope) form.set("scope", opts.scope);
    if (opts.audience) form.set("audience", opts.audience);
    const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded", accept: "application/json" };
    if (opts.authMethod === "client_secret_post") {
      form.set("client_id", opts.clientId);
      form.set("client_secret", opts.clientSecret);
    } else {
      const enc = (s: string) => encodeURIComponent(s); // RFC 6749 §2.3.1: form-encode, then Basic
      headers.authorization = `Basic ${Buffer.from(`${enc(opts.clientId)}:${enc(opts.clientSecret)}`).toString("base64")}`;
    }
    let res: Response;
    try {
      res = await doFetch(opts.tokenUrl, { method: "POST", headers, body: form.toString(), signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000) });
    } catch (err) {
      throw new G2PError("AUTH_FAILED", `token endpoint unreachable: ${(err as Error).message}`, { cause: err });
    }
    fetchCount++;
    const text = await res.text();
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      // reported below
    }
    if (!res.ok || typeof body.access_token !== "string") {
      const why = typeof body.error === "string" ? `${body.error}${typeof body.error_description === "string" ? `: ${body.error_description}` : ""}` : text.slice(0, 200);
      throw new G2PError("AUTH_FAILED", `token endpoint answered ${res.status}: ${why}`, { status: res.status, extensions: { oauthError: body.error ?? null } });
    }
    const lifetime = typeof body.expires_in === "number" ? body.expires_in : Number(body.expires_in ?? opts.defaultExpiresInSeconds ?? 300);
    const lifetimeMs = (Number.isFinite(lifetime) && lifetime > 0 ? lifetime : 300) * 1000;
    // Refresh `refreshBeforeSeconds` before expiry, or at half-life for tokens shorter than twice that.
    cached = { token: body.access_token, refreshAt: now() + lifetimeMs - Math.min(skewMs, lifetimeMs / 2) };
    return body.access_token;
  }

  return {
    get fetchCount() {
      return fetchCount;
    },
    async getToken() {
      if (cached && now() < cached.refreshAt) return cached.token;
      if (!inflight) {
        inflight = fetchToken().finally(() => {
          inflight = null;
        });
      }
      return inflight;
    },
    invalidate() {
      cached = null;
    },
  };
}
