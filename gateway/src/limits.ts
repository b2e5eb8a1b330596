/**
 * Operation limits. Depth, aliases, directives and cost come from graphql-armor as validation
 * rules: Apollo Server reports their breaches as GRAPHQL_VALIDATION_FAILED (HTTP 400).
 *
 * The token limit does NOT use armor's Apollo plugin: it parses in `parsingDidStart` and rethrows
 * from `unexpectedErrorProcessingRequest`, so every over-long *and every merely malformed* query
 * becomes HTTP 500 (graphql-armor issues #571, #751). graphql-js has the same limit built into its
 * parser (`parse(source, { maxTokens })`); Apollo Server passes `parseOptions` to it, and a breach
 * is an ordinary GRAPHQL_PARSE_FAILED (HTTP 400).
 */
import { ApolloArmor } from "@escape.tech/graphql-armor";
import type { ApolloServerPlugin } from "@apollo/server";
import type { ParseOptions, ValidationRule } from "graphql";
import type { GatewayConfig } from "./config";
import { listSizeLimitPlugin } from "./list-size";

export interface Limits {
  plugins: ApolloServerPlugin[];
  validationRules: ValidationRule[];
  parseOptions: ParseOptions;
}

export function createLimits(config: GatewayConfig): Limits {
  const production = config.NODE_ENV === "production";
  // In production a breach says only "Query validation error.", not the limit and the value found.
  const exposeLimits = !production;
  // A new ApolloArmor per server: protect() mutates the config objects it is given.
  const { plugins, validationRules } = new ApolloArmor({
    maxDepth: { n: config.MAX_DEPTH, exposeLimits },
    maxAliases: { n: config.MAX_ALIASES, exposeLimits },
    maxDirectives: { n: config.MAX_DIRECTIVES, exposeLimits },
    costLimit: { maxCost: config.MAX_COST, exposeLimits },
    maxTokens: { enabled: false },
    // Field suggestions reveal schema that introspection-off is meant to hide.
    blockFieldSuggestion: { enabled: config.BLOCK_FIELD_SUGGESTIONS ?? production },
  }).protect();
  // Armor's cost ignores arguments: a page of 500 costs what a page of 1 does. This one counts them.
  const listSize = listSizeLimitPlugin({ maxNodes: config.MAX_RESULT_NODES, defaultPageSize: config.DEFAULT_PAGE_SIZE, exposeLimits });
  return { plugins: [...plugins, listSize], validationRules, parseOptions: { maxTokens: config.MAX_TOKENS } };
}
