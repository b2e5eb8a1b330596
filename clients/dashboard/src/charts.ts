/**
 * ECharts, tree-shaken to what the pages use (bar, line, pie on canvas). Each chart marks its
 * container `data-chart-ready` once drawn, and is disposed when the page changes.
 */
import { BarChart, LineChart, PieChart } from "echarts/charts";
import { GridComponent, LegendComponent, TitleComponent, TooltipComponent } from "echarts/components";
import * as echarts from "echarts/core";
import { CanvasRenderer } from "echarts/renderers";

echarts.use([BarChart, LineChart, PieChart, GridComponent, LegendComponent, TitleComponent, TooltipComponent, CanvasRenderer]);

export type ChartOption = echarts.EChartsCoreOption;
export type Chart = echarts.ECharts;

const live = new Set<Chart>();

export const PALETTE = ["#2f6fde", "#12805c", "#c8322b", "#b7791f", "#7a5af8", "#0e9384", "#dd2590", "#667085"];
export const STATE_COLORS: Record<string, string> = {
  COMPLETED: "#12805c",
  UTILIZED: "#12805c",
  FAILED: "#c8322b",
  CANCELLED: "#98a2b3",
  EXPIRED: "#98a2b3",
  UNKNOWN: "#b7791f",
  SUSPENDED: "#b7791f",
  INVALID: "#dd2590",
  PAYEE_NOT_FOUND: "#7a5af8",
  PENDING: "#667085",
  INACTIVE: "#667085",
  READY: "#0e9384",
  SENT: "#2f6fde",
  ACTIVE: "#2f6fde",
};

export function chart(el: HTMLElement, option: ChartOption): Chart {
  const instance = echarts.init(el, undefined, { renderer: "canvas" });
  el.dataset.chartReady = "false";
  instance.on("finished", () => {
    el.dataset.chartReady = "true";
  });
  instance.setOption({ color: PALETTE, animationDuration: 400, textStyle: { fontFamily: "system-ui, sans-serif" }, ...option });
  live.add(instance);
  return instance;
}

export function disposeCharts(): void {
  for (const c of live) c.dispose();
  live.clear();
}

window.addEventListener("resize", () => {
  for (const c of live) c.resize();
});
