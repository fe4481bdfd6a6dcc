/**
 * `startSimulatedProvider`: a real OpenAI-compatible HTTP server on loopback, deterministic by seed,
 * for tests, demos and benchmarks of OpenAI-compatible clients.
 *
 * @packageDocumentation
 */
import { createServer } from "node:http";
import type { Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { InvalidOptionsError } from "../../core/errors.js";
import { handleRequest } from "./handler.js";
import { isLoopbackHost, resolveOptions } from "./options.js";
import { ProviderState } from "./state.js";
import type {
  SimulatedModel,
  SimulatedProvider,
  SimulatedProviderOptions,
  SimulatedProviderStats,
  SimulatedProviderUpdate,
  SimulatedRequest,
} from "./types.js";

class RunningProvider implements SimulatedProvider {
  readonly baseURL: string;
  readonly port: number;
  readonly models: readonly SimulatedModel[];
  readonly #state: ProviderState;
  readonly #server: Server;
  readonly #sockets: ReadonlySet<Socket>;
  #closed: Promise<void> | undefined;

  constructor(state: ProviderState, server: Server, sockets: ReadonlySet<Socket>, address: AddressInfo) {
    this.#state = state;
    this.#server = server;
    this.#sockets = sockets;
    this.port = address.port;
    const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
    this.baseURL = `http://${host}:${address.port}/v1`;
    this.models = state.options.models.map((model) => Object.freeze({ ...model }));
  }

  get requests(): readonly SimulatedRequest[] {
    return this.#state.requestLog();
  }

  stats(): SimulatedProviderStats {
    return this.#state.stats();
  }

  configure(update: SimulatedProviderUpdate): void {
    this.#state.configure(update);
  }

  waitForClientClose(count = 1): Promise<void> {
    return this.#state.waitForClientClose(count);
  }

  close(): Promise<void> {
    this.#closed ??= this.#close();
    return this.#closed;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async #close(): Promise<void> {
    const state = this.#state;
    state.closing = true;
    const stopped = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    for (const controller of state.active) controller.abort();
    this.#server.closeAllConnections();
    for (const socket of this.#sockets) socket.destroy();
    state.rejectWaiters(new Error("The simulated provider closed before enough clients closed their sockets"));
    await Promise.all([stopped, state.idle()]);
  }
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => reject(error);
    server.once("error", onError);
    server.listen({ port, host, exclusive: true }, () => {
      server.off("error", onError);
      resolve();
    });
  });
}

/**
 * Starts a real OpenAI-compatible HTTP server on a loopback address, with seeded latencies and
 * faults, for tests, demos and benchmarks of OpenAI-compatible clients.
 *
 * @remarks
 * Routes: `POST /v1/chat/completions` (JSON or SSE with `stream: true`, tool calls,
 * `stream_options.include_usage`, `response_format`, `max_tokens`) and `GET /v1/models`; anything
 * else is a 404. Per request, in order: unknown route → 404; outage → its status with `retry-after`;
 * missing or wrong API key → 401; body over `maxBodyBytes` → 413; invalid JSON, no `model` or no
 * `messages` array → 400; unknown model → 404 `model_not_found`; prompt over the context window →
 * 400 `context_length_exceeded`. A request that passes takes the next request index, which picks
 * its fault (`script`, then `errors`) and its latency (`errorLatency` for a 429, 500 or other error
 * status when set, else `latency`); with the same seed and the same request
 * order, the same faults and latencies repeat. Tokens are counted as characters / 4, rounded up.
 * Only loopback addresses are ever bound. Always `close()` it (or use `await using`): that also
 * destroys hung connections, so nothing keeps the process alive.
 *
 * @param options - see {@link SimulatedProviderOptions}; `host` defaults to `"127.0.0.1"`, `port`
 *   to 0 (a free port), `seed` to 1, `latency` to 0 ms, `chunkSize` to 8, `maxBodyBytes` to 1 MiB.
 * @returns the running provider, once it listens.
 * @throws An {@link InvalidOptionsError} (as a rejection) for unknown or invalid options, or a host that
 *   is not loopback; the `listen` error (e.g. `EADDRINUSE`) when the port is taken.
 * @example
 * ```ts
 * await using provider = await startSimulatedProvider({ seed: 7, errors: { rate429: 0.1 } });
 * const res = await fetch(`${provider.baseURL}/chat/completions`, {
 *   method: "POST",
 *   headers: { "content-type": "application/json" },
 *   body: JSON.stringify({ model: "sim-small", messages: [{ role: "user", content: "Hi" }] }),
 * });
 * provider.stats().byStatus; // { "200": 1 }
 * ```
 * @since 0.1.0
 */
export async function startSimulatedProvider(options?: SimulatedProviderOptions): Promise<SimulatedProvider> {
  const resolved = resolveOptions(options);
  const state = new ProviderState(resolved);
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => handleRequest(state, req, res));
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  await listen(server, resolved.port, resolved.host);
  const address = server.address() as AddressInfo;
  if (!isLoopbackHost(address.address)) {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    throw new InvalidOptionsError("host", `Expected \`host\` to resolve to loopback, got ${address.address}`);
  }
  state.markStarted();
  return new RunningProvider(state, server, sockets, address);
}
