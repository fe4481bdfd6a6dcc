/**
 * Starts {@link ./shared-state-worker.ts} processes and runs them through their start barrier.
 * Test-only: not built, not published.
 * @packageDocumentation
 */
import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";

const HOOKS = new URL("./ts-source-hooks.mjs", import.meta.url).href;
const WORKER = fileURLToPath(new URL("./shared-state-worker.ts", import.meta.url));

/** A forked worker: resolves `ready` once loaded and `result` with what it sends back. */
export interface Worker {
  readonly child: ChildProcess;
  readonly ready: Promise<void>;
  readonly result: Promise<unknown>;
  /** Resolves when the process has exited. */
  readonly exited: Promise<void>;
}

/** Forks one worker with `args` (scenario, redis URL, name, …). */
export function forkWorker(args: readonly string[]): Worker {
  const register = `import { register } from "node:module"; register(${JSON.stringify(HOOKS)});`;
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  const child = fork(WORKER, [...args], {
    execArgv: ["--conditions=@tta/source", "--import", `data:text/javascript,${encodeURIComponent(register)}`],
    env,
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let onReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve, reject) => {
    onReady = resolve;
    child.once("exit", (code) => reject(new Error(`worker exited with ${code} before it was ready`)));
  });
  ready.catch(() => undefined);
  const result = new Promise<unknown>((resolve, reject) => {
    child.on("message", (message: { ready?: boolean; result?: unknown }) => {
      if (message.ready === true) onReady();
      else if ("result" in message) resolve(message.result);
    });
    child.once("exit", (code) => reject(new Error(`worker exited with ${code} before answering`)));
  });
  result.catch(() => undefined);
  return { child, ready, result, exited };
}

/** Forks `n` workers, waits until all are loaded, releases them together and returns their results. */
export async function runWorkers(n: number, args: readonly string[]): Promise<unknown[]> {
  const workers = Array.from({ length: n }, () => forkWorker(args));
  try {
    await Promise.all(workers.map((w) => w.ready));
    for (const w of workers) w.child.send({ go: true });
    return await Promise.all(workers.map((w) => w.result));
  } finally {
    for (const w of workers) if (w.child.exitCode === null) w.child.kill();
    await Promise.all(workers.map((w) => w.exited));
  }
}
