/** Small DOM and formatting helpers: no framework, just elements. */
import { GraphQLRequestError } from "./graphql";

type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | null | undefined | ((ev: Event) => void)>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value == null || value === false) continue;
    if (typeof value === "function") el.addEventListener(name.replace(/^on/, "").toLowerCase(), value);
    else if (value === true) el.setAttribute(name, "");
    else el.setAttribute(name, String(value));
  }
  append(el, ...children);
  return el;
}

export function append(el: Element, ...children: Child[]): void {
  for (const c of children) {
    if (c == null || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
}

export function badge(state: string): HTMLElement {
  return h("span", { class: `badge ${state}`, "data-state": state }, state);
}

const intFormat = new Intl.NumberFormat("en");
export const fmtInt = (n: number): string => intFormat.format(n);
export const fmtPct = (ratio: number): string => `${(ratio * 100).toFixed(1)} %`;

/** Formats an exact decimal string with thousands separators, without going through a float. */
export function fmtMoney(amount: string | null | undefined, currency?: string | null): string {
  if (amount == null) return "–";
  const neg = amount.startsWith("-");
  const [int = "0", frac] = amount.replace(/^-/, "").split(".");
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const text = `${neg ? "-" : ""}${grouped}${frac !== undefined ? `.${frac}` : ""}`;
  return currency ? `${text} ${currency}` : text;
}

function scaleOf(v: string): number {
  return (v.split(".")[1] ?? "").length;
}

function toUnits(v: string, scale: number): bigint {
  const neg = v.startsWith("-");
  const [int = "0", frac = ""] = v.replace(/^-/, "").split(".");
  const units = BigInt(`${int}${frac.padEnd(scale, "0")}` || "0");
  return neg ? -units : units;
}

/** Exact sum of decimal strings (amounts are never floats in the graph). */
export function sumDecimals(values: (string | null | undefined)[]): string {
  const present = values.filter((v): v is string => typeof v === "string" && /^-?\d+(\.\d+)?$/.test(v));
  const scale = Math.max(2, ...present.map(scaleOf));
  const total = present.reduce((acc, v) => acc + toUnits(v, scale), 0n);
  const neg = total < 0n;
  const digits = (neg ? -total : total).toString().padStart(scale + 1, "0");
  return `${neg ? "-" : ""}${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
}

/** For charts only: a decimal string as a number. */
export const toNumber = (v: string | null | undefined): number => (v ? Number(v) : 0);

export function kpi(key: string, label: string, value: string, raw: string | number): HTMLElement {
  return h("div", { class: "kpi", "data-kpi": key, "data-value": String(raw) }, h("div", { class: "label" }, label), h("div", { class: "value" }, value));
}

export function errorBox(err: unknown): HTMLElement {
  if (err instanceof GraphQLRequestError) {
    return h("div", { class: "error", "data-error-code": err.codes.join(" ") }, h("strong", {}, err.codes.join(", ")), " — ", err.errors.map((e) => e.message).join("; "));
  }
  return h("div", { class: "error", "data-error-code": "ERROR" }, String((err as Error)?.message ?? err));
}

export function toast(text: string, kind: "ok" | "error" = "ok"): void {
  const host = document.getElementById("toast");
  if (!host) return;
  const msg = h("div", { class: `msg ${kind === "error" ? "error" : ""}` }, text);
  host.append(msg);
  setTimeout(() => msg.remove(), 6000);
}

/**
 * An operation button: runs `action`, shows the server's refusal (its extensions.code) next to it,
 * and calls `done` on success. `op` names it for tests and for people reading the DOM.
 */
export function opButton(op: string, label: string, action: () => Promise<unknown>, done: () => void | Promise<void>, extra: Attrs = {}): HTMLElement {
  const out = h("span", { class: "op-result" });
  const button = h("button", { type: "button", "data-op": op, ...extra }, label);
  button.addEventListener("click", async () => {
    button.disabled = true;
    out.replaceChildren();
    try {
      await action();
      toast(`${label}: done`);
      await done();
    } catch (err) {
      out.replaceChildren(errorBox(err));
      toast(`${label}: ${err instanceof GraphQLRequestError ? err.codes.join(", ") : "failed"}`, "error");
    } finally {
      button.disabled = false;
    }
  });
  return h("span", { class: "ops" }, button, out);
}

export function table(headers: (string | [string, "num"])[], rows: Child[][], attrs: Attrs = {}): HTMLTableElement {
  return h(
    "table",
    attrs,
    h("thead", {}, h("tr", {}, ...headers.map((t) => (Array.isArray(t) ? h("th", { class: "num" }, t[0]) : h("th", {}, t))))),
    h(
      "tbody",
      {},
      ...rows.map((cells) =>
        h("tr", {}, ...cells.map((c, i) => (Array.isArray(headers[i]) ? h("td", { class: "num" }, c) : h("td", {}, c)))),
      ),
    ),
  );
}

/** The end of a long id (ids created together share their time-ordered beginning). */
export function shortId(id: string): string {
  return id.length > 12 ? `…${id.slice(-8)}` : id;
}
