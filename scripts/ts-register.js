/**
 * `node -r ./scripts/ts-register.js some/src/main.ts`: runs this repository's TypeScript sources
 * without a build, the way Jest does (swc, keeping decorator metadata), with every @g2p/* package
 * mapped to its sources. Tests use it to spawn real processes (the gateway CLI, a subgraph to kill).
 */
const fs = require("node:fs");
const Module = require("node:module");
const path = require("node:path");
const { transformSync } = require("@swc/core");

const root = path.resolve(__dirname, "..");
const sources = {
  kit: "subgraphs/kit/src",
  registry: "subgraphs/registry/src",
  identity: "subgraphs/identity/src",
  eligibility: "subgraphs/eligibility/src",
  payments: "subgraphs/payments/src",
  vouchers: "subgraphs/vouchers/src",
  gateway: "gateway/src",
  schema: "schema/src",
  test: "test/src",
};

const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  const match = /^@g2p\/([a-z]+)(?:\/(.+))?$/.exec(request);
  if (match && sources[match[1]]) {
    const target = path.join(root, sources[match[1]], match[2] ?? "index");
    return resolveFilename.call(this, target, ...rest);
  }
  return resolveFilename.call(this, request, ...rest);
};

require.extensions[".ts"] = (module, filename) => {
  const { code } = transformSync(fs.readFileSync(filename, "utf8"), {
    filename,
    jsc: {
      parser: { syntax: "typescript", decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
      target: "es2022",
    },
    module: { type: "commonjs" },
    sourceMaps: "inline",
  });
  module._compile(code, filename);
};
