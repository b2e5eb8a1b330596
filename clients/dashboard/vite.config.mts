/**
 * The operations dashboard: built to dist/ with base /dashboard/ (the gateway serves it there).
 * `npm run dev -w clients/dashboard` serves it with hot reload and proxies /graphql to a running
 * gateway (GRAPH_ORIGIN, default http://localhost:4000), so the app stays same-origin as in production.
 */
import { defineConfig } from "vite";

const graphOrigin = process.env.GRAPH_ORIGIN ?? "http://localhost:4000";

export default defineConfig({
  base: "/dashboard/",
  build: { outDir: "dist", emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 1000 },
  server: {
    port: Number(process.env.DASHBOARD_DEV_PORT ?? 5173),
    strictPort: false,
    proxy: { "/graphql": { target: graphOrigin, changeOrigin: true } },
  },
  preview: { proxy: { "/graphql": { target: graphOrigin, changeOrigin: true } } },
});
