/**
 * Where registrant data comes from: the registry, through the graph (the gateway), with a service
 * token, page after page (`registrantsForProcessing`). This subgraph never reads another block's
 * database. Tests and benchmarks may plug another source with `setRegistrySource`.
 */
import { signDevToken } from "@g2p/kit";
import { eligibilityConfig } from "../config";
import type { ProcessingRegistrant } from "./facts";

export interface RegistrantPage {
  nodes: ProcessingRegistrant[];
  endCursor: string | null;
  hasNextPage: boolean;
}

export interface RegistrySource {
  page(args: { first: number; after: string | null; kind: "INDIVIDUAL" | "GROUP" | null }): Promise<RegistrantPage>;
}

const PAGE_QUERY = /* GraphQL */ `
  query EligibilityRegistrants($first: Int!, $after: String, $kind: RegistrantKind) {
    registrantsForProcessing(first: $first, after: $after, kind: $kind) {
      nodes { id kind birthDate sex disability adminAreaCode groupId members { id role birthDate sex disability } extra }
      endCursor
      hasNextPage
    }
  }
`;

export class RegistryUnavailableError extends Error {}

/** Reads the registry through the graph over HTTP (keep-alive via fetch). */
export class GraphRegistrySource implements RegistrySource {
  private tokenPromise: Promise<string> | null = null;

  constructor(
    private readonly url: string,
    private readonly token: () => Promise<string>,
  ) {}

  async page(args: { first: number; after: string | null; kind: "INDIVIDUAL" | "GROUP" | null }): Promise<RegistrantPage> {
    this.tokenPromise ??= this.token();
    const token = await this.tokenPromise;
    let res: Response;
    try {
      res = await fetch(this.url, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}`, "apollo-require-preflight": "true" },
        body: JSON.stringify({ query: PAGE_QUERY, variables: args }),
        signal: AbortSignal.timeout(60_000),
      });
    } catch (err) {
      throw new RegistryUnavailableError(`registry unreachable through the graph at ${this.url}: ${err instanceof Error ? err.message : String(err)}`);
    }
    const text = await res.text();
    let body: { data?: { registrantsForProcessing?: RegistrantPage }; errors?: { message: string; extensions?: { code?: string } }[] };
    try {
      body = JSON.parse(text);
    } catch {
      throw new RegistryUnavailableError(`registry answered ${res.status} with a non-JSON body`);
    }
    if (body.errors?.length || !body.data?.registrantsForProcessing) {
      const e = body.errors?.[0];
      if (e?.extensions?.code === "UNAUTHENTICATED") this.tokenPromise = null; // expired: sign/read again next time
      throw new RegistryUnavailableError(`registry refused the page: ${e?.extensions?.code ?? res.status} ${e?.message ?? ""}`.trim());
    }
    return body.data.registrantsForProcessing;
  }
}

let override: RegistrySource | null = null;
let fromConfig: GraphRegistrySource | null = null;

/** Replaces the registry source (tests, benchmarks); null restores the configured one. */
export function setRegistrySource(source: RegistrySource | null): void {
  override = source;
}

/** The configured source: GRAPH_URL with SERVICE_TOKEN (or a development token signed with JWT_SECRET). */
export function registrySource(): RegistrySource {
  if (override) return override;
  const cfg = eligibilityConfig();
  if (!cfg.GRAPH_URL) throw new RegistryUnavailableError("GRAPH_URL is not set: eligibility reads registrants through the graph");
  if (!fromConfig) {
    fromConfig = new GraphRegistrySource(cfg.GRAPH_URL, async () =>
      cfg.SERVICE_TOKEN ??
      signDevToken(
        { sub: "eligibility", roles: ["service"] },
        { secret: cfg.JWT_SECRET, issuer: cfg.JWT_ISSUER, audience: cfg.JWT_AUDIENCE, expiresIn: "12h" },
      ),
    );
  }
  return fromConfig;
}

/** Forget the configured source (tests that change GRAPH_URL). */
export function resetRegistrySource(): void {
  fromConfig = null;
}
