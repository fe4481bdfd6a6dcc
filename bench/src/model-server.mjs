// The simulated OpenAI-compatible provider of the model benchmark, in a process of its own so that its
// work does not share the measured process: `node src/model-server.mjs`. Prints one JSON line
// `{ baseURL, pid }` once it listens (on 127.0.0.1, a free port, latency 0); then each `stats` line on
// stdin prints `{ stats, networkAttempts }` (the provider's counters); the end of
// stdin closes the provider and exits.
import { createInterface } from "node:readline";
import { installNetworkGuard } from "./process-guard.mjs";
import { SIM_API_KEY } from "./model-scenarios.mjs";

const network = installNetworkGuard(); // the server listens on loopback; it connects nowhere
const { startSimulatedProvider } = await import("@tta/primitives/testing");
const provider = await startSimulatedProvider({
  host: "127.0.0.1",
  seed: 1,
  latency: { distribution: "fixed", ms: 0 },
  apiKey: SIM_API_KEY,
});
const print = (value) => process.stdout.write(`${JSON.stringify(value)}\n`);
print({ baseURL: provider.baseURL, pid: process.pid });

const lines = createInterface({ input: process.stdin });
lines.on("line", (line) => {
  if (line.trim() === "stats") print({ stats: provider.stats(), networkAttempts: network.attempts });
});
lines.on("close", () => {
  provider.close().then(
    () => process.exit(0),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
});
