/**
 * A client for ODK Central's OData submission feed, as its published API describes it
 * (standards/odk-central-api/api.yaml): session (POST /v1/sessions) or HTTP Basic auth,
 * `.svc/Submissions` with `$top`, `$count`, `$expand=*` (repeat groups inline) and
 * `$filter=__system/submissionDate gt <since>`, paging by following `@odata.nextLink` as is.
 */
export type OdkAuth = { kind: "session"; email: string; password: string } | { kind: "basic"; email: string; password: string } | { kind: "token"; token: string };

export interface OdkSource {
  baseUrl: string;
  projectId: number;
  formId: string;
  auth: OdkAuth;
  /** Only submissions received after this instant (ISO 8601). */
  since?: string | null;
  pageSize?: number;
  /** Attempts per HTTP request on network errors / 5xx / 429 (default 4). */
  attempts?: number;
  timeoutMs?: number;
}

/** The query parameters this client uses; a test checks each is documented on the path. */
export const ODATA_PARAMS = ["$top", "$count", "$expand", "$filter"] as const;

export class OdkError extends Error {
  constructor(message: string, public readonly status?: number) {
    super(message);
  }
}

async function request(url: string, init: RequestInit, src: OdkSource): Promise<Response> {
  const attempts = src.attempts ?? 4;
  let lastErr: unknown;
  for (let i = 1; i <= attempts; i++) {
    try {
      const res = await fetch(url, { ...init, signal: AbortSignal.timeout(src.timeoutMs ?? 30_000) });
      if (res.status >= 500 || res.status === 429) {
        lastErr = new OdkError(`ODK Central answered ${res.status} for ${new URL(url).pathname}`, res.status);
      } else return res;
    } catch (err) {
      lastErr = err;
    }
    if (i < attempts) await new Promise((r) => setTimeout(r, 100 * 2 ** (i - 1)));
  }
  throw lastErr instanceof Error ? lastErr : new OdkError(String(lastErr));
}

export async function authHeader(src: OdkSource): Promise<string> {
  const a = src.auth;
  if (a.kind === "token") return `Bearer ${a.token}`;
  if (a.kind === "basic") return `Basic ${Buffer.from(`${a.email}:${a.password}`).toString("base64")}`;
  const res = await request(`${src.baseUrl.replace(/\/$/, "")}/v1/sessions`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email: a.email, password: a.password }) }, src);
  if (!res.ok) throw new OdkError(`ODK Central refused the login (${res.status})`, res.status);
  const body = (await res.json()) as { token?: string };
  if (!body.token) throw new OdkError("ODK Central session response has no token");
  return `Bearer ${body.token}`;
}

export function firstPageUrl(src: OdkSource): string {
  const base = `${src.baseUrl.replace(/\/$/, "")}/v1/projects/${src.projectId}/forms/${encodeURIComponent(src.formId)}.svc/Submissions`;
  const q: [string, string][] = [["$top", String(src.pageSize ?? 250)], ["$count", "true"], ["$expand", "*"]];
  if (src.since) q.push(["$filter", `__system/submissionDate gt ${src.since}`]);
  return `${base}?${q.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join("&")}`;
}

export interface OdkPage {
  value: Record<string, unknown>[];
  count: number | null;
}

/** Pages of submissions, one at a time (bounded memory), following `@odata.nextLink`. */
export async function* odkSubmissionPages(src: OdkSource): AsyncGenerator<OdkPage> {
  const authorization = await authHeader(src);
  let url: string | null = firstPageUrl(src);
  while (url) {
    const res = await request(url, { headers: { authorization, accept: "application/json" } }, src);
    if (!res.ok) throw new OdkError(`ODK Central answered ${res.status}: ${(await res.text()).slice(0, 200)}`, res.status);
    const body = (await res.json()) as { value?: unknown; "@odata.nextLink"?: string; "@odata.count"?: number };
    if (!Array.isArray(body.value)) throw new OdkError("ODK Central page has no `value` array");
    yield { value: body.value as Record<string, unknown>[], count: body["@odata.count"] ?? null };
    const next = body["@odata.nextLink"];
    url = next ? new URL(next, url).toString() : null;
  }
}
