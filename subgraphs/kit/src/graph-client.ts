/**
 * How one block reads or calls another: through the graph (the gateway), never another block's
 * database or code, with a token of the `service` role. In production the token comes from
 * SERVICE_TOKEN (issued by the identity provider); in development and tests one is signed with the
 * local key. The URL is GRAPH_URL, or set once the gateway is known (`setUrl`, used by the testkit).
 */
import { GraphQLError } from "graphql";
import { signDevToken } from "./auth/tokens";
import { userError } from "./errors";

export interface GraphClientSettings {
  NODE_ENV?: string;
  GRAPH_URL?: string;
  SERVICE_TOKEN?: string;
  JWT_SECRET?: string;
  JWT_ISSUER: string;
  JWT_AUDIENCE: string;
}

export class GraphClient {
  private url: string | undefined;
  private token: { value: string; expiresAt: number } | null = null;

  constructor(
    private readonly subgraph: string,
    private readonly settings: GraphClientSettings,
    private readonly timeoutMs = 30_000,
  ) {
    this.url = settings.GRAPH_URL;
  }

  setUrl(url: string): void {
    this.url = url;
  }

  private async bearer(): Promise<string> {
    if (this.settings.SERVICE_TOKEN) return this.settings.SERVICE_TOKEN;
    if (this.settings.NODE_ENV === "production") throw new Error("SERVICE_TOKEN is required in production");
    if (!this.token || this.token.expiresAt < Date.now() + 60_000) {
      const value = await signDevToken(
        { sub: `service:${this.subgraph}`, roles: ["service"] },
        { secret: this.settings.JWT_SECRET, issuer: this.settings.JWT_ISSUER, audience: this.settings.JWT_AUDIENCE, expiresIn: "1h" },
      );
      this.token = { value, expiresAt: Date.now() + 3_600_000 };
    }
    return this.token.value;
  }

  /**
   * Runs an operation as the service. GraphQL errors come back as one GraphQLError carrying the
   * first error's code (so a caller can map NOT_FOUND, FORBIDDEN, ...); transport failures as
   * SUBGRAPH_UNAVAILABLE.
   */
  async request<T = any>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    if (!this.url) throw userError("SUBGRAPH_UNAVAILABLE", "The graph is not configured (GRAPH_URL)");
    let body: { data?: T; errors?: { message: string; extensions?: { code?: string } }[] };
    try {
      const res = await fetch(this.url, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${await this.bearer()}` },
        body: JSON.stringify({ query, variables }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      body = (await res.json()) as typeof body;
    } catch (err) {
      throw userError("SUBGRAPH_UNAVAILABLE", `The graph did not answer: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (body.errors?.length) {
      const first = body.errors[0]!;
      throw new GraphQLError(first.message, { extensions: { code: first.extensions?.code ?? "INTERNAL_SERVER_ERROR" } });
    }
    return body.data as T;
  }
}
