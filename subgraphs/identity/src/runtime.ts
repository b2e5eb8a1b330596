/**
 * What the identity block holds for its whole life (not per request): config, crypto, the outbox
 * dispatcher, the partner cache, the statements concurrent requests share and the eKYC signing key.
 * The kit's context has no slot for per-subgraph services, so the runtime rides along in the loaders
 * object (see docs/identity.md).
 */
import { exportJWK, generateKeyPair, type JWK, type KeyLike } from "jose";
import { readIdentityConfig, type IdentityConfig } from "./config";
import { IdCrypto } from "./domain/crypto";
import { OutboxDispatcher } from "./services/outbox";
import { sharedStatements } from "./services/shared-statements";

export interface SigningKey {
  kid: string;
  privateKey: KeyLike;
  publicJwk: JWK;
}

export interface RuntimeOptions {
  config?: Partial<IdentityConfig>;
  /** The clock (tests move it to check expiries). */
  now?: () => Date;
}

export class IdentityRuntime {
  readonly config: IdentityConfig;
  readonly crypto: IdCrypto;
  readonly outbox: OutboxDispatcher;
  readonly now: () => Date;
  private signingKey: Promise<SigningKey> | null = null;
  /** partnerId -> cached { partner, policy } (see services/partner.service.ts). */
  readonly partnerCache = new Map<string, { at: number; value: unknown }>();
  /** Statements concurrent requests share: auth_transaction group commit, identity lookup (services/coalesce.ts). */
  readonly shared = sharedStatements();

  constructor(opts: RuntimeOptions = {}) {
    this.config = { ...readIdentityConfig(), ...opts.config };
    this.now = opts.now ?? (() => new Date());
    this.crypto = new IdCrypto(this.config.dataKey, this.config.hashPepper, this.config.tokenSalt);
    this.outbox = new OutboxDispatcher({ gatewayUrl: () => this.config.smsGatewayUrl, crypto: this.crypto, now: this.now });
  }

  /** ES256 key signing kyc-exchange claims; generated per process (a KMS key in production). */
  signing(): Promise<SigningKey> {
    this.signingKey ??= (async () => {
      const { privateKey, publicKey } = await generateKeyPair("ES256", { extractable: true });
      const publicJwk = await exportJWK(publicKey);
      const kid = `identity-${Date.now().toString(36)}`;
      return { kid, privateKey, publicJwk: { ...publicJwk, kid, alg: "ES256", use: "sig" } };
    })();
    return this.signingKey;
  }
}
