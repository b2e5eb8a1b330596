/**
 * Refuses text containing the NUL character (U+0000) before any resolver runs. No G2P field can
 * legitimately hold it; PostgreSQL refuses it in `text` columns, and on SQLite a NUL inside a query
 * value breaks the statement ("unrecognized token") — both surfaced as INTERNAL_SERVER_ERROR until
 * the fuzz suite found it. One check here covers every argument of every block: variables and
 * literals in the document alike.
 */
import type { ApolloServerPlugin, BaseContext } from "@apollo/server";
import { visit, type DocumentNode } from "graphql";
import { badInput } from "./errors";

const NUL = "\u0000";

function hasNul(value: unknown, depth = 0): boolean {
  if (typeof value === "string") return value.includes(NUL);
  if (depth > 64 || value === null || typeof value !== "object") return false;
  if (Array.isArray(value)) return value.some((v) => hasNul(v, depth + 1));
  return Object.entries(value).some(([k, v]) => k.includes(NUL) || hasNul(v, depth + 1));
}

/** Apollo Server reuses one parsed DocumentNode per query text: walk each once, not per request. */
const checkedDocuments = new WeakMap<DocumentNode, boolean>();

function documentHasNul(document: DocumentNode): boolean {
  const known = checkedDocuments.get(document);
  if (known !== undefined) return known;
  let found = false;
  visit(document, {
    StringValue(node) {
      if (node.value.includes(NUL)) found = true;
    },
  });
  checkedDocuments.set(document, found);
  return found;
}

export function nulGuardPlugin<T extends BaseContext>(): ApolloServerPlugin<T> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document }) {
          if (hasNul(request.variables) || documentHasNul(document)) {
            throw badInput("Text may not contain the NUL character (U+0000)");
          }
        },
      };
    },
  };
}
