import { ApolloServer } from "@apollo/server";
import { sendJson, startHttpServer, type RunningHttpServer } from "../src/http";

// Routes beside /graphql: exact GET paths, method-qualified paths and prefixes (callbacks, static files).
describe("kit http routes", () => {
  let server: RunningHttpServer;
  let apollo: ApolloServer;
  let base: string;

  beforeAll(async () => {
    apollo = new ApolloServer({ typeDefs: "type Query { ok: Boolean }", resolvers: { Query: { ok: () => true } } });
    await apollo.start();
    server = await startHttpServer(
      {
        apollo,
        context: async () => ({}),
        routes: {
          "/health": (_req, res) => sendJson(res, 200, { route: "health" }),
          "PUT /callbacks/gsma": (req, res) => sendJson(res, 202, { route: "callback", method: req.method }),
          "GET /static/*": (req, res) => sendJson(res, 200, { route: "static", url: req.url }),
          "GET /static/api/*": (_req, res) => sendJson(res, 200, { route: "static-api" }),
        },
      },
      { host: "127.0.0.1", port: 0 },
    );
    base = server.url.replace(/\/graphql$/, "");
  });
  afterAll(async () => {
    await server.close();
    await apollo.stop();
  });

  const call = async (method: string, path: string) => {
    const res = await fetch(`${base}${path}`, { method });
    return { status: res.status, body: method === "HEAD" ? null : ((await res.json()) as Record<string, unknown>) };
  };

  it("serves a plain path on GET and HEAD only", async () => {
    expect(await call("GET", "/health")).toEqual({ status: 200, body: { route: "health" } });
    expect((await call("HEAD", "/health")).status).toBe(200);
    expect((await call("POST", "/health")).status).toBe(404);
  });

  it("serves a method-qualified path for that method only", async () => {
    expect(await call("PUT", "/callbacks/gsma")).toEqual({ status: 202, body: { route: "callback", method: "PUT" } });
    expect((await call("GET", "/callbacks/gsma")).status).toBe(404);
  });

  it("matches prefixes, longest first, including the bare folder", async () => {
    expect((await call("GET", "/static/app.js")).body).toEqual({ route: "static", url: "/static/app.js" });
    expect((await call("GET", "/static")).body).toMatchObject({ route: "static" });
    expect((await call("GET", "/static/api/x")).body).toEqual({ route: "static-api" });
    expect((await call("GET", "/staticx")).status).toBe(404);
  });
});
