export * from "./testkit";
export * from "./processes";
