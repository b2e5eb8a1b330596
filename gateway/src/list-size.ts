/**
 * A limit on how many result nodes an operation may ask for, counting page sizes.
 *
 * graphql-armor's cost limit gives each field a fixed cost and never reads arguments, so
 * `registrants(first: 500) { nodes { payments(first: 500) { … } } }` costs the same as a page of 1.
 * This estimate multiplies every field's sub-selection by its page size: the value of its `first`
 * (or `last`) argument, from the document or from the request's variables — which validation rules
 * cannot see, hence a plugin at `didResolveOperation`. A list field without a page-size argument
 * counts once (subgraphs bound those lists themselves), so the figure is a floor, not a ceiling.
 *
 * A breach is GRAPHQL_VALIDATION_FAILED with HTTP 400, as armor's own limits answer, before any
 * subgraph is called.
 */
import type { ApolloServerPlugin } from "@apollo/server";
import {
  GraphQLError,
  Kind,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from "graphql";

const PAGE_ARGUMENTS = new Set(["first", "last"]);

/**
 * The estimated number of result nodes: every field counts 1, times the page sizes of the list
 * fields above it. Fragments are expanded (each fragment at most once per path: GraphQL forbids
 * fragment cycles, validation has already refused them).
 */
export function estimateNodes(
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown> | undefined,
  defaultPageSize: number,
): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);

  const pageSize = (field: FieldNode): number => {
    for (const arg of field.arguments ?? []) {
      if (!PAGE_ARGUMENTS.has(arg.name.value)) continue;
      const n = numberOf(arg.value, variables);
      // null or absent: the subgraph applies its default page size.
      return n === null ? defaultPageSize : Math.max(0, n);
    }
    return 1;
  };

  const count = (set: SelectionSetNode, seen: ReadonlySet<string>): number => {
    let total = 0;
    for (const sel of set.selections) {
      if (sel.kind === Kind.FIELD) {
        total += 1 + (sel.selectionSet ? pageSize(sel) * count(sel.selectionSet, seen) : 0);
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        total += count(sel.selectionSet, seen);
      } else {
        const name = sel.name.value;
        const fragment = fragments.get(name);
        if (fragment && !seen.has(name)) total += count(fragment.selectionSet, new Set([...seen, name]));
      }
      if (!Number.isFinite(total)) return Number.POSITIVE_INFINITY;
    }
    return total;
  };

  return count(operation.selectionSet, new Set());
}

function numberOf(value: ValueNode, variables: Record<string, unknown> | undefined): number | null {
  if (value.kind === Kind.INT) return Number(value.value);
  if (value.kind === Kind.VARIABLE) {
    const v = variables?.[value.name.value];
    return typeof v === "number" && Number.isFinite(v) ? v : null;
  }
  return null;
}

export function listSizeLimitPlugin(opts: { maxNodes: number; defaultPageSize: number; exposeLimits: boolean }): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, operation, request }) {
          if (!operation) return; // Apollo Server has already refused a document without one
          const nodes = estimateNodes(document, operation, request.variables, opts.defaultPageSize);
          if (nodes <= opts.maxNodes) return;
          const detail = opts.exposeLimits ? ` (asks for about ${nodes} result nodes counting page sizes; the limit is ${opts.maxNodes})` : "";
          throw new GraphQLError(`Query validation error: the result would be too large${detail}. Ask for smaller pages.`, {
            extensions: { code: "GRAPHQL_VALIDATION_FAILED", http: { status: 400 } },
          });
        },
      };
    },
  };
}
