/**
 * Deduplication must never change an answer:
 * - repeated entity representations inside one `_entities` fetch are sent once, and the answer
 *   (data and errors) is the one a stock @apollo/gateway gives, position by position;
 * - identical in-flight reads share one subgraph call only for the same caller: two tokens never
 *   share a result, a failure is shared only by calls that were in flight with it, mutations are
 *   never shared.
 */
import type { GraphQLDataSourceProcessOptions } from "@apollo/gateway";
import { ApolloGateway } from "@apollo/gateway";
import { ApolloServer } from "@apollo/server";
import { startStandaloneServer } from "@apollo/server/standalone";
import { signDevToken } from "@g2p/kit/auth";
import { GraphQLError } from "graphql";
import type { Dispatcher } from "undici";
import { SubgraphDataSource, type GatewayContext, type RunningGateway } from "../src";
import { cloneJson, expandEntities, planRepresentations, serializeRequest } from "../src/data-source";
import { createLogger } from "../src/logger";
import { createMetrics } from "../src/metrics";
import { baseOf, compose, fakeDispatcher, type FakeAnswer, gatewayFor, gql, startSubgraph, type SubgraphContext, type TestSubgraph } from "./helpers";

jest.setTimeout(20_000);

describe("representation plan", () => {
  test("sends each distinct representation once and maps every position back", () => {
    const reps = [{ __typename: "User", id: "1" }, { __typename: "User", id: "2" }, { __typename: "User", id: "1" }, { __typename: "User", id: "1" }];
    const plan = planRepresentations(reps);
    expect(plan.distinct).toEqual(['{"__typename":"User","id":"1"}', '{"__typename":"User","id":"2"}']);
    expect(plan.index).toEqual([0, 1, 0, 0]);
  });

  test("the body carries the distinct representations and every other field unchanged", () => {
    const { body, plan } = serializeRequest({
      query: "query Q($representations:[_Any!]!,$x:Int){_entities(representations:$representations){...on User{name}}}",
      operationName: "Q",
      variables: { representations: [{ id: "a" }, { id: "a" }, { id: "b" }], x: 3 },
      extensions: undefined,
    });
    expect(JSON.parse(body)).toEqual({
      query: "query Q($representations:[_Any!]!,$x:Int){_entities(representations:$representations){...on User{name}}}",
      operationName: "Q",
      variables: { representations: [{ id: "a" }, { id: "b" }], x: 3 },
    });
    expect(plan?.index).toEqual([0, 0, 1]);
    // Without representations the body is plain JSON of the request.
    expect(JSON.parse(serializeRequest({ query: "{ a }", variables: { y: 1 } }).body)).toEqual({ query: "{ a }", variables: { y: 1 } });
    expect(JSON.parse(serializeRequest({ variables: { representations: [] } }).body)).toEqual({ variables: { representations: [] } });
  });

  test("expanded entities are separate objects, and entity errors are repeated at every position", () => {
    const plan = planRepresentations([{ id: "1" }, { id: "2" }, { id: "1" }, { id: "2" }]);
    const body = expandEntities(
      {
        data: { _entities: [{ name: "Ada", tags: ["x"] }, { name: null }] },
        errors: [{ message: "no name", path: ["_entities", 1, "name"] }, { message: "other" }],
      },
      plan,
      "accounts",
    );
    const entities = body.data!._entities as Array<{ name: string | null; tags?: string[] }>;
    expect(entities).toEqual([{ name: "Ada", tags: ["x"] }, { name: null }, { name: "Ada", tags: ["x"] }, { name: null }]);
    // The gateway merges into these objects: a shared object would leak one position into another.
    entities[0]!.tags!.push("y");
    expect(entities[2]!.tags).toEqual(["x"]);
    expect(body.errors).toEqual([
      { message: "no name", path: ["_entities", 1, "name"] },
      { message: "no name", path: ["_entities", 3, "name"] },
      { message: "other" },
    ]);
  });

  test("an answer with the wrong number of entities is an error, not a silent misalignment", () => {
    const plan = planRepresentations([{ id: "1" }, { id: "2" }, { id: "1" }]);
    expect(() => expandEntities({ data: { _entities: [{ name: "only one" }] } }, plan, "accounts")).toThrow(/answered 1 entities for 2 representations/);
  });

  test("cloneJson copies deeply", () => {
    const value = { a: [{ b: 1 }, null, "s"], c: { d: true } };
    const copy = cloneJson(value);
    expect(copy).toEqual(value);
    expect(copy.a[0]).not.toBe(value.a[0]);
    expect(copy.c).not.toBe(value.c);
  });
});

describe("repeated entities through the gateway answer exactly like stock @apollo/gateway", () => {
  let posts: TestSubgraph;
  let people: TestSubgraph;
  let gw: RunningGateway;
  let stock: ApolloServer;
  let stockUrl: string;

  beforeAll(async () => {
    posts = await startSubgraph(
      "posts",
      `type Query { posts: [Post!]! } type Post { id: ID! author: User } type User @key(fields: "id") { id: ID! }`,
      { Query: { posts: () => ["u1", "u2", "u1", "u3", "u1", "u2"].map((id, i) => ({ id: `p${i}`, author: { id } })) } },
    );
    people = await startSubgraph("people", `type User @key(fields: "id") { id: ID! name: String tags: [String!] }`, {
      User: {
        __resolveReference: (ref: { id: string }) => ({ id: ref.id, tags: [ref.id] }),
        name: (u: { id: string }) => {
          if (u.id === "u2") throw new GraphQLError("u2 hides its name", { extensions: { code: "FORBIDDEN" } });
          return `name of ${u.id}`;
        },
      },
      Query: {},
    });
    const sdl = compose([posts, people]);
    gw = await gatewayFor({ supergraphSdl: sdl });
    stock = new ApolloServer({ gateway: new ApolloGateway({ supergraphSdl: sdl }) });
    stockUrl = (await startStandaloneServer(stock, { listen: { port: 0, host: "127.0.0.1" } })).url;
  });
  afterAll(async () => {
    await gw?.stop();
    await stock?.stop();
    await posts?.stop();
    await people?.stop();
  });

  test("same data and errors, fewer representations sent", async () => {
    const query = "{ posts { id author { id name tags } } }";
    const ours = await gql(gw.url, query);
    const theirs = await gql(stockUrl, query);
    expect(ours.status).toBe(200);
    expect(ours.body.data).toEqual(theirs.body.data);
    const shape = (errors: typeof ours.body.errors) => (errors ?? []).map((e) => ({ message: e.message, path: e.path, code: e.extensions?.code })).sort((a, b) => JSON.stringify(a.path).localeCompare(JSON.stringify(b.path)));
    expect(shape(ours.body.errors)).toEqual(shape(theirs.body.errors));
    // Both u2 positions carry the error.
    expect(shape(ours.body.errors).map((e) => e.path)).toEqual([
      ["posts", 1, "author", "name"],
      ["posts", 5, "author", "name"],
    ]);
    const metrics = await (await fetch(`${baseOf(gw.url)}/metrics`)).text();
    // Six authors, three distinct: three representations were not sent.
    expect(metrics).toMatch(/g2p_gateway_subgraph_dedup_total\{subgraph="people",kind="representation"\} 3/);
  });
});

describe("in-flight deduplication in the data source", () => {
  interface Call {
    authorization: string;
    body: string;
    resolve(answer: { status?: number; text: string }): void;
    reject(err: Error): void;
  }

  /** A dispatcher whose calls stay pending until the test settles them. */
  function controlledDispatcher() {
    const calls: Call[] = [];
    const dispatcher = {
      request(opts: { headers: Record<string, string>; body: string }) {
        return new Promise((resolve, reject) => {
          calls.push({
            authorization: opts.headers.authorization ?? "",
            body: opts.body,
            resolve: ({ status = 200, text }) => resolve({ statusCode: status, headers: { "content-type": "application/json" }, body: { text: async () => text } }),
            reject,
          });
        });
      },
    };
    return { calls, dispatcher: fakeDispatcher((opts) => dispatcher.request(opts) as Promise<FakeAnswer>) };
  }

  function source(dispatcher: Dispatcher, opts: { dedup?: boolean; retries?: number } = {}) {
    return new SubgraphDataSource({
      name: "accounts",
      url: "http://127.0.0.1:9/graphql",
      dispatcher,
      timeoutMs: 2_000,
      retries: opts.retries ?? 0,
      dedup: opts.dedup,
      metrics: createMetrics(),
      logger: createLogger("silent"),
    });
  }

  function incoming(query: string, authorization: string | undefined, requestId = "r"): GraphQLDataSourceProcessOptions<GatewayContext> {
    const context: GatewayContext = { requestId, authorization };
    return { kind: "incoming operation", request: { query, variables: {} }, incomingRequestContext: { context }, context } as unknown as GraphQLDataSourceProcessOptions<GatewayContext>;
  }

  const flush = () => new Promise((r) => setImmediate(r));

  test("two identical reads of the same caller share one call, and get separate objects", async () => {
    const { calls, dispatcher } = controlledDispatcher();
    const ds = source(dispatcher);
    const a = ds.process(incoming("{ me { name } }", "Bearer one", "r1"));
    const b = ds.process(incoming("{ me { name } }", "Bearer one", "r2"));
    await flush();
    expect(calls).toHaveLength(1);
    calls[0]!.resolve({ text: '{"data":{"me":{"name":"Ada"}}}' });
    const [ra, rb] = await Promise.all([a, b]);
    expect(ra.data).toEqual({ me: { name: "Ada" } });
    expect(rb.data).toEqual({ me: { name: "Ada" } });
    expect(ra.data).not.toBe(rb.data);
  });

  test("callers with different tokens (or none) never share a call or a result", async () => {
    const { calls, dispatcher } = controlledDispatcher();
    const ds = source(dispatcher);
    const results = ["Bearer one", "Bearer two", undefined].map((auth) => ds.process(incoming("{ whoami }", auth)));
    await flush();
    expect(calls.map((c) => c.authorization)).toEqual(["Bearer one", "Bearer two", ""]);
    for (const call of calls) call.resolve({ text: JSON.stringify({ data: { whoami: call.authorization || "anonymous" } }) });
    expect((await Promise.all(results)).map((r) => r.data)).toEqual([{ whoami: "Bearer one" }, { whoami: "Bearer two" }, { whoami: "anonymous" }]);
  });

  test("different bodies are different calls", async () => {
    const { calls, dispatcher } = controlledDispatcher();
    const ds = source(dispatcher);
    const a = ds.process(incoming("{ a }", "Bearer one"));
    const b = ds.process(incoming("{ b }", "Bearer one"));
    await flush();
    expect(calls).toHaveLength(2);
    calls[0]!.resolve({ text: '{"data":{"a":1}}' });
    calls[1]!.resolve({ text: '{"data":{"b":2}}' });
    expect([(await a).data, (await b).data]).toEqual([{ a: 1 }, { b: 2 }]);
  });

  test("a failure reaches only the calls that were in flight with it; the next call goes out again", async () => {
    const { calls, dispatcher } = controlledDispatcher();
    const ds = source(dispatcher);
    const a = ds.process(incoming("{ me { name } }", "Bearer one"));
    const b = ds.process(incoming("{ me { name } }", "Bearer one"));
    await flush();
    calls[0]!.reject(Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }));
    await expect(a).rejects.toMatchObject({ extensions: { code: "SUBGRAPH_UNAVAILABLE" } });
    await expect(b).rejects.toMatchObject({ extensions: { code: "SUBGRAPH_UNAVAILABLE" } });
    // Not remembered: a later identical read makes its own call and gets its own answer.
    const c = ds.process(incoming("{ me { name } }", "Bearer one"));
    await flush();
    expect(calls).toHaveLength(2);
    calls[1]!.resolve({ text: '{"data":{"me":{"name":"Ada"}}}' });
    expect((await c).data).toEqual({ me: { name: "Ada" } });
  });

  test("an HTTP error is mapped for each caller, and another caller's error is never seen", async () => {
    const { calls, dispatcher } = controlledDispatcher();
    const ds = source(dispatcher);
    const denied = ds.process(incoming("{ secret }", "Bearer intruder"));
    const allowed = ds.process(incoming("{ secret }", "Bearer owner"));
    await flush();
    expect(calls).toHaveLength(2);
    calls.find((c) => c.authorization === "Bearer intruder")!.resolve({ status: 403, text: '{"errors":[{"message":"not yours","extensions":{"code":"FORBIDDEN"}}]}' });
    calls.find((c) => c.authorization === "Bearer owner")!.resolve({ text: '{"data":{"secret":"s3"}}' });
    await expect(denied).rejects.toMatchObject({ message: "not yours", extensions: { code: "FORBIDDEN" } });
    expect((await allowed).data).toEqual({ secret: "s3" });
  });

  test("mutations are never shared", async () => {
    const { calls, dispatcher } = controlledDispatcher();
    const ds = source(dispatcher);
    const a = ds.process(incoming('mutation { pay(id: "1") }', "Bearer one"));
    const b = ds.process(incoming('mutation { pay(id: "1") }', "Bearer one"));
    await flush();
    expect(calls).toHaveLength(2);
    calls.forEach((c, i) => c.resolve({ text: JSON.stringify({ data: { pay: i } }) }));
    expect([(await a).data, (await b).data]).toEqual([{ pay: 0 }, { pay: 1 }]);
  });

  test("dedup can be turned off", async () => {
    const { calls, dispatcher } = controlledDispatcher();
    const ds = source(dispatcher, { dedup: false });
    const a = ds.process(incoming("{ me { name } }", "Bearer one"));
    const b = ds.process(incoming("{ me { name } }", "Bearer one"));
    await flush();
    expect(calls).toHaveLength(2);
    calls.forEach((c) => c.resolve({ text: '{"data":{"me":{"name":"Ada"}}}' }));
    await Promise.all([a, b]);
  });

  test("a body that is not a GraphQL response is an error naming the subgraph", async () => {
    const { calls, dispatcher } = controlledDispatcher();
    const ds = source(dispatcher);
    const a = ds.process(incoming("{ x }", undefined));
    await flush();
    calls[0]!.resolve({ text: "<html>proxy error</html>" });
    await expect(a).rejects.toThrow('Subgraph "accounts" answered with a body that is not a GraphQL response');
  });
});

describe("in-flight deduplication end to end", () => {
  let slow: TestSubgraph;
  let gw: RunningGateway;
  let calls = 0;

  beforeAll(async () => {
    slow = await startSubgraph("slow", "type Query { whoami: String }", {
      Query: {
        whoami: (_p: unknown, _a: unknown, c: unknown) => {
          calls++;
          const auth = (c as SubgraphContext).headers.authorization;
          return new Promise((resolve) => setTimeout(() => resolve(String(auth ?? "anonymous")), 300));
        },
      },
    });
    gw = await gatewayFor({ supergraphSdl: compose([slow]) });
  });
  afterAll(async () => {
    await gw?.stop();
    await slow?.stop();
  });

  test("concurrent callers with different tokens each get their own answer", async () => {
    const tokens = await Promise.all(["alice", "bob", "alice"].map((sub) => signDevToken({ sub, roles: ["auditor"] })));
    calls = 0;
    const [alice, bob, alice2] = await Promise.all(tokens.map((t) => gql(gw.url, "{ whoami }", { headers: { authorization: `Bearer ${t}` } })));
    expect(alice.body.data).toEqual({ whoami: `Bearer ${tokens[0]}` });
    expect(bob.body.data).toEqual({ whoami: `Bearer ${tokens[1]}` });
    expect(alice2.body.data).toEqual({ whoami: `Bearer ${tokens[2]}` });
    // Two different tokens at least; identical tokens (same second) may share one call.
    expect(calls).toBe(new Set(tokens).size);
  });

  test("the same caller's identical concurrent reads make one subgraph call", async () => {
    const token = await signDevToken({ sub: "carol", roles: ["auditor"] });
    calls = 0;
    const answers = await Promise.all([1, 2, 3].map(() => gql(gw.url, "{ whoami }", { headers: { authorization: `Bearer ${token}` } })));
    for (const a of answers) expect(a.body.data).toEqual({ whoami: `Bearer ${token}` });
    expect(calls).toBe(1);
    const metrics = await (await fetch(`${baseOf(gw.url)}/metrics`)).text();
    expect(metrics).toMatch(/g2p_gateway_subgraph_dedup_total\{subgraph="slow",kind="fetch"\} [2-9]/);
  });
});
