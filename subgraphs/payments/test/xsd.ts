import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

/** Unmodified copies of the official ISO 20022 XSDs (test/fixtures/standards/iso20022). */
export const XSD_DIR = path.resolve(__dirname, "../../../test/fixtures/standards/iso20022");

export type IsoMessage = "pain.001.001.09" | "pain.002.001.10" | "camt.053.001.08" | "camt.054.001.08";

/**
 * Validates XML documents against an official XSD with xmllint (libxml2-utils; .ci/run installs it).
 * Returns xmllint's complaints, [] when every document is valid.
 */
export function xsdErrors(message: IsoMessage, documents: string[]): string[] {
  if (documents.length === 0) return [];
  const dir = mkdtempSync(path.join(tmpdir(), "iso20022-"));
  try {
    const files = documents.map((xml, i) => {
      const f = path.join(dir, `${message}-${i}.xml`);
      writeFileSync(f, xml);
      return f;
    });
    const run = spawnSync("xmllint", ["--noout", "--schema", path.join(XSD_DIR, `${message}.xsd`), ...files], { encoding: "utf8" });
    if (run.error) throw new Error(`xmllint could not run (apt-get install libxml2-utils): ${run.error.message}`);
    return run.stderr
      .split("\n")
      .filter((l) => l.trim() && !/ validates$/.test(l))
      .map((l) => l.replace(dir, ""));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
