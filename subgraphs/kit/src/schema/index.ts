/**
 * Turns type-graphql resolvers into a Federation 2 subgraph schema. type-graphql keeps directives
 * (such as @key) only on AST nodes, so we print with printSchemaWithDirectives, prepend the
 * federation @link, and hand the SDL plus type-graphql's resolvers to @apollo/subgraph.
 */
import { buildSubgraphSchema } from "@apollo/subgraph";
import { printSchemaWithDirectives } from "@graphql-tools/utils";
import type DataLoader from "dataloader";
import { parse, type GraphQLSchema } from "graphql";
import { buildSchema, createResolversMap, type AuthChecker, type NonEmptyArray } from "type-graphql";
import type { Permission } from "../auth/roles";
import { forbidden, unauthenticated } from "../errors";
import type { SubgraphContext } from "../context";

export const FEDERATION_LINK =
  'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", ' +
  'import: ["@key", "@shareable", "@external", "@requires", "@provides", "@inaccessible", "@tag", "@override"])';

/**
 * An entity this subgraph can resolve from a reference `{ __typename, id }`: always through a
 * per-request DataLoader, so N references cost one query.
 */
export interface EntityReference<L> {
  typeName: string;
  loader: (loaders: L) => DataLoader<string, unknown>;
}

/**
 * `@Authorized(...permissions)`: anonymous callers get UNAUTHENTICATED, callers lacking every listed
 * permission get FORBIDDEN. `@Authorized()` with no argument only requires a valid token.
 */
export const permissionAuthChecker: AuthChecker<SubgraphContext> = ({ context }, permissions) => {
  if (!context.viewer.authenticated) throw unauthenticated();
  if (permissions.length === 0) return true;
  if ((permissions as Permission[]).some((p) => context.viewer.can(p))) return true;
  throw forbidden(`Requires one of: ${permissions.join(", ")}`);
};

export interface FederatedSchemaOptions<L> {
  resolvers: NonEmptyArray<Function>;
  /** Types reachable only through field resolvers (entity stubs such as Registrant). */
  orphanedTypes?: Function[];
  references?: EntityReference<L>[];
}

export interface FederatedSchema {
  schema: GraphQLSchema;
  /** The subgraph SDL with federation directives, as composition reads it. */
  sdl: string;
}

export async function buildFederatedSchema<L>(opts: FederatedSchemaOptions<L>): Promise<FederatedSchema> {
  const typeGraphQLSchema = await buildSchema({
    resolvers: opts.resolvers,
    orphanedTypes: opts.orphanedTypes,
    authChecker: permissionAuthChecker,
    authMode: "error",
    validate: false,
    skipCheck: true,
  });
  const resolvers = createResolversMap(typeGraphQLSchema) as Record<string, Record<string, unknown>>;
  for (const ref of opts.references ?? []) {
    resolvers[ref.typeName] = {
      ...resolvers[ref.typeName],
      __resolveReference: (reference: { id: string }, ctx: SubgraphContext<L>) => ref.loader(ctx.loaders).load(reference.id),
    };
  }
  const sdl = `${FEDERATION_LINK}\n\n${printSchemaWithDirectives(typeGraphQLSchema)}`;
  const schema = buildSubgraphSchema({ typeDefs: parse(sdl), resolvers: resolvers as never });
  return { schema, sdl };
}
