import { type TestSubgraph } from "./helpers";
export declare const ACCOUNTS_SDL = "\ntype Query {\n  me: User\n  hello: String\n  whoami: String\n  deep: Node\n  boom: String\n  forbidden: String\n  slow: String\n}\ntype Mutation { rename(name: String!): User }\ntype User @key(fields: \"id\") { id: ID! name: String }\ntype Node { id: ID! child: Node }\n";
/** An extra root field that only some supergraph versions expose (hot-reload tests). */
export declare const ACCOUNTS_EXTRA_SDL: string;
export declare const REVIEWS_SDL = "\ntype Query { topReviews: [Review!] }\ntype User @key(fields: \"id\") { id: ID! reviews: [Review!] }\ntype Review { body: String }\n";
export declare function startAccounts(opts?: {
    sdl?: string;
    slowMs?: number;
}): Promise<TestSubgraph>;
export declare function startReviews(): Promise<TestSubgraph>;
