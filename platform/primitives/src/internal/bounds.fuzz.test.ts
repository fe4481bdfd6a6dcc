/**
 * Issue 10 item 1 (ADR 0013): no option value may crash the process or allocate in proportion to a
 * bound before entries exist. A bound that preallocates (as `cache({ maxEntries: 2 ** 31 - 1 })` did
 * through lru-cache) takes the whole process down with "JavaScript heap out of memory", so the fuzz
 * runs in a CHILD process with a 256 MB heap cap: `test-support/bounds-child.ts` constructs every
 * factory that takes a bound with extreme but legal values, runs one call each and checks what it
 * kept (fast-check picks the factory and the value; every factory × 2^31 − 1, 2^32 and
 * `Number.MAX_SAFE_INTEGER` runs first). This test only asserts that the child exits 0.
 *
 * How the child runs the sources. Node 20 cannot run TypeScript and this suite runs on `src/`, not
 * on a build (a stale or missing `dist/` would test the wrong code), so the child is started as
 * `node --max-old-space-size=256 --expose-gc --import <register test-support/ts-source-hooks.mjs>`:
 * those module hooks transpile each `.ts` file on load with the `typescript` package (exact for these
 * `isolatedModules` sources) and map `./x.js` imports to `./x.ts`. No build is needed, locally or in
 * CI. The time limit is generous (the child needs a few seconds, mostly transpiling); it bounds a
 * hang, it does not measure speed.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const HOOKS = new URL("../test-support/ts-source-hooks.mjs", import.meta.url).href;
const CHILD = fileURLToPath(new URL("../test-support/bounds-child.ts", import.meta.url));
const CHILD_LIMIT_MS = 120_000;
/** Random runs after the fixed examples. */
const RANDOM_RUNS = 60;

interface ChildResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

function runChild(seed: number): Promise<ChildResult> {
  const register = `import { register } from "node:module"; register(${JSON.stringify(HOOKS)});`;
  const args = [
    "--max-old-space-size=256",
    "--expose-gc",
    "--import",
    `data:text/javascript,${encodeURIComponent(register)}`,
    CHILD,
    String(seed),
    String(RANDOM_RUNS),
  ];
  const env = { ...process.env };
  delete env.NODE_OPTIONS; // nothing inherited may lift the heap cap or add loaders
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env, stdio: ["ignore", "pipe", "pipe"], timeout: CHILD_LIMIT_MS });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

describe("bounded allocation under a 256 MB heap (child process)", () => {
  it(
    "every factory built with extreme legal bounds runs one call without crashing or allocating for the bound",
    async () => {
      const seed = Math.floor(Math.random() * 2 ** 31);
      const result = await runChild(seed);
      const report = [
        `child exit code ${result.code}, signal ${result.signal} (SIGTERM = killed after ${CHILD_LIMIT_MS} ms), seed ${seed}`,
        `stdout: ${result.stdout.slice(-2_000)}`,
        `stderr: ${result.stderr.slice(-4_000)}`,
      ].join("\n");
      expect({ code: result.code, signal: result.signal }, report).toEqual({ code: 0, signal: null });
      expect(result.stdout, report).toMatch(/^ok \d+ scenarios/m);
    },
    CHILD_LIMIT_MS + 10_000,
  );
});
