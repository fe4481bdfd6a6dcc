// The HTTP clients of the observatory ingest benchmark (src/observatory-ingest.mjs), in a worker thread
// so that the observatory's event loop (the main thread) does nothing but serve. The worker generates
// the same bodies as the main thread (src/observatory-load.mjs), then answers each `{ url, encoding,
// concurrency, count }` message by POSTing bodies 0…count−1 to `url` from `concurrency` clients (each
// takes the next body when its previous request was answered; keep-alive connections) and replying
// `{ elapsedMs, statuses, bytes }`. Only loopback is reachable (the bench's network guard).
import { performance } from "node:perf_hooks";
import { parentPort, workerData } from "node:worker_threads";
import { generateLoad } from "./observatory-load.mjs";
import { installNetworkGuard } from "./process-guard.mjs";

const network = installNetworkGuard({ allowLoopback: true });
const load = generateLoad(workerData.requests);
const CONTENT_TYPES = { protobuf: "application/x-protobuf", json: "application/json" };

async function post({ url, encoding, concurrency, count }) {
  const bodies = load[encoding];
  const statuses = {};
  let next = 0;
  let bytes = 0;
  const client = async () => {
    while (next < count) {
      const body = bodies[next++];
      const response = await globalThis.fetch(url, {
        method: "POST",
        headers: { "content-type": CONTENT_TYPES[encoding] },
        body,
      });
      await response.arrayBuffer();
      statuses[response.status] = (statuses[response.status] ?? 0) + 1;
      bytes += body.byteLength;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, client));
  return { elapsedMs: performance.now() - started, statuses, bytes, networkAttempts: network.attempts };
}

parentPort.on("message", (message) => {
  post(message).then(
    (result) => parentPort.postMessage({ ok: true, result }),
    (error) => parentPort.postMessage({ ok: false, error: String(error?.stack ?? error) }),
  );
});
parentPort.postMessage({ ready: true });
