/**
 * Runs the gateway's tests from source with @swc/jest (fast, no type check; `npm run typecheck`
 * covers types). @g2p/kit is mapped to its source so tests need no kit build.
 */
module.exports = {
  testEnvironment: "node",
  testMatch: ["<rootDir>/test/**/*.test.ts"],
  transform: {
    "^.+\\.ts$": [
      "@swc/jest",
      {
        jsc: {
          parser: { syntax: "typescript", decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
          target: "es2022",
        },
        module: { type: "commonjs" },
      },
    ],
  },
  moduleNameMapper: {
    "^@g2p/kit/(.*)$": "<rootDir>/../subgraphs/kit/src/$1",
    "^@g2p/kit$": "<rootDir>/../subgraphs/kit/src/index.ts",
  },
};
