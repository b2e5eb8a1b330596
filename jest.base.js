// Shared Jest settings: every package runs its TypeScript sources directly through swc, which keeps
// decorator metadata (type-graphql and MikroORM need it); `npm run typecheck` does the type checking.
const path = require("node:path");

const root = __dirname;
/** Packages published only as ES modules. */
const ESM_ONLY = ["@marcbachmann/cel-js"];
const swc = {
  jsc: {
    parser: { syntax: "typescript", decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
    target: "es2022",
  },
  module: { type: "commonjs" },
  sourceMaps: "inline",
};

module.exports = function jestProject(dir, testMatch = ["<rootDir>/test/**/*.test.ts"]) {
  return {
    displayName: path.relative(root, dir) || "root",
    rootDir: dir,
    testEnvironment: "node",
    testMatch,
    // ESM-only packages (fine for Node 20's require(esm) at run time) are compiled to CommonJS for Jest.
    transform: { "^.+\\.ts$": ["@swc/jest", swc], "^.+\\.m?js$": ["@swc/jest", { ...swc, jsc: { target: "es2022" } }] },
    transformIgnorePatterns: [`/node_modules/(?!(${ESM_ONLY.join("|")})/)`],
    moduleNameMapper: {
      "^@g2p/kit/(.*)$": `${root}/subgraphs/kit/src/$1`,
      "^@g2p/(kit|registry|identity|eligibility|payments|vouchers)$": `${root}/subgraphs/$1/src/index.ts`,
      "^@g2p/(gateway|schema)$": `${root}/$1/src/index.ts`,
      "^@g2p/test$": `${root}/test/src/index.ts`,
    },
    setupFiles: [`${root}/jest.setup.js`],
  };
};
