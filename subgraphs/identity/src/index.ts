import "reflect-metadata";
import { defineSubgraph, type SubgraphDefinition } from "@g2p/kit";
import { AbisTemplate, IdentityEnrollment } from "./entities/enrollment.entities";
import { AuthLock, AuthTransaction, KycToken, Otp, OutboxMessage } from "./entities/auth.entities";
import { Identity } from "./entities/identity.entity";
import { AuthPartner, AuthPolicy } from "./entities/partner.entity";
import { RegistrantIdentity, TokenSeedChunk } from "./entities/registrant-identity.entity";
import { RegistrantRef } from "./entities/registrant-ref";
import { Vid } from "./entities/vid.entity";
import { createLoaders, type IdentityLoaders } from "./loaders";
import { migrations as postgresql } from "./migrations/postgresql";
import { migrations as sqlite } from "./migrations/sqlite";
import { AuthResolver } from "./resolvers/auth.resolver";
import { EnrollmentResolver } from "./resolvers/enrollment.resolver";
import { IdentityResolver, IdVerificationResolver, RegistrantIdentityResolver, VidResolver } from "./resolvers/identity.resolver";
import { PartnerResolver } from "./resolvers/partner.resolver";
import { IdentityRuntime, type RuntimeOptions } from "./runtime";
import { tokenSeedingJob } from "./services/seeding.service";

export { Identity, IdentityStatus } from "./entities/identity.entity";
export { IdentityRuntime } from "./runtime";
export * as ids from "./domain/ids";

/**
 * Identity, MOSIP-style: UIN/VID, enrollment with biometric dedup, partners and policies,
 * authentication (demo, OTP, bio), eKYC and kyc-auth/exchange, partner-specific tokens, token seeding.
 * `createIdentitySubgraph(options)` lets tests set the clock and config; `subgraph` reads the environment.
 */
export function createIdentitySubgraph(options: RuntimeOptions = {}): SubgraphDefinition<IdentityLoaders> & { runtime: () => IdentityRuntime } {
  let rt: IdentityRuntime | null = null;
  const runtime = () => (rt ??= new IdentityRuntime(options));
  return {
    ...defineSubgraph<IdentityLoaders>({
      name: "identity",
      defaultPort: 4002,
      entities: [Identity, Vid, AuthPolicy, AuthPartner, AuthTransaction, Otp, AuthLock, KycToken, OutboxMessage, AbisTemplate, IdentityEnrollment, RegistrantIdentity, TokenSeedChunk],
      resolvers: [IdentityResolver, VidResolver, RegistrantIdentityResolver, IdVerificationResolver, PartnerResolver, AuthResolver, EnrollmentResolver],
      orphanedTypes: [RegistrantRef],
      references: [{ typeName: "Identity", loader: (l) => l.identityById }],
      createLoaders: (em) => createLoaders(em, runtime()),
      migrations: { sqlite, postgresql },
      jobs: [tokenSeedingJob(runtime)],
    }),
    runtime,
  };
}

export const subgraph = createIdentitySubgraph();
