import { Entity, OptionalProps, PrimaryKey, Property } from "@mikro-orm/core";

/**
 * The ES256 key that signs voucher QR codes. Created on first use and kept, so QR codes stay
 * verifiable across restarts; merchants verify offline with the public key (`voucherSigningKeys`).
 * A production deployment should hold the private key in a KMS/HSM (see docs/vouchers.md).
 */
@Entity({ tableName: "signing_key" })
export class SigningKey {
  [OptionalProps]?: "createdAt";
  @PrimaryKey({ type: "string", length: 64 }) kid!: string;
  @Property({ type: "json" }) privateJwk!: Record<string, unknown>;
  @Property({ type: "json" }) publicJwk!: Record<string, unknown>;
  @Property({ type: "datetime" }) createdAt: Date = new Date();
}
