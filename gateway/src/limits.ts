/**
 * Operation limits from graphql-armor. Depth, aliases, directives and cost are validation rules:
 * Apollo Server wraps their errors as GRAPHQL_VALIDATION_FAILED (HTTP 400). The token limit runs
 * while parsing; its error also carries GRAPHQL_VALIDATION_FAILED (see test/limits.test.ts).
 */
import { ApolloArmor } from "@escape.tech/graphql-armor";
import type { ApolloServerPlugin } from "@apollo/server";
import type { ValidationRule } from "graphql";
import type { GatewayConfig } from "./config";

export interface Limits {
  plugins: ApolloServerPlugin[];
  validationRules: ValidationRule[];
}

export function createLimits(config: GatewayConfig): Limits {
  const production = config.NODE_ENV === "production";
  // A new ApolloArmor per server: protect() mutates the config objects it is given.
  const { plugins, validationRules } = new ApolloArmor({
    maxDepth: { n: config.MAX_DEPTH },
    maxAliases: { n: config.MAX_ALIASES },
    maxDirectives: { n: config.MAX_DIRECTIVES },
    maxTokens: { n: config.MAX_TOKENS },
    costLimit: { maxCost: config.MAX_COST },
    // Field suggestions reveal schema that introspection-off is meant to hide.
    blockFieldSuggestion: { enabled: config.BLOCK_FIELD_SUGGESTIONS ?? production },
  }).protect();
  return { plugins, validationRules };
}
