import { spawnSync } from "node:child_process";
import path from "node:path";
import { REPO_ROOT } from "../src";

/** ESLint (an ES module) runs as its own process, as `npm run lint` runs it. */
describe("lint: subgraph boundaries", () => {
  const lint = async (filePath: string, code: string): Promise<string[]> => {
    const bin = path.join(REPO_ROOT, "node_modules", "eslint", "bin", "eslint.js");
    const run = spawnSync(process.execPath, [bin, "--stdin", "--stdin-filename", filePath, "--format", "json"], { cwd: REPO_ROOT, input: code, encoding: "utf8" });
    const [result] = JSON.parse(run.stdout) as { messages: { ruleId: string; message: string }[] }[];
    return result!.messages.filter((m) => m.ruleId === "no-restricted-imports").map((m) => m.message);
  };

  it("stops a subgraph from importing another subgraph, by package or by path", async () => {
    expect(await lint("subgraphs/payments/src/x.ts", `import { subgraph } from "@g2p/registry";\nvoid subgraph;\n`)).toHaveLength(1);
    expect(await lint("subgraphs/vouchers/src/x.ts", `import { Payment } from "../../payments/src/entities/payment.entity";\nvoid Payment;\n`)).toHaveLength(1);
    expect(await lint("subgraphs/kit/src/x.ts", `import { subgraph } from "@g2p/identity";\nvoid subgraph;\n`)).toHaveLength(1);
  });

  it("allows the kit, the subgraph's own files, and other packages", async () => {
    expect(await lint("subgraphs/payments/src/x.ts", `import { audit } from "@g2p/kit";\nimport { Payment } from "./entities/payment.entity";\nvoid audit; void Payment;\n`)).toEqual([]);
    expect(await lint("test/src/x.ts", `import { subgraph } from "@g2p/registry";\nvoid subgraph;\n`)).toEqual([]);
  });
});
