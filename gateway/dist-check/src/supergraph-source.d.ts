import { IntrospectAndCompose, type SupergraphSdlHook } from "@apollo/gateway";
import type { Logger } from "pino";
export type LoadResult = {
    supergraphSdl: string;
    hints: string[];
    files: string[];
} | {
    errors: string[];
    files: string[];
};
export declare const isYaml: (path: string) => boolean;
/** Reads a supergraph `.graphql` file, or composes a `supergraph.yaml`. Never throws. */
export declare function loadSupergraph(path: string): Promise<LoadResult>;
export interface FileSourceOptions {
    logger: Logger;
    watch: boolean;
    /** Quiet period after the last change before reloading: editors write a file in several steps. */
    debounceMs?: number;
    onReload?: (result: "success" | "failure") => void;
}
/** The ApolloGateway `supergraphSdl` hook for a file: first load, then reload on every change. */
export declare function fileSupergraphSource(path: string, opts: FileSourceOptions): SupergraphSdlHook;
/**
 * Development only: introspect running subgraphs (`_service { sdl }`) and compose in memory.
 * `spec` is `name=url,url,...`; a bare URL is named after its position (subgraph1, subgraph2, ...).
 */
export declare function introspectionSource(spec: string, pollIntervalInMs: number): IntrospectAndCompose;
export interface SubgraphInfo {
    name: string;
    url: string;
}
/** The subgraphs a supergraph routes to, from `enum join__Graph { X @join__graph(name:, url:) }`. */
export declare function subgraphsOf(supergraphSdl: string): SubgraphInfo[];
