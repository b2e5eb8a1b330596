export { startGateway, type StartGatewayOptions, type RunningGateway } from "./server";
export { composeFromYaml, composeYaml, type ComposeResult } from "./compose";
export { loadSupergraph, subgraphsOf, type LoadResult, type SubgraphInfo } from "./supergraph-source";
export { gatewayEnv, readGatewayConfig, type GatewayConfig } from "./config";
export { SubgraphDataSource, SubgraphFetchError, SUBGRAPH_TIMEOUT, SUBGRAPH_UNAVAILABLE, type GatewayContext, } from "./data-source";
