export type ComposeResult = {
    supergraphSdl: string;
    hints: string[];
} | {
    errors: string[];
    hints: string[];
};
/** Composes the subgraphs listed in a `supergraph.yaml`; file paths are relative to the yaml file. */
export declare function composeFromYaml(path: string): Promise<ComposeResult>;
/** composeFromYaml plus every local file it read, so the gateway knows what to watch. */
export declare function composeYaml(path: string): Promise<{
    result: ComposeResult;
    files: string[];
}>;
