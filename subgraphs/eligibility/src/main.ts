import { runSubgraphMain } from "@g2p/kit";
import { subgraph } from "./index";

void runSubgraphMain(subgraph);
