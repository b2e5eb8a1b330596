/**
 * How the examples get a token: G2P_TOKEN (a bearer token), or OAuth2 client credentials
 * (G2P_TOKEN_URL, G2P_CLIENT_ID, G2P_CLIENT_SECRET[, G2P_SCOPE]), or — against a development graph
 * only — a development token signed locally with the repository's dev key.
 */
import { clientCredentials, staticToken, type AuthProvider } from "../src";

export async function authFromEnv(fallback: { sub: string; roles: string[]; partnerId?: string }): Promise<AuthProvider> {
  const env = process.env;
  if (env.G2P_TOKEN) return staticToken(env.G2P_TOKEN);
  if (env.G2P_TOKEN_URL && env.G2P_CLIENT_ID && env.G2P_CLIENT_SECRET) {
    return clientCredentials({ tokenUrl: env.G2P_TOKEN_URL, clientId: env.G2P_CLIENT_ID, clientSecret: env.G2P_CLIENT_SECRET, scope: env.G2P_SCOPE });
  }
  // Development only: the same signer as `npm run token`.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { signDevToken } = require("@g2p/kit/auth") as { signDevToken: (c: object, o?: object) => Promise<string> };
  return staticToken(await signDevToken(fallback, { secret: env.JWT_SECRET || undefined }));
}

export const graphUrl = () => process.env.G2P_URL ?? `http://localhost:${process.env.PORT || 4000}/graphql`;
