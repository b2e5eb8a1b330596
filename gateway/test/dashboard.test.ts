/**
 * The dashboard's static files, served by a real gateway at /dashboard/ from DASHBOARD_DIR: content
 * types, caching of hashed assets, index.html for client routes, the "not built" page, and no way
 * out of the folder (raw request paths, sent as is with node:http, not normalised by fetch).
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import type { RunningGateway } from "../src";
import { DEFAULT_DASHBOARD_DIR, cacheControlOf, contentTypeOf, relativeDashboardPath } from "../src/dashboard";
import { startAccounts } from "./fixtures";
import { baseOf, compose, gatewayFor, type TestSubgraph } from "./helpers";

jest.setTimeout(20_000);

interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A request with the path exactly as given (fetch would resolve `..` and re-encode). */
function raw(base: string, rawPath: string, opts: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<RawResponse> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: hostname, port, path: rawPath, method: opts.method ?? "GET", headers: opts.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
    });
    req.on("error", reject);
    req.end(opts.body);
  });
}

const INDEX = '<!doctype html><html><body><main id="app"></main><script type="module" src="/dashboard/assets/index-Ab12Cd34.js"></script></body></html>';
const SCRIPT = 'console.log("dashboard");';
const SECRET = "top-secret-outside-the-dashboard";

let accounts: TestSubgraph;
let gw: RunningGateway;
let base: string;
let work: string;
let dist: string;

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), "g2p-dashboard-"));
  dist = path.join(work, "dist");
  mkdirSync(path.join(dist, "assets"), { recursive: true });
  writeFileSync(path.join(dist, "index.html"), INDEX);
  writeFileSync(path.join(dist, "assets", "index-Ab12Cd34.js"), SCRIPT);
  writeFileSync(path.join(dist, "assets", "index-Zz98Yy76.css"), "body{margin:0}");
  writeFileSync(path.join(dist, "favicon.svg"), "<svg xmlns='http://www.w3.org/2000/svg'/>");
  writeFileSync(path.join(dist, ".env"), SECRET);
  writeFileSync(path.join(work, "secret.txt"), SECRET);
  mkdirSync(path.join(work, "outside"));
  writeFileSync(path.join(work, "outside", "secret.txt"), SECRET);
  symlinkSync(path.join(work, "secret.txt"), path.join(dist, "linked.txt"));
  symlinkSync(path.join(work, "outside"), path.join(dist, "linkdir"));
  accounts = await startAccounts();
  gw = await gatewayFor({ supergraphSdl: compose([accounts]), env: { DASHBOARD_DIR: dist } });
  base = baseOf(gw.url);
});

afterAll(async () => {
  await gw?.stop();
  await accounts?.stop();
  rmSync(work, { recursive: true, force: true });
});

test("serves index.html at /dashboard/ as HTML that is revalidated, with a strict CSP", async () => {
  const res = await raw(base, "/dashboard/");
  expect(res.status).toBe(200);
  expect(res.body).toBe(INDEX);
  expect(res.headers["content-type"]).toBe("text/html; charset=utf-8");
  expect(res.headers["cache-control"]).toBe("no-cache");
  expect(res.headers["x-content-type-options"]).toBe("nosniff");
  expect(res.headers["content-security-policy"]).toContain("script-src 'self'");
  expect(res.headers["content-security-policy"]).toContain("connect-src 'self'");
  expect(res.headers["content-length"]).toBe(String(Buffer.byteLength(INDEX)));
});

test("/dashboard redirects to /dashboard/ (keeping the query)", async () => {
  const res = await raw(base, "/dashboard?program=p1");
  expect(res.status).toBe(308);
  expect(res.headers.location).toBe("/dashboard/?program=p1");
});

test("hashed assets get their content type and a year of immutable caching; ETag revalidation answers 304", async () => {
  const js = await raw(base, "/dashboard/assets/index-Ab12Cd34.js");
  expect(js.status).toBe(200);
  expect(js.body).toBe(SCRIPT);
  expect(js.headers["content-type"]).toBe("text/javascript; charset=utf-8");
  expect(js.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
  expect(js.headers["content-security-policy"]).toBeUndefined();
  const css = await raw(base, "/dashboard/assets/index-Zz98Yy76.css");
  expect(css.headers["content-type"]).toBe("text/css; charset=utf-8");
  const again = await raw(base, "/dashboard/assets/index-Ab12Cd34.js", { headers: { "if-none-match": String(js.headers.etag) } });
  expect(again.status).toBe(304);
  expect(again.body).toBe("");
});

test("an unhashed file is served but revalidated", async () => {
  const res = await raw(base, "/dashboard/favicon.svg");
  expect(res.status).toBe(200);
  expect(res.headers["content-type"]).toBe("image/svg+xml");
  expect(res.headers["cache-control"]).toBe("no-cache");
});

test("client routes fall back to index.html; a missing file is a plain 404", async () => {
  for (const route of ["/dashboard/payments", "/dashboard/batches/0b5d6a2e-1", "/dashboard/areas?area=KE-047", "/dashboard/batches/abc/"]) {
    const res = await raw(base, route);
    expect([route, res.status, res.body]).toEqual([route, 200, INDEX]);
    expect(res.headers["cache-control"]).toBe("no-cache");
  }
  const missing = await raw(base, "/dashboard/assets/index-00000000.js");
  expect(missing.status).toBe(404);
  expect(missing.headers["content-type"]).toBe("text/plain; charset=utf-8");
  expect(missing.body).not.toContain("<html");
});

test("HEAD answers the headers without a body", async () => {
  const res = await raw(base, "/dashboard/assets/index-Ab12Cd34.js", { method: "HEAD" });
  expect(res.status).toBe(200);
  expect(res.headers["content-type"]).toBe("text/javascript; charset=utf-8");
  expect(res.body).toBe("");
});

test("nothing outside the folder is reachable: traversal, encoded separators, NUL, dotfiles, symlinks", async () => {
  const attempts = [
    "/dashboard/../secret.txt",
    "/dashboard/..%2fsecret.txt",
    "/dashboard/..%2Fsecret.txt",
    "/dashboard/assets/..%2f..%2fsecret.txt",
    "/dashboard/%2e%2e/secret.txt",
    "/dashboard/%2e%2e%2fsecret.txt",
    "/dashboard/..%5csecret.txt",
    "/dashboard/assets%5c..%5c..%5csecret.txt",
    "/dashboard/index.html%00.js",
    "/dashboard/%252e%252e/secret.txt",
    "/dashboard/.env",
    "/dashboard/%2eenv",
    "/dashboard/linked.txt",
    "/dashboard/linkdir/secret.txt",
    "/dashboard/%E0%A4%A",
    `/dashboard/${encodeURIComponent(path.join(work, "secret.txt"))}`,
  ];
  for (const attempt of attempts) {
    const res = await raw(base, attempt);
    expect([attempt, res.body.includes(SECRET)]).toEqual([attempt, false]);
    expect([attempt, res.status === 404 || res.status === 200]).toEqual([attempt, true]);
    // A 200 may only be the app shell (a client route), never a file's content.
    if (res.status === 200) expect([attempt, res.body]).toEqual([attempt, INDEX]);
  }
});

test("only GET and HEAD are served; /graphql is untouched and same-origin JSON passes CSRF prevention", async () => {
  expect((await raw(base, "/dashboard/", { method: "POST", body: "x" })).status).toBe(404);
  const json = await raw(base, "/graphql", {
    method: "POST",
    headers: { "content-type": "application/json", origin: base },
    body: JSON.stringify({ query: "{ me { id } }" }),
  });
  expect(json.status).toBe(200);
  expect(JSON.parse(json.body)).toEqual({ data: { me: { id: "u1" } } });
  // A "simple" cross-site request (what a form on another site could send) is refused.
  const simple = await raw(base, "/graphql", { method: "POST", headers: { "content-type": "text/plain" }, body: JSON.stringify({ query: "{ me { id } }" }) });
  expect(simple.status).toBe(400);
});

describe("when the dashboard is not built", () => {
  let bare: RunningGateway;
  let empty: string;
  beforeAll(async () => {
    empty = mkdtempSync(path.join(tmpdir(), "g2p-dashboard-empty-"));
    bare = await gatewayFor({ supergraphSdl: compose([accounts]), env: { DASHBOARD_DIR: path.join(empty, "dist") } });
  });
  afterAll(async () => {
    await bare?.stop();
    rmSync(empty, { recursive: true, force: true });
  });

  test("/dashboard/ answers a 404 page saying how to build it, and serves it once built", async () => {
    for (const p of ["/dashboard/", "/dashboard/payments", "/dashboard/assets/index-Ab12Cd34.js"]) {
      const res = await raw(baseOf(bare.url), p);
      expect(res.status).toBe(404);
      expect(res.headers["content-type"]).toBe("text/html; charset=utf-8");
      expect(res.body).toContain("The dashboard is not built");
      expect(res.body).toContain("npm run build -w clients/dashboard");
    }
    // Built while the gateway runs: served from the next request on.
    mkdirSync(path.join(empty, "dist"));
    writeFileSync(path.join(empty, "dist", "index.html"), INDEX);
    const res = await raw(baseOf(bare.url), "/dashboard/");
    expect(res.status).toBe(200);
    expect(res.body).toBe(INDEX);
  });
});

describe("helpers", () => {
  test("content types", () => {
    expect(contentTypeOf("a/index.html")).toBe("text/html; charset=utf-8");
    expect(contentTypeOf("x.JS")).toBe("text/javascript; charset=utf-8");
    expect(contentTypeOf("f.woff2")).toBe("font/woff2");
    expect(contentTypeOf("data.bin")).toBe("application/octet-stream");
  });
  test("only Vite's hashed assets are immutable", () => {
    expect(cacheControlOf("assets/index-CfaXqJcw.js")).toBe("public, max-age=31536000, immutable");
    expect(cacheControlOf("assets/echarts-B_9x-1aZ.js")).toBe("public, max-age=31536000, immutable");
    expect(cacheControlOf("index.html")).toBe("no-cache");
    expect(cacheControlOf("favicon.svg")).toBe("no-cache");
    expect(cacheControlOf("assets/logo.svg")).toBe("no-cache");
  });
  test("request paths", () => {
    expect(relativeDashboardPath("/dashboard/")).toBe("");
    expect(relativeDashboardPath("/dashboard/assets/a-12345678.js")).toBe("assets/a-12345678.js");
    expect(relativeDashboardPath("/dashboard/a%20b")).toBe("a b");
    expect(relativeDashboardPath("/dashboard/..%2fx")).toBeNull();
    expect(relativeDashboardPath("/dashboard/%5cx")).toBeNull();
    expect(relativeDashboardPath("/dashboard/%00")).toBeNull();
    expect(relativeDashboardPath("/dashboard/%E0%A4%A")).toBeNull();
    expect(relativeDashboardPath("/dashboardx/a")).toBeNull();
  });
  test("the default folder is clients/dashboard/dist of this checkout", () => {
    expect(DEFAULT_DASHBOARD_DIR).toBe(path.resolve(__dirname, "..", "..", "clients", "dashboard", "dist"));
  });
});
