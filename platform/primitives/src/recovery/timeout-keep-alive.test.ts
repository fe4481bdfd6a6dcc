/**
 * Issue 10, item 5: in a script, a timeout or deadline with work in flight keeps the process alive until it
 * fires, while the timers of idle contexts never do. Runs small scripts in child `node` processes against the
 * BUILT package (`dist/`: CI builds before the tests; locally run `pnpm --filter @tta/primitives build` first).
 */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const DIST = fileURLToPath(new URL("../../dist/index.js", import.meta.url));

/** Generous bounds: these scripts take ~0.1 s; the limits only stop a hung child (not a speed assertion). */
const CHILD_LIMIT_MS = 20_000;
const TEST_LIMIT_MS = 60_000;

interface Outcome {
  readonly code: number | null;
  readonly killed: boolean;
  readonly stdout: string;
  readonly stderr: string;
}

let dir: string;
beforeAll(() => {
  if (!existsSync(DIST))
    throw new Error(`${DIST} is missing: build first (pnpm --filter @tta/primitives build), as CI does`);
  dir = mkdtempSync(join(tmpdir(), "tta-keep-alive-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `body` as an ES module that has `tta` (the built package) in scope; resolves with how it ended. */
function runScript(name: string, body: string): Promise<Outcome> {
  const file = join(dir, `${name}.mjs`);
  writeFileSync(file, `import * as tta from ${JSON.stringify(pathToFileURL(DIST).href)};\n${body}\n`);
  return new Promise((resolve) => {
    execFile(process.execPath, [file], { timeout: CHILD_LIMIT_MS }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === "number" ? error.code : null;
      resolve({ code, killed: error?.killed === true, stdout, stderr });
    });
  });
}

describe("timers with work in flight keep a script alive until they fire", () => {
  it(
    "await timeout(never, { timeoutMs: 50 }).execute(1) rejects with the TimeoutError and the script exits 0",
    async () => {
      const out = await runScript(
        "timeout",
        `const { timeout, lambda } = tta;
try {
  await timeout(lambda(() => new Promise(() => {})), { timeoutMs: 50 }).execute(1);
  console.log("resolved");
} catch (error) {
  console.log(error.name, error.code);
}`,
      );
      expect(out).toMatchObject({ code: 0, killed: false, stdout: "TimeoutError TIMEOUT\n" });
    },
    TEST_LIMIT_MS,
  );

  it(
    "a context deadline (root, or a child made in user code) rejects a hung top-level execute and the script exits 0",
    async () => {
      const out = await runScript(
        "deadline",
        `const { createContext, lambda } = tta;
const never = lambda(() => new Promise(() => {}));
for (const ctx of [createContext({ timeoutMs: 50 }), createContext().child({ timeoutMs: 50 })]) {
  try {
    await never.execute(1, ctx);
    console.log("resolved");
  } catch (error) {
    console.log(error.name, error.code);
  }
}`,
      );
      expect(out).toMatchObject({ code: 0, killed: false, stdout: "TimeoutError TIMEOUT\nTimeoutError TIMEOUT\n" });
    },
    TEST_LIMIT_MS,
  );
});

describe("idle contexts never keep a script alive", () => {
  it(
    "contexts with 10-minute deadlines, read signals and settled executions let the script end at once",
    async () => {
      const out = await runScript(
        "idle",
        `const { createContext, lambda, timeout } = tta;
const ctx = createContext({ timeoutMs: 600_000 });
void ctx.signal.aborted;
const child = ctx.child({ timeoutMs: 300_000 });
void child.signal.aborted;
console.log(await lambda((n) => n + 1).execute(1, ctx), await timeout((n) => n * 2, { timeoutMs: 600_000 }).execute(2, child));`,
      );
      expect(out).toMatchObject({ code: 0, killed: false, stdout: "2 4\n" });
    },
    TEST_LIMIT_MS,
  );
});
