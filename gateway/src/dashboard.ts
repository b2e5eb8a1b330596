/**
 * Serves the operations dashboard (clients/dashboard, built by Vite with base /dashboard/) as static
 * files under /dashboard/: content types by extension, long-lived caching for Vite's hashed assets,
 * index.html for client-side routes, nothing outside the folder (no `..`, no encoded tricks, no
 * symlinks pointing out, no dotfiles). When the dashboard is not built, /dashboard answers a 404 page
 * that says how to build it. The folder is looked at on each request, so building it while the
 * gateway runs is enough.
 */
import { createReadStream } from "node:fs";
import { realpath, stat } from "node:fs/promises";
import type http from "node:http";
import path from "node:path";
import type { RouteHandler } from "@g2p/kit/http";

export const DASHBOARD_BASE = "/dashboard";

/** clients/dashboard/dist of this checkout (the same from gateway/src and gateway/dist). */
export const DEFAULT_DASHBOARD_DIR = path.resolve(__dirname, "..", "..", "clients", "dashboard", "dist");

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".webp": "image/webp",
  ".ico": "image/x-icon",
  ".woff": "font/woff",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
  ".webmanifest": "application/manifest+json",
};

/** Vite names built assets `name-<hash>.ext` under assets/: their content never changes. */
const HASHED_ASSET = /^assets\/(?:[^/]+\/)*[^/]+-[A-Za-z0-9_-]{8,}\.[a-z0-9]+$/;

const IMMUTABLE = "public, max-age=31536000, immutable";
const REVALIDATE = "no-cache";

/** The page shell only loads our own scripts and talks to our own origin (/graphql). */
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join("; ");

export function contentTypeOf(file: string): string {
  return TYPES[path.extname(file).toLowerCase()] ?? "application/octet-stream";
}

export function cacheControlOf(relativePath: string): string {
  return HASHED_ASSET.test(relativePath) ? IMMUTABLE : REVALIDATE;
}

const NOT_BUILT_PAGE = (dir: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Dashboard not built</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 4rem auto; line-height: 1.5">
<h1>The dashboard is not built</h1>
<p>The gateway serves the operations dashboard from <code>${escapeHtml(dir)}</code>, which has no <code>index.html</code>.</p>
<p>Build it, then reload this page:</p>
<pre>npm run build -w clients/dashboard</pre>
<p>(<code>npm start</code> builds it too; <code>DASHBOARD_DIR</code> points the gateway at another folder.)</p>
</body></html>
`;

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function sendText(res: http.ServerResponse, status: number, type: string, body: string, extra: Record<string, string> = {}): void {
  res.writeHead(status, {
    "content-type": type,
    "content-length": Buffer.byteLength(body),
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
    ...extra,
  });
  res.end(body);
}

/** The path under the dashboard folder asked for, or null when it is not one we would ever serve. */
export function relativeDashboardPath(pathname: string, base = DASHBOARD_BASE): string | null {
  if (pathname !== base && !pathname.startsWith(`${base}/`)) return null;
  let rel: string;
  try {
    rel = decodeURIComponent(pathname.slice(base.length + 1));
  } catch {
    return null; // malformed percent-encoding
  }
  if (rel.includes("\0") || rel.includes("\\")) return null;
  const parts = rel.split("/").filter((p) => p !== "");
  // No parent segments, no dotfiles (".env", ".git"); both are refused, not normalised away.
  if (parts.some((p) => p.startsWith("."))) return null;
  return parts.join("/");
}

async function fileIn(root: string, rel: string): Promise<{ file: string; size: number; mtime: Date } | null> {
  const candidate = path.resolve(root, rel);
  if (candidate !== root && !candidate.startsWith(root + path.sep)) return null;
  try {
    const real = await realpath(candidate);
    if (real !== root && !real.startsWith(root + path.sep)) return null; // a symlink pointing out
    const info = await stat(real);
    return info.isFile() ? { file: real, size: info.size, mtime: info.mtime } : null;
  } catch {
    return null;
  }
}

export interface DashboardRouteOptions {
  /** Folder of the built dashboard; default clients/dashboard/dist. Relative paths are taken from the working directory. */
  dir?: string;
  base?: string;
}

export function dashboardRoute(opts: DashboardRouteOptions = {}): RouteHandler {
  const dir = path.resolve(opts.dir || DEFAULT_DASHBOARD_DIR);
  const base = opts.base ?? DASHBOARD_BASE;
  let realRoot: string | undefined;

  return async (req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (url.pathname === base) {
      // Relative links in the app assume the trailing slash.
      res.writeHead(308, { location: `${base}/${url.search}`, "cache-control": "no-cache" });
      res.end();
      return;
    }
    if (!realRoot) {
      try {
        realRoot = await realpath(dir);
      } catch {
        sendText(res, 404, "text/html; charset=utf-8", NOT_BUILT_PAGE(dir));
        return;
      }
    }
    const index = await fileIn(realRoot, "index.html");
    if (!index) {
      sendText(res, 404, "text/html; charset=utf-8", NOT_BUILT_PAGE(dir));
      return;
    }
    const rel = relativeDashboardPath(url.pathname, base);
    if (rel === null) {
      sendText(res, 404, "text/plain; charset=utf-8", "not found\n");
      return;
    }
    let found = rel === "" ? index : await fileIn(realRoot, rel);
    let served = rel === "" ? "index.html" : rel;
    if (!found) {
      // A file-looking path (assets/x.js) that is missing is a 404; anything else is a client route.
      if (path.posix.extname(rel) !== "") {
        sendText(res, 404, "text/plain; charset=utf-8", "not found\n");
        return;
      }
      found = index;
      served = "index.html";
    }
    const etag = `W/"${found.size.toString(16)}-${Math.floor(found.mtime.getTime()).toString(16)}"`;
    const type = contentTypeOf(found.file);
    const headers: Record<string, string> = {
      "content-type": type,
      "cache-control": cacheControlOf(served),
      etag,
      "last-modified": found.mtime.toUTCString(),
      "x-content-type-options": "nosniff",
    };
    if (type.startsWith("text/html")) {
      headers["content-security-policy"] = CSP;
      headers["referrer-policy"] = "no-referrer";
    }
    if (req.headers["if-none-match"] === etag) {
      res.writeHead(304, headers);
      res.end();
      return;
    }
    headers["content-length"] = String(found.size);
    res.writeHead(200, headers);
    if (req.method === "HEAD") {
      res.end();
      return;
    }
    await new Promise<void>((resolve) => {
      const stream = createReadStream(found.file);
      stream.on("error", () => {
        res.destroy();
        resolve();
      });
      stream.on("end", () => resolve());
      stream.pipe(res);
    });
  };
}
