import type { ApolloServerPlugin } from "@apollo/server";
import type { ParseOptions, ValidationRule } from "graphql";
import type { GatewayConfig } from "./config";
export interface Limits {
    plugins: ApolloServerPlugin[];
    validationRules: ValidationRule[];
    parseOptions: ParseOptions;
}
export declare function createLimits(config: GatewayConfig): Limits;
