/**
 * Starts `worker-remote.ts` as a child process (running this package's TypeScript sources through
 * `ts-source-hooks.mjs`) and collects its IPC messages. Test-only.
 */
import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";

const HOOKS = fileURLToPath(new URL("./ts-source-hooks.mjs", import.meta.url));
const SCRIPT = fileURLToPath(new URL("./worker-remote.ts", import.meta.url));

/** A message from a worker process. */
export interface WorkerMessage {
  readonly type: string;
  readonly [key: string]: unknown;
}

/** A running worker process. */
export interface WorkerProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly messages: WorkerMessage[];
  /** Asks the worker to close, and waits for the process to exit (SIGKILL after 5 s). */
  stop(): Promise<void>;
  /** Kills the process with SIGKILL (a crash) and waits for it to exit. */
  kill(): Promise<void>;
}

/** Forks a worker and resolves once it has served (its `ready` message). */
export async function startWorker(env: Record<string, string>): Promise<WorkerProcess> {
  const register = `import { register } from "node:module"; register(${JSON.stringify(`file://${HOOKS}`)});`;
  const child = fork(SCRIPT, [], {
    execArgv: ["--conditions=@tta/source", "--import", `data:text/javascript,${encodeURIComponent(register)}`],
    env: { ...process.env, ...env },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const messages: WorkerMessage[] = [];
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.on("message", (message) => messages.push(message as WorkerMessage));
  const kill = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await exited;
  };
  await new Promise<void>((resolve, reject) => {
    const onMessage = (message: WorkerMessage): void => {
      if (message.type !== "ready") return;
      child.off("message", onMessage);
      resolve();
    };
    child.on("message", onMessage);
    void exited.then(() => reject(new Error("worker process exited before it was ready")));
  });
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.send({ type: "close" });
    const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
    await exited;
    clearTimeout(timer);
  };
  return { child, pid: child.pid ?? 0, messages, stop, kill };
}
