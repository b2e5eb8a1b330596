/**
 * Breaking-change check between two supergraphs, on their API schemas (what clients see, without
 * the join__ machinery), with @graphql-inspector/core.
 */
import { Supergraph } from "@apollo/federation-internals";
import { CriticalityLevel, diff, type Change } from "@graphql-inspector/core";
import type { GraphQLSchema } from "graphql";

export function apiSchemaOf(supergraphSdl: string): GraphQLSchema {
  return Supergraph.build(supergraphSdl).apiSchema().toGraphQLJSSchema();
}

export interface SchemaDiff {
  breaking: Change[];
  dangerous: Change[];
  safe: Change[];
}

export async function diffSupergraphs(before: string, after: string): Promise<SchemaDiff> {
  const changes = await diff(apiSchemaOf(before), apiSchemaOf(after));
  const of = (level: CriticalityLevel) => changes.filter((c) => c.criticality.level === level);
  return { breaking: of(CriticalityLevel.Breaking), dangerous: of(CriticalityLevel.Dangerous), safe: of(CriticalityLevel.NonBreaking) };
}

export function describeDiff(d: SchemaDiff): string {
  const lines: string[] = [];
  for (const [label, list] of [["BREAKING", d.breaking], ["dangerous", d.dangerous], ["safe", d.safe]] as const) {
    for (const change of list) lines.push(`  ${label}: ${change.message}${change.path ? ` (${change.path})` : ""}`);
  }
  return lines.length ? lines.join("\n") : "  no changes";
}
