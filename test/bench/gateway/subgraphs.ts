/**
 * The four subgraphs of the public federation-gateway benchmark (accounts, inventory, products,
 * reviews), our own implementation: same schema shape (keys, `@requires`, `@provides`), synthetic
 * data. They run in one process on a bare node:http server with a parse cache, so that the gateway
 * under test, not the subgraphs, is what the benchmark measures.
 *
 * Routes: POST /accounts, /inventory, /products, /reviews; GET /stats returns and resets the number
 * of calls per subgraph, how many carried no `authorization` header, and the representations
 * received by `_entities` calls (total and distinct per call).
 *
 * Run as a child process: `node -r scripts/ts-register.js test/bench/gateway/subgraphs.ts` prints
 * `{"url":"http://127.0.0.1:PORT"}` once listening (PORT env, default 0).
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { buildSubgraphSchema } from "@apollo/subgraph";
import { execute, parse, validate, type DocumentNode, type GraphQLSchema } from "graphql";

const LINK = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@external", "@requires", "@provides", "@shareable"])`;

export const SDL = {
  accounts: `${LINK}
type Query { me: User user(id: ID!): User users: [User] }
type User @key(fields: "id") { id: ID! name: String username: String @shareable birthday: Int }`,
  inventory: `${LINK}
type Product @key(fields: "upc") {
  upc: String!
  weight: Int @external
  price: Int @external
  inStock: Boolean
  shippingEstimate: Int @requires(fields: "price weight")
}`,
  products: `${LINK}
type Query { topProducts(first: Int = 5): [Product] }
type Product @key(fields: "upc") { upc: String! name: String price: Int weight: Int }`,
  reviews: `${LINK}
type Review @key(fields: "id") { id: ID! body: String product: Product author: User @provides(fields: "username") }
type User @key(fields: "id") { id: ID! username: String @external reviews: [Review] }
type Product @key(fields: "upc") { upc: String! reviews: [Review] }`,
} as const;

export type SubgraphName = keyof typeof SDL;
export const SUBGRAPH_NAMES = Object.keys(SDL) as SubgraphName[];

// Synthetic data, deterministic, shaped like the public benchmark's: few entities with long text
// bodies, every user with two reviews, every product in a few, so each `_entities` fetch carries
// many repeats of a few distinct representations.
const FIRST = ["Amina", "Brian", "Chen", "Dagny", "Emeka", "Farah"];
const LAST = ["Okafor", "Lindqvist", "Moreau", "Tanaka", "Wanjiru", "Haddad"];
const USERS = FIRST.map((first, i) => ({ id: String(i + 1), name: `${first} ${LAST[i]}`, username: first.toLowerCase() + (i + 1), birthday: 631152000 + i * 86_400 * 97 }));
const ITEMS = ["Kettle", "Bench", "Lantern", "Blanket", "Radio", "Bucket", "Stove", "Mattress", "Bicycle"];
const PRODUCTS = ITEMS.map((name, i) => ({ upc: String(i + 1), name, price: 150 + ((i * 7919) % 4000), weight: 20 + ((i * 104729) % 900) }));
const WORDS = "delivered sturdy household market village cooperative season harvest clinic school payment voucher transfer family ration solar water repair durable simple".split(" ");
const REVIEWS = Array.from({ length: 12 }, (_, i) => ({
  id: String(i + 1),
  // ~600 characters of text per review, different for each.
  body: Array.from({ length: 80 }, (_, w) => WORDS[(i * 7 + w * 3 + ((w * w) % 5)) % WORDS.length]).join(" ") + ".",
  upc: String((i % 6) + 1),
  authorId: String(Math.floor(i / 2) + 1),
}));
const userById = new Map(USERS.map((u) => [u.id, u]));
const productByUpc = new Map(PRODUCTS.map((p) => [p.upc, p]));
const reviewById = new Map(REVIEWS.map((r) => [r.id, r]));
type ReviewRow = (typeof REVIEWS)[number];
const reviewOut = (r: ReviewRow) => ({ id: r.id, body: r.body, product: { upc: r.upc }, author: { id: r.authorId, username: userById.get(r.authorId)!.username } });

/** Our own shipping rule: free above 1000, else by weight (the value matters less than the @requires hop). */
const shipping = (price: number | null | undefined, weight: number | null | undefined) => (price == null || weight == null ? null : price > 1000 ? 0 : Math.round(weight / 2));

function buildSchemas(): Record<SubgraphName, GraphQLSchema> {
  return {
    accounts: buildSubgraphSchema({
      typeDefs: parse(SDL.accounts),
      resolvers: {
        Query: { me: () => USERS[0], user: (_: unknown, a: { id: string }) => userById.get(a.id) ?? null, users: () => USERS },
        User: { __resolveReference: (ref: { id: string }) => userById.get(ref.id) ?? null },
      } as never,
    }),
    inventory: buildSubgraphSchema({
      typeDefs: parse(SDL.inventory),
      resolvers: {
        Product: {
          __resolveReference: (ref: { upc: string; price?: number; weight?: number }) => ({ ...ref, inStock: Number(ref.upc) % 3 !== 0 }),
          shippingEstimate: (p: { price?: number; weight?: number }) => shipping(p.price, p.weight),
        },
      } as never,
    }),
    products: buildSubgraphSchema({
      typeDefs: parse(SDL.products),
      resolvers: {
        Query: { topProducts: (_: unknown, a: { first: number }) => PRODUCTS.slice(0, a.first) },
        Product: { __resolveReference: (ref: { upc: string }) => productByUpc.get(ref.upc) ?? null },
      } as never,
    }),
    reviews: buildSubgraphSchema({
      typeDefs: parse(SDL.reviews),
      resolvers: {
        Review: { __resolveReference: (ref: { id: string }) => (reviewById.has(ref.id) ? reviewOut(reviewById.get(ref.id)!) : null) },
        User: { reviews: (u: { id: string }) => REVIEWS.filter((r) => r.authorId === u.id).map(reviewOut) },
        Product: { reviews: (p: { upc: string }) => REVIEWS.filter((r) => r.upc === p.upc).map(reviewOut) },
      } as never,
    }),
  };
}

export interface SubgraphStats {
  calls: Record<SubgraphName, number>;
  /** Calls without an authorization header (the gateways must forward the caller's). */
  unauthenticated: number;
  /** Representations received by `_entities` calls, and how many were distinct within their call. */
  representations: number;
  distinctRepresentations: number;
}

export interface BenchSubgraphs {
  url: string;
  stop(): Promise<void>;
}

export async function startBenchSubgraphs(port = 0): Promise<BenchSubgraphs> {
  const schemas = buildSchemas();
  // The gateways send the same few dozen operations over and over: parse and validate each once.
  const documents = new Map<string, DocumentNode | readonly Error[]>();
  const fresh = (): SubgraphStats => ({ calls: { accounts: 0, inventory: 0, products: 0, reviews: 0 }, unauthenticated: 0, representations: 0, distinctRepresentations: 0 });
  let stats = fresh();

  const send = (res: http.ServerResponse, status: number, body: unknown) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text) });
    res.end(text);
  };

  const server = http.createServer((req, res) => {
    const name = (req.url ?? "/").slice(1) as SubgraphName;
    if (req.method === "GET" && req.url === "/stats") {
      send(res, 200, stats);
      stats = fresh();
      return;
    }
    const schema = req.method === "POST" ? schemas[name] : undefined;
    if (!schema) {
      send(res, 404, { errors: [{ message: "not found" }] });
      return;
    }
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      let body: { query?: string; variables?: Record<string, unknown>; operationName?: string };
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as typeof body;
      } catch {
        send(res, 400, { errors: [{ message: "body is not JSON" }] });
        return;
      }
      stats.calls[name]++;
      if (!req.headers.authorization) stats.unauthenticated++;
      const reps = body.variables?.representations;
      if (Array.isArray(reps)) {
        stats.representations += reps.length;
        stats.distinctRepresentations += new Set(reps.map((r) => JSON.stringify(r))).size;
      }
      const key = `${name}\n${body.query ?? ""}`;
      let doc = documents.get(key);
      if (!doc) {
        try {
          const parsed = parse(body.query ?? "");
          const errors = validate(schema, parsed);
          doc = errors.length ? errors : parsed;
        } catch (err) {
          doc = [err as Error];
        }
        documents.set(key, doc);
      }
      if (Array.isArray(doc)) {
        send(res, 400, { errors: (doc as Error[]).map((e) => ({ message: e.message })) });
        return;
      }
      Promise.resolve(execute({ schema, document: doc as DocumentNode, variableValues: body.variables, operationName: body.operationName })).then(
        (result) => send(res, 200, result),
        (err: unknown) => send(res, 500, { errors: [{ message: String(err) }] }),
      );
    });
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  const { port: actual } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${actual}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

if (require.main === module) {
  startBenchSubgraphs(Number(process.env.PORT ?? 0)).then(
    (s) => process.stdout.write(`${JSON.stringify({ url: s.url })}\n`),
    (err: unknown) => {
      process.stderr.write(`bench subgraphs: ${String(err)}\n`);
      process.exit(1);
    },
  );
}
