"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.REVIEWS_SDL = exports.ACCOUNTS_EXTRA_SDL = exports.ACCOUNTS_SDL = void 0;
exports.startAccounts = startAccounts;
exports.startReviews = startReviews;
/** Two small subgraphs shared by the suites: accounts (users, misc root fields) and reviews. */
const graphql_1 = require("graphql");
const helpers_1 = require("./helpers");
exports.ACCOUNTS_SDL = `
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
exports.ACCOUNTS_EXTRA_SDL = exports.ACCOUNTS_SDL.replace("type Query {", "type Query {\n  extra: String");
exports.REVIEWS_SDL = `
type Query { topReviews: [Review!] }
type User @key(fields: "id") { id: ID! reviews: [Review!] }
type Review { body: String }
`;
const ctx = (c) => c;
function startAccounts(opts = {}) {
    return (0, helpers_1.startSubgraph)("accounts", opts.sdl ?? exports.ACCOUNTS_EXTRA_SDL, {
        Query: {
            me: () => ({ id: "u1", name: "Ada" }),
            hello: () => "hi",
            extra: () => "extra!",
            whoami: (_p, _a, c) => String(ctx(c).headers.authorization ?? "anonymous"),
            deep: () => ({ id: "n" }),
            boom: () => {
                throw new Error("secret internal detail");
            },
            forbidden: () => {
                throw new graphql_1.GraphQLError("not for you", { extensions: { code: "FORBIDDEN" } });
            },
            slow: () => new Promise((resolve) => setTimeout(() => resolve("late"), opts.slowMs ?? 1_000).unref()),
        },
        Mutation: { rename: (_p, args) => ({ id: "u1", name: args.name }) },
        User: { __resolveReference: (ref) => ({ id: ref.id, name: "Ada" }) },
        Node: { child: (n) => ({ id: `${n.id}.c` }) },
    });
}
function startReviews() {
    return (0, helpers_1.startSubgraph)("reviews", exports.REVIEWS_SDL, {
        Query: { topReviews: () => [{ body: "top" }] },
        User: {
            __resolveReference: (ref) => ({ id: ref.id }),
            reviews: (u) => [{ body: `great ${u.id}` }],
        },
    });
}
//# sourceMappingURL=fixtures.js.map