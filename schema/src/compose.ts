/**
 * Composition of this repository's graph: print our subgraphs' SDL from code, then compose every
 * entry of supergraph.yaml (ours and vendors') with the gateway's own composer, so `npm run compose`
 * and the gateway can never disagree about what a supergraph.yaml means.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { composeFromYaml, type ComposeResult } from "@g2p/gateway";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { printOwnSubgraphs } from "./own-subgraphs";

export const SCHEMA_DIR = path.resolve(__dirname, "..");
export const SUPERGRAPH_YAML = path.join(SCHEMA_DIR, "supergraph.yaml");
export const SUPERGRAPH_GRAPHQL = path.join(SCHEMA_DIR, "supergraph.graphql");
export const subgraphSdlPath = (name: string) => path.join(SCHEMA_DIR, "subgraphs", `${name}.graphql`);

export interface Composition {
  result: ComposeResult;
  /** Our subgraphs' SDL as printed from code now. */
  printed: Map<string, string>;
}

/**
 * Composes the graph as the code is now, without touching the committed files: our subgraphs' SDL
 * comes from code, the other entries from supergraph.yaml as written.
 */
export async function composeCurrent(yamlPath = SUPERGRAPH_YAML): Promise<Composition> {
  const printed = await printOwnSubgraphs();
  const config = parseYaml(await readFile(yamlPath, "utf8")) as { subgraphs: Record<string, { schema: { file?: string } }> };
  const dir = await mkdtemp(path.join(tmpdir(), "g2p-compose-"));
  try {
    for (const [name, entry] of Object.entries(config.subgraphs ?? {})) {
      if (printed.has(name)) {
        const file = path.join(dir, `${name}.graphql`);
        await writeFile(file, printed.get(name)!);
        entry.schema = { file };
      } else if (entry.schema?.file) {
        entry.schema = { file: path.resolve(path.dirname(yamlPath), entry.schema.file) };
      }
    }
    const tempYaml = path.join(dir, "supergraph.yaml");
    await writeFile(tempYaml, stringifyYaml(config));
    return { result: await composeFromYaml(tempYaml), printed };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** `npm run compose`: writes each subgraph's SDL and the composed supergraph.graphql. */
export async function composeAndWrite(): Promise<Composition> {
  const composition = await composeCurrent();
  if ("supergraphSdl" in composition.result) {
    for (const [name, sdl] of composition.printed) await writeFile(subgraphSdlPath(name), sdl);
    await writeFile(SUPERGRAPH_GRAPHQL, `${composition.result.supergraphSdl.trimEnd()}\n`);
  }
  return composition;
}
