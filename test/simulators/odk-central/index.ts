export * from "./server";
export * from "./households";
