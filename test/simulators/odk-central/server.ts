/**
 * A simulator of ODK Central's OData submission feed, written against Central's published API
 * (standards/odk-central-api/api.yaml, v2026.2.2): a real HTTP server on loopback port 0.
 *
 * - POST /v1/sessions {email, password} -> {createdAt, expiresAt, token}; Bearer tokens or HTTP Basic.
 * - GET /v1/projects/{p}/forms/{f}.svc                      service document (Submissions + one table per repeat)
 * - GET /v1/projects/{p}/forms/{f}.svc/Submissions           $top, $skip, $count, $filter, $expand=*, $skiptoken;
 *   `@odata.nextLink` (with an opaque $skiptoken) whenever $top is given and rows remain.
 * - GET /v1/projects/{p}/forms/{f}.svc/Submissions.{repeat}  a repeat group as a subtable, rows linked by `__Submissions-id`.
 * - $filter: `__system/submissionDate` (and `$root/Submissions/__system/submissionDate` on subtables) with
 *   lt le eq ne ge gt joined by `and`; anything else answers 501 as Central does for unsupported filters.
 * - Faults: fixed latency, the first N data requests failing with 503, or a failure rate.
 */
import http from "node:http";
import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";

export interface Submission {
  __id: string;
  __system: {
    submissionDate: string;
    updatedAt: string | null;
    submitterId: string;
    submitterName: string;
    attachmentsPresent: number;
    attachmentsExpected: number;
    status: string | null;
    reviewState: string | null;
    deviceId: string | null;
    edits: number;
    formVersion: string;
    deletedAt?: string | null;
  };
  meta: { instanceID: string };
  [field: string]: unknown;
}

export interface SimulatorOptions {
  users?: { email: string; password: string }[];
  latencyMs?: number;
  /** The first N requests to data documents answer 503. */
  failFirst?: number;
  /** Probability that a data request answers 503. */
  failRate?: number;
  /** Upper bound on $top (Central has none; useful to force paging). */
  maxPageSize?: number;
}

export interface OdkCentralSimulator {
  url: string;
  /** Repeat groups per form, e.g. ["members"]. */
  addForm(projectId: number, formId: string, repeats?: string[]): void;
  addSubmissions(projectId: number, formId: string, subs: Submission[]): void;
  /** Every request received (method, path with query). */
  requests: { method: string; url: string; status: number }[];
  stop(): Promise<void>;
}

interface Form {
  repeats: string[];
  subs: Submission[];
}

type Cmp = { field: string; op: string; value: string };

function parseFilter(filter: string, subtable: boolean): Cmp[] | null {
  const prefix = subtable ? "(?:\\$root/Submissions/)?" : "";
  const re = new RegExp(`^${prefix}__system/submissionDate (lt|le|eq|ne|ge|gt) (\\S+)$`);
  const parts = filter.split(/\s+and\s+/i).map((p) => p.trim());
  const out: Cmp[] = [];
  for (const p of parts) {
    const m = re.exec(p);
    if (!m || Number.isNaN(Date.parse(m[2]!))) return null;
    out.push({ field: "submissionDate", op: m[1]!, value: new Date(m[2]!).toISOString() });
  }
  return out;
}

function matches(sub: Submission, cmps: Cmp[]): boolean {
  const v = sub.__system.submissionDate;
  return cmps.every(({ op, value }) => (op === "lt" ? v < value : op === "le" ? v <= value : op === "eq" ? v === value : op === "ne" ? v !== value : op === "ge" ? v >= value : v > value));
}

/** A submission as Central serves it without $expand: repeats become navigation links. */
function flatten(sub: Submission, repeats: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = { ...sub };
  for (const r of repeats) {
    delete out[r];
    out[`${r}@odata.navigationLink`] = `Submissions('${encodeURIComponent(sub.__id)}')/${r}`;
  }
  return out;
}

export async function startOdkCentralSimulator(opts: SimulatorOptions = {}): Promise<OdkCentralSimulator> {
  const users = opts.users ?? [{ email: "collector@example.org", password: "secret-password" }];
  const tokens = new Set<string>();
  const forms = new Map<string, Form>();
  const requests: OdkCentralSimulator["requests"] = [];
  let dataRequests = 0;

  const send = (res: http.ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { "content-type": "application/json; charset=utf-8" });
    res.end(JSON.stringify(body));
  };

  const authenticated = (req: http.IncomingMessage): boolean => {
    const h = req.headers.authorization ?? "";
    if (h.startsWith("Bearer ")) return tokens.has(h.slice(7));
    if (h.startsWith("Basic ")) {
      const [email, ...rest] = Buffer.from(h.slice(6), "base64").toString("utf8").split(":");
      return users.some((u) => u.email === email && u.password === rest.join(":"));
    }
    return false;
  };

  const server = http.createServer((req, res) => {
    const handle = async () => {
      if (opts.latencyMs) await new Promise((r) => setTimeout(r, opts.latencyMs));
      const url = new URL(req.url ?? "/", "http://localhost");
      const log = (status: number) => requests.push({ method: req.method ?? "GET", url: `${url.pathname}${url.search}`, status });
      if (req.method === "POST" && url.pathname === "/v1/sessions") {
        let raw = "";
        for await (const chunk of req) raw += chunk;
        let body: { email?: string; password?: string } = {};
        try {
          body = JSON.parse(raw || "{}");
        } catch {
          log(400);
          return send(res, 400, { code: 400.1, message: "Could not parse the given data (0 chars) as json." });
        }
        if (!users.some((u) => u.email === body.email && u.password === body.password)) {
          log(401);
          return send(res, 401, { code: 401.2, message: "Could not authenticate with the provided credentials." });
        }
        const token = randomBytes(48).toString("base64url");
        tokens.add(token);
        const now = new Date();
        log(200);
        return send(res, 200, { createdAt: now.toISOString(), expiresAt: new Date(now.getTime() + 86_400_000).toISOString(), token });
      }
      const m = /^\/v1\/projects\/(\d+)\/forms\/([^/]+)\.svc(?:\/(.*))?$/.exec(url.pathname);
      if (req.method !== "GET" || !m) {
        log(404);
        return send(res, 404, { code: 404.1, message: "Could not find the resource you were looking for." });
      }
      if (!authenticated(req)) {
        log(401);
        return send(res, 401, { code: 401.2, message: "Could not authenticate with the provided credentials." });
      }
      const [, projectId, formIdRaw, table] = m;
      const formId = decodeURIComponent(formIdRaw!);
      const form = forms.get(`${projectId}/${formId}`);
      if (!form) {
        log(404);
        return send(res, 404, { code: 404.1, message: "Could not find the resource you were looking for." });
      }
      const base = `http://${req.headers.host}/v1/projects/${projectId}/forms/${encodeURIComponent(formId)}.svc`;
      if (!table) {
        log(200);
        return send(res, 200, {
          "@odata.context": `${base}/$metadata`,
          value: [{ name: "Submissions", kind: "EntitySet", url: "Submissions" }, ...form.repeats.map((r) => ({ name: `Submissions.${r}`, kind: "EntitySet", url: `Submissions.${r}` }))],
        });
      }
      dataRequests++;
      if ((opts.failFirst && dataRequests <= opts.failFirst) || (opts.failRate && Math.random() < opts.failRate)) {
        log(503);
        return send(res, 503, { code: 503, message: "Service unavailable (simulated fault)." });
      }
      const repeat = table.startsWith("Submissions.") ? table.slice("Submissions.".length) : null;
      if (table !== "Submissions" && (!repeat || !form.repeats.includes(repeat))) {
        log(404);
        return send(res, 404, { code: 404.1, message: "Could not find the resource you were looking for." });
      }
      const q = url.searchParams;
      let cmps: Cmp[] = [];
      if (q.has("$filter")) {
        const parsed = parseFilter(q.get("$filter")!, !!repeat);
        if (!parsed) {
          log(501);
          return send(res, 501, { code: 501.4, message: "The given OData filter expression is not supported by this server (simulator: submissionDate comparisons only)." });
        }
        cmps = parsed;
      }
      if (q.has("$select") && q.has("$expand")) {
        log(400);
        return send(res, 400, { code: 400.31, message: "$select and $expand cannot be used together." });
      }
      const subs = form.subs.filter((s) => matches(s, cmps));
      let rows: Record<string, unknown>[];
      if (repeat) {
        rows = subs.flatMap((s) =>
          ((s[repeat] as Record<string, unknown>[] | undefined) ?? []).map((r) => ({ ...r, "__Submissions-id": s.__id })),
        );
      } else rows = subs.map((s) => (q.get("$expand") === "*" ? { ...s } : flatten(s, form.repeats)));
      // Paging: $skiptoken (opaque, from our own nextLink) continues after the row it names.
      let start = Number(q.get("$skip") ?? 0);
      if (q.has("$skiptoken")) {
        try {
          const tok = JSON.parse(Buffer.from(q.get("$skiptoken")!.replace(/^01/, ""), "base64url").toString("utf8")) as { repeatId?: string; instanceId?: string };
          const id = tok.instanceId ?? tok.repeatId;
          const at = rows.findIndex((r) => r.__id === id);
          start = at >= 0 ? at + 1 : rows.length;
        } catch {
          log(400);
          return send(res, 400, { code: 400.1, message: "Could not parse the skiptoken." });
        }
      }
      let top = q.has("$top") ? Number(q.get("$top")) : rows.length - start;
      if (opts.maxPageSize) top = Math.min(top, opts.maxPageSize);
      const page = rows.slice(start, start + top);
      const body: Record<string, unknown> = { "@odata.context": `${base}/$metadata#${table}` };
      if (q.get("$count") === "true") body["@odata.count"] = rows.length;
      if (q.has("$top") && start + top < rows.length && page.length) {
        const next = new URLSearchParams(q);
        next.delete("$skip");
        const last = page.at(-1)!.__id as string;
        next.set("$skiptoken", `01${Buffer.from(JSON.stringify(repeat ? { repeatId: last } : { instanceId: last })).toString("base64url")}`);
        body["@odata.nextLink"] = `${base}/${table}?${next.toString()}`;
      }
      body.value = page;
      log(200);
      send(res, 200, body);
    };
    handle().catch((err) => send(res, 500, { code: 500.1, message: String(err) }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    addForm(projectId, formId, repeats = []) {
      forms.set(`${projectId}/${formId}`, { repeats, subs: [] });
    },
    addSubmissions(projectId, formId, subs) {
      const form = forms.get(`${projectId}/${formId}`);
      if (!form) throw new Error(`no form ${projectId}/${formId}`);
      form.subs.push(...subs);
      form.subs.sort((a, b) => a.__system.submissionDate.localeCompare(b.__system.submissionDate) || a.__id.localeCompare(b.__id));
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
