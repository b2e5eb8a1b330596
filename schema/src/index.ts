export * from "./compose";
export * from "./check";
export * from "./own-subgraphs";
export * from "./schema-check";
