/** Two small subgraphs shared by the suites: accounts (users, misc root fields) and reviews. */
import { GraphQLError } from "graphql";
import { startSubgraph, type SubgraphContext, type TestSubgraph } from "./helpers";

export const ACCOUNTS_SDL = `
type Query {
  me: User
  hello: String
  whoami: String
  deep: Node
  boom: String
  forbidden: String
  slow: String
}
type Mutation { rename(name: String!): User }
type User @key(fields: "id") { id: ID! name: String }
type Node { id: ID! child: Node }
`;

/** An extra root field that only some supergraph versions expose (hot-reload tests). */
export const ACCOUNTS_EXTRA_SDL = ACCOUNTS_SDL.replace("type Query {", "type Query {\n  extra: String");

export const REVIEWS_SDL = `
type Query { topReviews: [Review!] }
type User @key(fields: "id") { id: ID! reviews: [Review!] }
type Review { body: String }
`;

const ctx = (c: unknown) => c as SubgraphContext;

export function startAccounts(opts: { sdl?: string; slowMs?: number } = {}): Promise<TestSubgraph> {
  return startSubgraph("accounts", opts.sdl ?? ACCOUNTS_EXTRA_SDL, {
    Query: {
      me: () => ({ id: "u1", name: "Ada" }),
      hello: () => "hi",
      extra: () => "extra!",
      whoami: (_p: unknown, _a: unknown, c: unknown) => String(ctx(c).headers.authorization ?? "anonymous"),
      deep: () => ({ id: "n" }),
      boom: () => {
        throw new Error("secret internal detail");
      },
      forbidden: () => {
        throw new GraphQLError("not for you", { extensions: { code: "FORBIDDEN" } });
      },
      slow: () => new Promise((resolve) => setTimeout(() => resolve("late"), opts.slowMs ?? 1_000).unref()),
    },
    Mutation: { rename: (_p: unknown, args: { name: string }) => ({ id: "u1", name: args.name }) },
    User: { __resolveReference: (ref: { id: string }) => ({ id: ref.id, name: "Ada" }) },
    Node: { child: (n: { id: string }) => ({ id: `${n.id}.c` }) },
  });
}

export function startReviews(): Promise<TestSubgraph> {
  return startSubgraph("reviews", REVIEWS_SDL, {
    Query: { topReviews: () => [{ body: "top" }] },
    User: {
      __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
      reviews: (u: { id: string }) => [{ body: `great ${u.id}` }],
    },
  });
}
