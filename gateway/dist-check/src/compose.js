"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.composeFromYaml = composeFromYaml;
exports.composeYaml = composeYaml;
/**
 * Composes a supergraph from a Rover-format `supergraph.yaml` with @apollo/composition, without
 * Rover (whose `supergraph compose` downloads a plug-in at run time). Shared with schema/ (the
 * `npm run compose` CLI), so every problem comes back as a readable line rather than a throw.
 */
const promises_1 = require("node:fs/promises");
const node_path_1 = require("node:path");
const composition_1 = require("@apollo/composition");
const graphql_1 = require("graphql");
const undici_1 = require("undici");
const yaml_1 = require("yaml");
const zod_1 = require("zod");
const SERVICE_SDL_QUERY = "query __ApolloGetServiceDefinition__ { _service { sdl } }";
const subgraphEntry = zod_1.z.object({
    routing_url: zod_1.z.string().optional(),
    schema: zod_1.z.union([
        zod_1.z.object({ file: zod_1.z.string() }),
        zod_1.z.object({ subgraph_url: zod_1.z.string(), introspection_headers: zod_1.z.record(zod_1.z.string(), zod_1.z.string()).optional() }),
    ]),
});
const supergraphYaml = zod_1.z.object({
    federation_version: zod_1.z.union([zod_1.z.string(), zod_1.z.number()]).optional(),
    subgraphs: zod_1.z.record(zod_1.z.string(), subgraphEntry),
});
/** Composes the subgraphs listed in a `supergraph.yaml`; file paths are relative to the yaml file. */
async function composeFromYaml(path) {
    return (await composeYaml(path)).result;
}
/** composeFromYaml plus every local file it read, so the gateway knows what to watch. */
async function composeYaml(path) {
    const yamlPath = (0, node_path_1.resolve)(path);
    const files = [yamlPath];
    const fail = (errors) => ({ result: { errors, hints: [] }, files });
    let config;
    try {
        const parsed = supergraphYaml.safeParse((0, yaml_1.parse)(await (0, promises_1.readFile)(yamlPath, "utf8")));
        if (!parsed.success) {
            return fail(parsed.error.issues.map((i) => `${yamlPath}: ${i.path.join(".") || "(root)"}: ${i.message}`));
        }
        config = parsed.data;
    }
    catch (err) {
        return fail([`${yamlPath}: ${err.message}`]);
    }
    // Loaded concurrently (subgraph_url entries go over the network); problems reported in yaml order.
    const loaded = await Promise.all(Object.entries(config.subgraphs).map(async ([name, entry]) => {
        const url = entry.routing_url ?? ("subgraph_url" in entry.schema ? entry.schema.subgraph_url : undefined);
        if ("file" in entry.schema)
            files.push((0, node_path_1.resolve)((0, node_path_1.dirname)(yamlPath), entry.schema.file));
        if (!url)
            return { error: `[${name}] routing_url is required when the schema comes from a file` };
        try {
            return { service: { name, url, typeDefs: await loadSubgraphSdl(name, entry, (0, node_path_1.dirname)(yamlPath)) } };
        }
        catch (err) {
            return { error: err.message };
        }
    }));
    const errors = loaded.flatMap((l) => (l.error !== undefined ? [l.error] : []));
    if (errors.length > 0)
        return fail(errors);
    const services = loaded.flatMap((l) => (l.service ? [l.service] : []));
    const composed = (0, composition_1.composeServices)(services);
    const hints = (composed.hints ?? []).map((h) => `${h.definition.code}: ${h.message}`);
    if (composed.errors) {
        return { result: { errors: composed.errors.map((e) => `${e.extensions.code ?? "COMPOSITION_ERROR"}: ${e.message}`), hints }, files };
    }
    return { result: { supergraphSdl: composed.supergraphSdl, hints }, files };
}
async function loadSubgraphSdl(name, entry, baseDir) {
    const source = "file" in entry.schema ? (0, node_path_1.resolve)(baseDir, entry.schema.file) : entry.schema.subgraph_url;
    let sdl;
    try {
        sdl = "file" in entry.schema ? await (0, promises_1.readFile)(source, "utf8") : await fetchSdl(source, entry.schema.introspection_headers);
    }
    catch (err) {
        throw new Error(`[${name}] could not read the schema from ${source}: ${err.message}`, { cause: err });
    }
    try {
        return (0, graphql_1.parse)(sdl);
    }
    catch (err) {
        throw new Error(`[${name}] ${source}: ${err.message}`, { cause: err });
    }
}
/** A subgraph's SDL from its `_service { sdl }` field (what Rover's `subgraph_url` does). */
async function fetchSdl(url, headers = {}) {
    const res = await (0, undici_1.request)(url, {
        method: "POST",
        headers: { ...headers, "content-type": "application/json" },
        body: JSON.stringify({ query: SERVICE_SDL_QUERY }),
        signal: AbortSignal.timeout(10_000),
    });
    const text = await res.body.text();
    if (res.statusCode !== 200)
        throw new Error(`HTTP ${res.statusCode}`);
    const sdl = JSON.parse(text).data?._service?.sdl;
    if (typeof sdl !== "string")
        throw new Error("the answer has no data._service.sdl (is it a federation subgraph?)");
    return sdl;
}
//# sourceMappingURL=compose.js.map