import { type PrimitiveLike, retry, timeout } from "@tta/primitives";
import { remote, serve } from "@tta/redis";

interface Doc {
  readonly id: string;
  readonly text: string;
}
interface Summary {
  readonly id: string;
  readonly summary: string;
}

// worker.ts (M processes, any machines that reach Redis)
export async function startWorker(redisUrl: string, summariseDoc: PrimitiveLike<Doc, Summary>) {
  const worker = await serve("summarise", summariseDoc, { connection: redisUrl, concurrency: 4 });
  // Lets running jobs finish for up to 10 s; past that they go back to the queue for another worker.
  process.on("SIGTERM", () => void worker.close({ timeoutMs: 10_000 }));
  return worker;
}

// app.ts (N processes)
export function summariseFlow(redisUrl: string) {
  const summarise = remote<Doc, Summary>("summarise", { connection: redisUrl, timeoutMs: 120_000 });
  return retry(timeout(summarise, { timeoutMs: 90_000 }), { maxRetries: 2 });
}
