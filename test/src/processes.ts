/**
 * Real processes for the tests that need them (the gateway CLI, a subgraph killed with a signal):
 * spawn `node <script>`, wait for the JSON log line that carries its URL, and kill it at the end.
 */
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";

export const REPO_ROOT = path.resolve(__dirname, "..", "..");

export interface SpawnedServer {
  url: string;
  child: ChildProcess;
  output: () => string;
  kill(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Runs a TypeScript entry point from source, through scripts/ts-register.js (no build needed). */
export function spawnServer(script: string, args: string[] = [], env: Record<string, string> = {}, timeoutMs = 30_000, nodeFlags: string[] = []): Promise<SpawnedServer> {
  const register = path.join(REPO_ROOT, "scripts", "ts-register.js");
  const child = spawn(process.execPath, [...nodeFlags, "-r", register, script, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${script} did not report a URL within ${timeoutMs} ms:\n${out}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const match = /"url":"(http:\/\/[^"]+)"/.exec(out);
      if (match) {
        clearTimeout(timer);
        child.stdout!.off("data", onData);
        child.stdout!.on("data", (c: Buffer) => (out += c.toString()));
        resolve({
          url: match[1]!,
          child,
          output: () => out,
          async kill(signal = "SIGTERM") {
            if (child.exitCode === null && child.signalCode === null) child.kill(signal);
            return exited;
          },
        });
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", (c: Buffer) => (out += c.toString()));
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited with ${code} before listening:\n${out}`));
    });
  });
}
