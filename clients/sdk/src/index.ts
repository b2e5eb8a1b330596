/**
 * @g2p/sdk — a typed client for the G2P graph. The operations it offers are in
 * clients/sdk/operations/*.graphql; their typed documents (`ProgramsDocument`, ...) and result types
 * are generated from schema/supergraph.graphql by `npm run compose`.
 */
export { G2PClient, type G2PClientOptions, type RequestOptions, type PaginateOptions, type Connection, type GraphQLResponse } from "./client";
export { staticToken, clientCredentials, type AuthProvider, type ClientCredentialsOptions, type ClientCredentialsProvider } from "./auth";
export { G2PError, isG2PError, type G2PErrorCode, type GraphErrorCode, type ClientErrorCode, type GraphQLErrorPayload } from "./errors";
export * from "./generated/graphql";
