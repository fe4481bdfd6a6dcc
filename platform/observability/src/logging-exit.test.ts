/**
 * A log file that cannot be opened must not crash the process when it exits: pino's exit hook calls
 * `flushSync()` on the destination, which throws "sonic boom is not ready yet" for a file that never
 * opened. Runs a child `node` process against the built `dist` (`npm test` builds before testing).
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

const dist = fileURLToPath(new URL("../dist/index.js", import.meta.url));

it("a process whose log file could not be opened still exits cleanly", () => {
  expect(existsSync(dist), "build @tta/observability first (pnpm --filter @tta/observability build)").toBe(true);
  const bad = join(tmpdir(), "tta-no-such-dir", String(process.pid), "x.log");
  const script = `
    const { setupObservability } = await import(${JSON.stringify(dist)});
    const obs = setupObservability({ serviceName: "exit", tracing: false, metrics: false, logging: { destination: ${JSON.stringify(bad)} } });
    obs.logger.info("dropped");
    setTimeout(() => { console.log("exiting"); process.exit(0); }, 300);
  `;
  const child = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
    encoding: "utf8",
    timeout: 20_000,
  });
  expect(child.stdout).toContain("exiting");
  expect(child.stderr).not.toContain("not ready");
  expect(child.status).toBe(0);
});
