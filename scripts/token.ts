/**
 * `npm run token -- --role ROLE [--partner ID] [--program ID]... [--sub NAME] [--expires 8h]`
 * Prints a development JWT signed with the local key (JWT_SECRET, or the built-in development
 * secret), for trying the graph by hand: `-H "authorization: Bearer $(npm run -s token -- --role admin)"`.
 */
import { parseArgs } from "node:util";
import { isRole, ROLES, signDevToken } from "@g2p/kit/auth";

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      role: { type: "string", multiple: true },
      partner: { type: "string" },
      program: { type: "string", multiple: true },
      sub: { type: "string" },
      expires: { type: "string", default: "8h" },
    },
  });
  const roles = values.role ?? [];
  const bad = roles.filter((r) => !isRole(r));
  if (roles.length === 0 || bad.length > 0) {
    console.error(`usage: npm run token -- --role ROLE [--partner ID] [--program ID] [--sub NAME] [--expires 8h]\nroles: ${ROLES.join(", ")}`);
    process.exit(2);
  }
  if (roles.includes("partner") && !values.partner) {
    console.error("a partner token needs --partner ID");
    process.exit(2);
  }
  const token = await signDevToken(
    { sub: values.sub ?? `dev-${roles[0]}`, roles: roles.filter(isRole), partnerId: values.partner, programIds: values.program },
    { secret: process.env.JWT_SECRET || undefined, issuer: process.env.JWT_ISSUER, audience: process.env.JWT_AUDIENCE, expiresIn: values.expires },
  );
  console.log(token);
}

void main();
