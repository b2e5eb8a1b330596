import { subgraph as eligibility } from "@g2p/eligibility";
import { subgraph as identity } from "@g2p/identity";
import { buildSubgraphSchemaOf, type SubgraphDefinition } from "@g2p/kit";
import { subgraph as payments } from "@g2p/payments";
import { subgraph as registry } from "@g2p/registry";
import { subgraph as vouchers } from "@g2p/vouchers";

/** The subgraphs built in this repository, whose SDL we print from code. */
export const ownSubgraphs: SubgraphDefinition<any>[] = [registry, identity, eligibility, payments, vouchers];

/** name -> printed subgraph SDL (with the federation @link), as composition reads it. */
export async function printOwnSubgraphs(): Promise<Map<string, string>> {
  const printed = new Map<string, string>();
  for (const def of ownSubgraphs) printed.set(def.name, `${(await buildSubgraphSchemaOf(def)).sdl.trimEnd()}\n`);
  return printed;
}
