/**
 * Composes a supergraph from a Rover-format `supergraph.yaml` with @apollo/composition, without
 * Rover (whose `supergraph compose` downloads a plug-in at run time). Shared with schema/ (the
 * `npm run compose` CLI), so every problem comes back as a readable line rather than a throw.
 */
import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { composeServices } from "@apollo/composition";
import { parse, type DocumentNode } from "graphql";
import { request } from "undici";
import { parse as parseYaml } from "yaml";
import { z } from "zod";

export type ComposeResult = { supergraphSdl: string; hints: string[] } | { errors: string[]; hints: string[] };

const SERVICE_SDL_QUERY = "query __ApolloGetServiceDefinition__ { _service { sdl } }";

const subgraphEntry = z.object({
  routing_url: z.string().optional(),
  schema: z.union([
    z.object({ file: z.string() }),
    z.object({ subgraph_url: z.string(), introspection_headers: z.record(z.string(), z.string()).optional() }),
  ]),
});
const supergraphYaml = z.object({
  federation_version: z.union([z.string(), z.number()]).optional(),
  subgraphs: z.record(z.string(), subgraphEntry),
});
type SubgraphEntry = z.infer<typeof subgraphEntry>;

/** Composes the subgraphs listed in a `supergraph.yaml`; file paths are relative to the yaml file. */
export async function composeFromYaml(path: string): Promise<ComposeResult> {
  return (await composeYaml(path)).result;
}

/** composeFromYaml plus every local file it read, so the gateway knows what to watch. */
export async function composeYaml(path: string): Promise<{ result: ComposeResult; files: string[] }> {
  const yamlPath = resolve(path);
  const files = [yamlPath];
  const fail = (errors: string[]) => ({ result: { errors, hints: [] }, files });

  let config: z.infer<typeof supergraphYaml>;
  try {
    const parsed = supergraphYaml.safeParse(parseYaml(await readFile(yamlPath, "utf8")));
    if (!parsed.success) {
      return fail(parsed.error.issues.map((i) => `${yamlPath}: ${i.path.join(".") || "(root)"}: ${i.message}`));
    }
    config = parsed.data;
  } catch (err) {
    return fail([`${yamlPath}: ${(err as Error).message}`]);
  }

  // Loaded concurrently (subgraph_url entries go over the network); problems reported in yaml order.
  const loaded = await Promise.all(
    Object.entries(config.subgraphs).map(async ([name, entry]) => {
      const url = entry.routing_url ?? ("subgraph_url" in entry.schema ? entry.schema.subgraph_url : undefined);
      if ("file" in entry.schema) files.push(resolve(dirname(yamlPath), entry.schema.file));
      if (!url) return { error: `[${name}] routing_url is required when the schema comes from a file` };
      try {
        return { service: { name, url, typeDefs: await loadSubgraphSdl(name, entry, dirname(yamlPath)) } };
      } catch (err) {
        return { error: (err as Error).message };
      }
    }),
  );
  const errors = loaded.flatMap((l) => (l.error !== undefined ? [l.error] : []));
  if (errors.length > 0) return fail(errors);
  const services = loaded.flatMap((l) => (l.service ? [l.service] : []));

  const composed = composeServices(services);
  const hints = (composed.hints ?? []).map((h) => `${h.definition.code}: ${h.message}`);
  if (composed.errors) {
    return { result: { errors: composed.errors.map((e) => `${e.extensions.code ?? "COMPOSITION_ERROR"}: ${e.message}`), hints }, files };
  }
  return { result: { supergraphSdl: composed.supergraphSdl, hints }, files };
}

async function loadSubgraphSdl(name: string, entry: SubgraphEntry, baseDir: string): Promise<DocumentNode> {
  const source = "file" in entry.schema ? resolve(baseDir, entry.schema.file) : entry.schema.subgraph_url;
  let sdl: string;
  try {
    sdl = "file" in entry.schema ? await readFile(source, "utf8") : await fetchSdl(source, entry.schema.introspection_headers);
  } catch (err) {
    throw new Error(`[${name}] could not read the schema from ${source}: ${(err as Error).message}`, { cause: err });
  }
  try {
    return parse(sdl);
  } catch (err) {
    throw new Error(`[${name}] ${source}: ${(err as Error).message}`, { cause: err });
  }
}

/** A subgraph's SDL from its `_service { sdl }` field (what Rover's `subgraph_url` does). */
async function fetchSdl(url: string, headers: Record<string, string> = {}): Promise<string> {
  const res = await request(url, {
    method: "POST",
    headers: { ...headers, "content-type": "application/json" },
    body: JSON.stringify({ query: SERVICE_SDL_QUERY }),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.body.text();
  if (res.statusCode !== 200) throw new Error(`HTTP ${res.statusCode}`);
  const sdl = (JSON.parse(text) as { data?: { _service?: { sdl?: unknown } } }).data?._service?.sdl;
  if (typeof sdl !== "string") throw new Error("the answer has no data._service.sdl (is it a federation subgraph?)");
  return sdl;
}
