/**
 * Lets `node -r` run the gateway's TypeScript sources (the CLI test spawns src/main.ts): compiles
 * .ts with @swc/core, as jest does, and maps @g2p/kit to its sources, so no build is needed.
 */
const fs = require("node:fs");
const Module = require("node:module");
const path = require("node:path");
const { transformSync } = require("@swc/core");

const kitSrc = path.resolve(__dirname, "../../../subgraphs/kit/src");
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  const kit = /^@g2p\/kit(?:\/(.+))?$/.exec(request);
  return resolveFilename.call(this, kit ? path.join(kitSrc, kit[1] ?? "index.ts") : request, ...rest);
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
  });
  module._compile(code, filename);
};
