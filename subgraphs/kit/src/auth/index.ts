export * from "./roles";
export * from "./viewer";
export * from "./tokens";
