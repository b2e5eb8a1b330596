import "reflect-metadata";

export * from "./auth";
export * from "./audit";
export * from "./config";
export * from "./context";
export * from "./errors";
export * from "./jobs";
export * from "./loaders";
export * from "./logger";
export * from "./orm";
export * from "./pagination";
export * from "./schema";
export * from "./subgraph";
export { kitEntities } from "./entities";
export { registrantRefType, type RegistrantKey } from "./registrant-ref";
export * from "./money";
export * from "./testing";
export * from "./money-type";
