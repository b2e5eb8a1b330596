/**
 * Validation of FSPIOP v1.1 message bodies against the official OpenAPI definition
 * (test/fixtures/standards/mojaloop-fspiop/v1.1/fspiop-v1.1-openapi3.yaml, an unmodified copy): the body
 * schema is the one the spec gives for the path and method. The definition's schemas use no OpenAPI-only
 * keywords (no nullable, no boolean exclusiveMinimum), so they are JSON Schema as they stand; ajv ignores
 * the `example`/`description` annotations (strict: false).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import Ajv, { type ValidateFunction } from "ajv";
import { parse as parseYaml } from "yaml";

export const FSPIOP_SPEC = path.resolve(__dirname, "../../fixtures/standards/mojaloop-fspiop/v1.1/fspiop-v1.1-openapi3.yaml");

export interface FspiopValidator {
  /** null when valid; the problems otherwise. `path` is relative to the API root, e.g. "/transfers/{uuid}/error". */
  request(method: string, path: string, body: unknown): string[] | null;
  /** The body of a synchronous error answer (4xx/5xx: ErrorInformationResponse). */
  errorResponse(body: unknown): string[] | null;
  /** Headers the spec marks as required on the request, missing from `headers` (lower-case names). */
  missingHeaders(method: string, path: string, headers: Record<string, unknown>): string[];
}

interface Operation {
  template: RegExp;
  /** Path segments that are not parameters ("error" beats {SubId}). */
  literals: number;
  method: string;
  schemaRef: string | null;
  requiredHeaders: string[];
}

let cached: FspiopValidator | null = null;

export function fspiopValidator(): FspiopValidator {
  if (cached) return cached;
  const doc = parseYaml(readFileSync(FSPIOP_SPEC, "utf8"));
  const ajv = new Ajv({ strict: false, allErrors: true });
  ajv.addSchema({ $id: "fspiop", components: { schemas: doc.components.schemas } });
  const compiled = new Map<string, ValidateFunction>();
  const validatorFor = (ref: string) => {
    let v = compiled.get(ref);
    if (!v) compiled.set(ref, (v = ajv.compile({ $ref: `fspiop${ref}` })));
    return v;
  };
  const resolveParam = (p: any) => (p.$ref ? doc.components.parameters[String(p.$ref).split("/").pop()!] : p);
  const operations: Operation[] = [];
  for (const [template, item] of Object.entries<any>(doc.paths)) {
    const pattern = new RegExp(`^${template.replace(/\{[^}]+\}/g, "[^/]+")}$`);
    for (const method of ["get", "put", "post", "patch", "delete"]) {
      const op = item[method];
      if (!op) continue;
      const params = [...(item.parameters ?? []), ...(op.parameters ?? [])].map(resolveParam);
      operations.push({
        template: pattern,
        literals: template.split("/").filter((seg) => seg && !seg.startsWith("{")).length,
        method: method.toUpperCase(),
        schemaRef: op.requestBody?.content?.["application/json"]?.schema?.$ref ?? null,
        requiredHeaders: params.filter((p: any) => p.in === "header" && p.required).map((p: any) => String(p.name).toLowerCase()),
      });
    }
  }
  // Literal segments ("error") beat path parameters: order by the number of literal segments, most first.
  operations.sort((a, b) => b.literals - a.literals);
  const find = (method: string, p: string) => operations.find((o) => o.method === method.toUpperCase() && o.template.test(p));
  const problems = (v: ValidateFunction, body: unknown) => (v(body) ? null : (v.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message}`));
  cached = {
    request(method, p, body) {
      const op = find(method, p);
      if (!op) return [`no operation ${method} ${p} in the FSPIOP v1.1 definition`];
      if (!op.schemaRef) return body === undefined || body === null ? null : [`${method} ${p} takes no body`];
      return problems(validatorFor(op.schemaRef), body);
    },
    errorResponse(body) {
      return problems(validatorFor("#/components/schemas/ErrorInformationResponse"), body);
    },
    missingHeaders(method, p, headers) {
      const op = find(method, p);
      if (!op) return [`no operation ${method} ${p}`];
      return op.requiredHeaders.filter((h) => h !== "content-length" && (headers[h] === undefined || headers[h] === ""));
    },
  };
  return cached;
}
