/**
 * Fixtures of the model-provider and simulated-provider tests: servers on 127.0.0.1 that close when
 * the test finishes, a sample request, small rejection helpers and the simulated provider's error body.
 * Not published.
 *
 * @packageDocumentation
 */
import type { ServerResponse } from "node:http";
import { expect, onTestFinished } from "vitest";
import { ProviderError } from "../core/errors.js";
import type { ModelRequest } from "../orchestration/language-model.js";
import { startSimulatedProvider } from "../testing/simulated-provider/server.js";
import type { SimulatedProvider, SimulatedProviderOptions } from "../testing/simulated-provider/types.js";
import { startLoopbackServer } from "./loopback-server.js";
import type { LoopbackServer } from "./loopback-server.js";

/** A simulated OpenAI-compatible provider, closed when the current test finishes. */
export async function simulated(options?: SimulatedProviderOptions): Promise<SimulatedProvider> {
  const provider = await startSimulatedProvider(options);
  onTestFinished(() => provider.close());
  return provider;
}

/** A {@link startLoopbackServer} server, closed when the current test finishes. */
export async function loopback(...args: Parameters<typeof startLoopbackServer>): Promise<LoopbackServer> {
  const server = await startLoopbackServer(...args);
  onTestFinished(() => server.close());
  return server;
}

/** A loopback server answering every request with SSE headers, then `write(res)`. */
export function sseLoopback(write: (res: ServerResponse) => void | Promise<void>): Promise<LoopbackServer> {
  return loopback(async (_req, res) => {
    res.writeHead(200, { "content-type": "text/event-stream" });
    await write(res);
  });
}

/** A one-message request. */
export const hi: ModelRequest = { messages: [{ role: "user", content: "Hello there" }] };

/** Call options with a fresh signal that never aborts. */
export function call(): { signal: AbortSignal } {
  return { signal: new AbortController().signal };
}

/** What `promise` rejects with (fails the test if it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection");
}

/** The `ProviderError` `promise` rejects with. */
export async function providerError(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await rejection(promise);
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
}

/**
 * Aborts `controller` with `reason` once `provider` holds a request hung (its `hang` fault), and returns
 * what `call` (a call on `controller.signal`) rejected with.
 */
export async function abortWhenHung(
  provider: SimulatedProvider,
  controller: AbortController,
  reason: unknown,
  call: Promise<unknown>,
): Promise<unknown> {
  const settled = rejection(call);
  while (provider.stats().hung === 0) await new Promise((resolve) => setImmediate(resolve));
  controller.abort(reason);
  return settled;
}

/** The OpenAI-style error body the simulated provider answers a failed request with. */
export interface ApiError {
  readonly error: { readonly message: string; readonly type: string; readonly code: string | null };
}

/** Reads `res`'s body as an {@link ApiError}. */
export const apiError = (res: Response): Promise<ApiError> => res.json() as Promise<ApiError>;

/** Options that make the simulated provider answer its first request with a 200 and `body` as is. */
export function answer(body: unknown): SimulatedProviderOptions {
  return { script: [{ kind: "status", status: 200, body: typeof body === "string" ? body : JSON.stringify(body) }] };
}
