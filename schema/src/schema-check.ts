import { readFile } from "node:fs/promises";
import { describeDiff, diffSupergraphs } from "./check";
import { composeCurrent, SUPERGRAPH_GRAPHQL } from "./compose";

/**
 * The graph as the code is now, against the committed supergraph (or `committedPath`): exit code 1
 * on a composition error or a breaking change, 0 otherwise (a stale but compatible file is reported).
 */
export async function runSchemaCheck(opts: {
  committedPath?: string;
  out: (line: string) => void;
  err: (line: string) => void;
}): Promise<number> {
  const committedPath = opts.committedPath ?? SUPERGRAPH_GRAPHQL;
  const { result } = await composeCurrent();
  if ("errors" in result) {
    opts.err("Composition failed:");
    for (const e of result.errors) opts.err(`  - ${e}`);
    return 1;
  }
  const committed = await readFile(committedPath, "utf8");
  const changes = await diffSupergraphs(committed, result.supergraphSdl);
  opts.out(`Changes against ${committedPath}:\n${describeDiff(changes)}`);
  if (changes.breaking.length > 0) {
    opts.err(`${changes.breaking.length} breaking change(s): clients of the graph would break.`);
    return 1;
  }
  if (committed !== `${result.supergraphSdl.trimEnd()}\n`) opts.out("The committed supergraph is stale: run `npm run compose`.");
  return 0;
}
