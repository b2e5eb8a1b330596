import type { Logger } from "pino";
export declare function createGatewayErrorFormatter(opts: {
    production: boolean;
    logger: Logger;
}): (formatted: import("graphql").GraphQLFormattedError, error: unknown) => import("graphql").GraphQLFormattedError;
