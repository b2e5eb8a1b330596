/**
 * The operations dashboard: a tiny client-side router over plain TypeScript pages. What is shown
 * follows the token's roles (the same role → permission map as the subgraphs); the server still
 * decides, and a refusal shows its extensions.code.
 */
import "./style.css";
import { can, clearSession, loadSession, type Permission, type Session } from "./auth";
import { disposeCharts } from "./charts";
import { BASE, href, type Page, type PageContext } from "./context";
import { createGraphClient } from "./graphql";
import { areasPage } from "./pages/areas";
import { batchPage } from "./pages/batch";
import { renderLogin } from "./pages/login";
import { overviewPage } from "./pages/overview";
import { paymentsPage } from "./pages/payments";
import { vouchersPage } from "./pages/vouchers";
import { errorBox, h } from "./ui";

interface Route {
  pattern: RegExp;
  page: Page;
  title: string;
  /** Shown in the navigation (and allowed) only with these permissions. */
  needs: Permission[];
  nav?: string;
}

const ROUTES: Route[] = [
  { pattern: /^$/, page: overviewPage, title: "Program overview", needs: ["program:read"], nav: "Overview" },
  { pattern: /^payments$/, page: paymentsPage, title: "Payments", needs: ["payment:read"], nav: "Payments" },
  { pattern: /^batches\/([^/]+)$/, page: batchPage, title: "Batch", needs: ["payment:read"] },
  { pattern: /^areas$/, page: areasPage, title: "Areas", needs: ["registrant:read"], nav: "Areas" },
  { pattern: /^vouchers$/, page: vouchersPage, title: "Vouchers", needs: ["voucher:read", "program:read"], nav: "Vouchers" },
];

const app = document.getElementById("app")!;
const nav = document.getElementById("nav")!;
const who = document.getElementById("who")!;
let leaving: (() => void)[] = [];
let session: Session | null = loadSession();

const request = createGraphClient({
  token: () => session?.token ?? null,
  onUnauthenticated: () => {
    clearSession();
    session = null;
  },
});

function currentPath(): string {
  const path = location.pathname.startsWith(BASE) ? location.pathname.slice(BASE.length) : location.pathname;
  return path.replace(/^\/+|\/+$/g, "");
}

function navigate(path: string): void {
  history.pushState(null, "", href(path));
  void render();
}

function renderChrome(path: string): void {
  nav.replaceChildren(
    ...(session
      ? ROUTES.filter((r) => r.nav && can(session, ...r.needs)).map((r) =>
          h("a", { href: href(r.pattern.source.replace(/^\^|\$$/g, "")), "data-link": true, class: r.pattern.test(path) ? "active" : undefined }, r.nav!),
        )
      : []),
  );
  who.replaceChildren(
    ...(session
      ? [
          h("span", { id: "who-sub" }, session.sub),
          h("span", { id: "who-roles", "data-roles": session.roles.join(" ") }, `(${session.roles.join(", ")})`),
          h("button", { type: "button", id: "sign-out", onclick: () => (clearSession(), (session = null), navigate("")) }, "Sign out"),
        ]
      : []),
  );
}

async function render(): Promise<void> {
  for (const fn of leaving) fn();
  leaving = [];
  disposeCharts();
  const path = currentPath();
  session = loadSession();
  renderChrome(path);
  if (!session) {
    document.title = "Sign in · G2P Graph";
    renderLogin(app, () => void render());
    return;
  }
  const route = ROUTES.find((r) => r.pattern.test(path));
  if (!route) {
    app.replaceChildren(h("h1", {}, "Not found"), h("p", {}, h("a", { href: href(""), "data-link": true }, "Back to the overview")));
    return;
  }
  if (!can(session, ...route.needs)) {
    const first = ROUTES.find((r) => r.nav && can(session, ...r.needs));
    app.replaceChildren(
      h("h1", {}, route.title),
      h("p", { "data-forbidden": route.needs.join(" ") }, `Your role (${session.roles.join(", ")}) cannot see this page: it needs ${route.needs.join(" and ")}.`),
      h("p", {}, first ? h("a", { href: href(first.pattern.source.replace(/^\^|\$$/g, "")), "data-link": true }, first.title) : null),
    );
    return;
  }
  document.title = `${route.title} · G2P Graph`;
  const ctx: PageContext = {
    root: app,
    session,
    request,
    params: route.pattern.exec(path)!.slice(1).map(decodeURIComponent),
    query: new URLSearchParams(location.search),
    navigate,
    refresh: render,
    onLeave: (fn) => leaving.push(fn),
  };
  app.dataset.page = route.nav ?? route.title;
  app.dataset.loading = "true";
  try {
    await route.page(ctx);
  } catch (err) {
    if (!loadSession()) {
      renderChrome(path);
      renderLogin(app, () => void render(), "The server refused your token; sign in again.");
      return;
    }
    app.replaceChildren(h("h1", {}, route.title), errorBox(err));
  } finally {
    app.dataset.loading = "false";
  }
}

document.addEventListener("click", (ev) => {
  const a = (ev.target as Element | null)?.closest?.("a[data-link]") as HTMLAnchorElement | null;
  if (!a || ev.defaultPrevented || ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey) return;
  const url = new URL(a.href);
  if (url.origin !== location.origin || !url.pathname.startsWith(BASE)) return;
  ev.preventDefault();
  navigate(url.pathname.slice(BASE.length) + url.search);
});
window.addEventListener("popstate", () => void render());

void render();
