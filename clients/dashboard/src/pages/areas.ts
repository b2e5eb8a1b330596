/** Registrants by administrative area (click an area to look inside it), by sex, age band and kind. */
import { chart } from "../charts";
import { href, type PageContext } from "../context";
import { REGISTRANT_STATS, type Bucket } from "../queries";
import { fmtInt, h, kpi, table } from "../ui";

export async function areasPage(ctx: PageContext): Promise<void> {
  const area = ctx.query.get("area");
  const { registrantStats: s } = await ctx.request(REGISTRANT_STATS, { filter: area ? { adminArea: area } : null });
  const areaEl = h("div", { class: "chart", id: "chart-areas", style: `height:${Math.max(300, s.byArea.length * 28)}px` });
  const sexEl = h("div", { class: "chart", id: "chart-sex" });
  const ageEl = h("div", { class: "chart", id: "chart-age" });
  const areas = [...s.byArea].sort((a, b) => b.count - a.count);
  ctx.root.replaceChildren(
    h("div", { class: "toolbar" }, h("h1", {}, area ? `Area ${area}` : "Registrants by area"), area ? h("a", { href: href("areas"), "data-link": true }, "all areas") : null),
    h("div", { class: "kpis" }, kpi("registrants", "Registrants", fmtInt(s.total), s.total), ...s.byKind.map((k) => kpi(`kind-${k.key}`, k.key, fmtInt(k.count), k.count))),
    h(
      "div",
      { class: "grid2" },
      h("div", { class: "card" }, h("h2", {}, "By administrative area"), areaEl, h("p", { class: "muted" }, "Click an area to look inside it.")),
      h(
        "div",
        { class: "card" },
        h("h2", {}, "Areas"),
        table(
          ["Area", ["Registrants", "num"], ["Share", "num"]],
          areas.map((a) => [h("a", { href: href(`areas?area=${encodeURIComponent(a.key)}`), "data-link": true, "data-area": a.key }, a.key || "(none)"), fmtInt(a.count), s.total ? `${((100 * a.count) / s.total).toFixed(1)} %` : "–"]),
          { id: "areas" },
        ),
      ),
      h("div", { class: "card" }, h("h2", {}, "By sex"), sexEl),
      h("div", { class: "card" }, h("h2", {}, "By age band"), ageEl),
    ),
  );
  const c = chart(areaEl, {
    tooltip: { trigger: "axis" },
    grid: { left: 110, right: 30, top: 10, bottom: 30 },
    xAxis: { type: "value", minInterval: 1 },
    yAxis: { type: "category", data: [...areas].reverse().map((a) => a.key || "(none)") },
    series: [{ type: "bar", data: [...areas].reverse().map((a) => a.count), label: { show: true, position: "right" }, barMaxWidth: 22 }],
  });
  c.on("click", (p) => p.name !== "(none)" && ctx.navigate(`areas?area=${encodeURIComponent(String(p.name))}`));
  const pie = (el: HTMLElement, data: Bucket[]) =>
    chart(el, { tooltip: { trigger: "item" }, legend: { bottom: 0 }, series: [{ type: "pie", radius: ["35%", "65%"], data: data.map((b) => ({ name: b.key || "(unknown)", value: b.count })) }] });
  pie(sexEl, s.bySex);
  chart(ageEl, {
    tooltip: { trigger: "axis" },
    grid: { left: 50, right: 20, top: 20, bottom: 30 },
    xAxis: { type: "category", data: s.byAgeBand.map((b) => b.key || "(unknown)") },
    yAxis: { type: "value", minInterval: 1 },
    series: [{ type: "bar", data: s.byAgeBand.map((b) => b.count), barMaxWidth: 40 }],
  });
}
