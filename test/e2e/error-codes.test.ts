import { readFileSync } from "node:fs";
import path from "node:path";
import { ErrorCodes } from "@g2p/kit";
import { REPO_ROOT } from "../src";

it("documents every code of the error registry in docs/error-codes.md", () => {
  const doc = readFileSync(path.join(REPO_ROOT, "docs", "error-codes.md"), "utf8");
  const missing = Object.keys(ErrorCodes).filter((code) => !doc.includes(`| \`${code}\` |`));
  expect(missing).toEqual([]);
});
