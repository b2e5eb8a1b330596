/**
 * The QR payload: a compact JWS (ES256) over the voucher's public facts and its secret, so a
 * merchant's device can check authenticity offline with the published public key, and the server
 * refuses any forged or altered code.
 */
import { randomUUID } from "node:crypto";
import type { EntityManager } from "@mikro-orm/core";
import { compactVerify, exportJWK, generateKeyPair, importJWK, SignJWT, type JWK } from "jose";
import { SigningKey } from "../entities/signing-key.entity";

export interface QrClaims {
  /** serial number */
  sn: string;
  /** the 18-digit secret */
  vn: string;
  /** value and currency, or null for a basket */
  v: string | null;
  c: string | null;
  /** expiry (epoch seconds) when known at issuance */
  exp?: number;
}

const ALG = "ES256";
const ISSUER = "g2p-graph/vouchers";

/** The signing key, created once and kept in this block's database. */
export async function signingKey(em: EntityManager): Promise<SigningKey> {
  const [existing] = await em.find(SigningKey, {}, { orderBy: { createdAt: "desc" }, limit: 1 });
  if (existing) return existing;
  const { privateKey, publicKey } = await generateKeyPair(ALG, { extractable: true });
  const kid = randomUUID();
  const key = em.create(SigningKey, {
    kid,
    privateJwk: { ...(await exportJWK(privateKey)), kid, alg: ALG },
    publicJwk: { ...(await exportJWK(publicKey)), kid, alg: ALG, use: "sig" },
  });
  await em.persistAndFlush(key);
  return key;
}

export async function signQr(key: SigningKey, claims: QrClaims): Promise<string> {
  const privateKey = await importJWK(key.privateJwk as unknown as JWK, ALG);
  const jwt = new SignJWT({ sn: claims.sn, vn: claims.vn, v: claims.v, c: claims.c })
    .setProtectedHeader({ alg: ALG, kid: key.kid, typ: "g2p-voucher+jwt" })
    .setIssuer(ISSUER)
    .setIssuedAt();
  if (claims.exp) jwt.setExpirationTime(claims.exp);
  return jwt.sign(privateKey);
}

/** The claims of a QR code signed by one of our keys, or null when forged, altered or malformed. */
export async function verifyQr(em: EntityManager, token: string): Promise<QrClaims | null> {
  try {
    const header = JSON.parse(Buffer.from(token.split(".")[0] ?? "", "base64url").toString("utf8")) as { kid?: string; alg?: string };
    if (header.alg !== ALG || typeof header.kid !== "string") return null;
    const key = await em.findOne(SigningKey, { kid: header.kid });
    if (!key) return null;
    const { payload } = await compactVerify(token, await importJWK(key.publicJwk as unknown as JWK, ALG));
    const claims = JSON.parse(new TextDecoder().decode(payload)) as QrClaims & { iss?: string };
    if (claims.iss !== ISSUER || typeof claims.sn !== "string" || typeof claims.vn !== "string") return null;
    return claims;
  } catch {
    return null;
  }
}

export async function publicJwks(em: EntityManager): Promise<{ keys: Record<string, unknown>[] }> {
  const keys = await em.find(SigningKey, {}, { orderBy: { createdAt: "asc" } });
  if (keys.length === 0) await signingKey(em);
  return { keys: (await em.find(SigningKey, {}, { orderBy: { createdAt: "asc" } })).map((k) => k.publicJwk) };
}
