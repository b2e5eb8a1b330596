"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.isYaml = void 0;
exports.loadSupergraph = loadSupergraph;
exports.fileSupergraphSource = fileSupergraphSource;
exports.introspectionSource = introspectionSource;
exports.subgraphsOf = subgraphsOf;
/**
 * Where the gateway's supergraph comes from: a composed `.graphql` file or a `supergraph.yaml`
 * composed at start. The file (and for yaml, every schema file it lists) is watched; a change is fed
 * to ApolloGateway through the `supergraphSdl` hook's `update`. A change that fails to load, compose
 * or build leaves the running graph in place. IntrospectAndCompose is offered for development only.
 */
const node_fs_1 = require("node:fs");
const promises_1 = require("node:fs/promises");
const node_path_1 = require("node:path");
const gateway_1 = require("@apollo/gateway");
const graphql_1 = require("graphql");
const compose_1 = require("./compose");
const isYaml = (path) => /\.ya?ml$/i.test(path);
exports.isYaml = isYaml;
/** Reads a supergraph `.graphql` file, or composes a `supergraph.yaml`. Never throws. */
async function loadSupergraph(path) {
    const file = (0, node_path_1.resolve)(path);
    if ((0, exports.isYaml)(file)) {
        const { result, files } = await (0, compose_1.composeYaml)(file);
        return "errors" in result ? { errors: result.errors, files } : { ...result, files };
    }
    try {
        const supergraphSdl = await (0, promises_1.readFile)(file, "utf8");
        if (supergraphSdl.trim() === "")
            return { errors: [`${file} is empty`], files: [file] };
        return { supergraphSdl, hints: [], files: [file] };
    }
    catch (err) {
        return { errors: [`${file}: ${err.message}`], files: [file] };
    }
}
/** The ApolloGateway `supergraphSdl` hook for a file: first load, then reload on every change. */
function fileSupergraphSource(path, opts) {
    const { logger } = opts;
    return async ({ update }) => {
        const first = await loadSupergraph(path);
        if ("errors" in first)
            throw new Error(`Could not load the supergraph from ${path}:\n  ${first.errors.join("\n  ")}`);
        logHints(logger, first.hints);
        if (!opts.watch)
            return { supergraphSdl: first.supergraphSdl };
        let current = first.supergraphSdl;
        const reload = async () => {
            if (watcher.closed)
                return; // the gateway is stopping
            const next = await loadSupergraph(path);
            if (watcher.closed)
                return;
            watcher.watch(next.files); // a yaml edit may add or drop schema files
            if ("errors" in next) {
                logger.error({ path, errors: next.errors }, "supergraph reload failed; keeping the current graph");
                opts.onReload?.("failure");
                return;
            }
            if (next.supergraphSdl === current)
                return; // touched or saved unchanged
            try {
                // Throws (synchronously) when the SDL is not a valid supergraph; the gateway keeps the old one.
                update(next.supergraphSdl);
            }
            catch (err) {
                logger.error({ path, errors: [err.message] }, "supergraph reload failed; keeping the current graph");
                opts.onReload?.("failure");
                return;
            }
            current = next.supergraphSdl;
            logHints(logger, next.hints);
            logger.info({ path }, "supergraph reloaded");
            opts.onReload?.("success");
        };
        // Reloads run one at a time, in order; changes arriving meanwhile collapse into one more reload.
        let queued = false;
        let chain = Promise.resolve();
        const schedule = () => {
            if (queued)
                return;
            queued = true;
            chain = chain.then(() => {
                queued = false;
                return reload().catch((err) => logger.error({ err }, "supergraph reload crashed"));
            });
        };
        const watcher = new FileSetWatcher(opts.debounceMs ?? 100, schedule, logger);
        watcher.watch(first.files);
        return {
            supergraphSdl: first.supergraphSdl,
            cleanup: async () => {
                watcher.close();
                await chain;
            },
        };
    };
}
function logHints(logger, hints) {
    if (hints.length > 0)
        logger.info({ hints }, `composition produced ${hints.length} hint(s)`);
}
/**
 * Watches a set of files through their directories, so a file replaced by rename (how most
 * editors and `git checkout` save) keeps being watched.
 */
class FileSetWatcher {
    constructor(debounceMs, onChange, logger) {
        this.debounceMs = debounceMs;
        this.onChange = onChange;
        this.logger = logger;
        this.watchers = new Map();
        this.names = new Map();
        this.closed = false;
    }
    watch(files) {
        if (this.closed)
            return;
        this.names = new Map();
        for (const file of files) {
            const dir = (0, node_path_1.dirname)(file);
            if (!this.names.has(dir))
                this.names.set(dir, new Set());
            this.names.get(dir).add((0, node_path_1.basename)(file));
        }
        for (const [dir, watcher] of this.watchers) {
            if (!this.names.has(dir)) {
                watcher.close();
                this.watchers.delete(dir);
            }
        }
        for (const dir of this.names.keys()) {
            if (this.watchers.has(dir))
                continue;
            try {
                // persistent: false: the HTTP server keeps the process alive, a watcher should not.
                const watcher = (0, node_fs_1.watch)(dir, { persistent: false }, (_event, name) => {
                    if (name === null || this.names.get(dir)?.has(name.toString()))
                        this.changed();
                });
                watcher.on("error", (err) => this.logger.warn({ err, dir }, "cannot watch supergraph directory"));
                this.watchers.set(dir, watcher);
            }
            catch (err) {
                this.logger.warn({ err, dir }, "cannot watch supergraph directory");
            }
        }
    }
    close() {
        this.closed = true;
        clearTimeout(this.timer);
        for (const watcher of this.watchers.values())
            watcher.close();
        this.watchers.clear();
    }
    changed() {
        clearTimeout(this.timer);
        this.timer = setTimeout(this.onChange, this.debounceMs);
        this.timer.unref();
    }
}
/**
 * Development only: introspect running subgraphs (`_service { sdl }`) and compose in memory.
 * `spec` is `name=url,url,...`; a bare URL is named after its position (subgraph1, subgraph2, ...).
 */
function introspectionSource(spec, pollIntervalInMs) {
    const subgraphs = spec
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean)
        .map((item, i) => {
        const eq = item.indexOf("=");
        return eq > 0 && !item.slice(0, eq).includes(":")
            ? { name: item.slice(0, eq), url: item.slice(eq + 1) }
            : { name: `subgraph${i + 1}`, url: item };
    });
    return new gateway_1.IntrospectAndCompose({ subgraphs, pollIntervalInMs: pollIntervalInMs || undefined });
}
/** The subgraphs a supergraph routes to, from `enum join__Graph { X @join__graph(name:, url:) }`. */
function subgraphsOf(supergraphSdl) {
    const out = [];
    for (const def of (0, graphql_1.parse)(supergraphSdl).definitions) {
        if (def.kind !== graphql_1.Kind.ENUM_TYPE_DEFINITION || def.name.value !== "join__Graph")
            continue;
        for (const value of def.values ?? []) {
            const directive = value.directives?.find((d) => d.name.value === "join__graph");
            const arg = (n) => directive?.arguments?.find((a) => a.name.value === n)?.value;
            const str = (v) => (v?.kind === graphql_1.Kind.STRING ? v.value : undefined);
            const url = str(arg("url"));
            if (url !== undefined)
                out.push({ name: str(arg("name")) ?? value.name.value.toLowerCase(), url });
        }
    }
    return out;
}
//# sourceMappingURL=supergraph-source.js.map