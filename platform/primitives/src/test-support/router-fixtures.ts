/**
 * Test fixtures of the model router: a catalogue of router test models and a scriptable model whose
 * calls record their abort signals.
 */
import type { Clock } from "../core/clock.js";
import { ProviderError } from "../core/errors.js";
import { createCatalog } from "../orchestration/catalog.js";
import type { Catalog } from "../orchestration/catalog.js";
import type {
  CallOptions,
  LanguageModel,
  ModelChunk,
  ModelRequest,
  ModelResponse,
} from "../orchestration/language-model.js";

const pricing = (inputPerMillion: number): { inputPerMillion: number; outputPerMillion: number } => ({
  inputPerMillion,
  outputPerMillion: inputPerMillion * 4,
});

/** `cheap` ($1/M), `backup` ($5/M), `third` ($10/M); `tiny` has a 50-token window; `plain` no capabilities. */
export const routerCatalog: Catalog = createCatalog([
  { id: "cheap", provider: "p1", contextWindow: 100_000, pricing: pricing(1), capabilities: ["tools", "json"] },
  {
    id: "backup",
    provider: "p2",
    contextWindow: 100_000,
    pricing: pricing(5),
    capabilities: ["tools", "json", "code"],
  },
  {
    id: "third",
    provider: "p3",
    contextWindow: 100_000,
    pricing: pricing(10),
    capabilities: ["tools", "json", "code"],
  },
  { id: "tiny", provider: "p1", contextWindow: 50, pricing: pricing(0.5), capabilities: ["tools", "json"] },
  { id: "plain", provider: "p1", contextWindow: 100_000, pricing: pricing(0.1), capabilities: [] },
]);

/** What a scripted call does: answer after `ms`, fail after `ms`, or never answer (and ignore the signal). */
export type Step =
  | {
      readonly ok: string;
      /** Answer even when aborted (a provider that ignores the signal). */
      readonly ignoreAbort?: boolean;
      readonly ms?: number;
      readonly finishReason?: ModelResponse["finishReason"];
      readonly rateLimit?: ModelResponse["rateLimit"];
    }
  | {
      readonly fail: number;
      readonly retryAfterMs?: number | undefined;
      readonly ms?: number | undefined;
      readonly body?: string | undefined;
    }
  | { readonly hang: true; readonly ignoreAbort?: boolean };

export const hi: ModelRequest = { messages: [{ role: "user", content: "hi" }] };

export function status(code: number, retryAfterMs?: number, body?: string): ProviderError {
  return new ProviderError(`HTTP ${code}`, { provider: "test", model: "m", status: code, retryAfterMs, body });
}

/** A model that plays `steps` in order (the last repeats) on `clock`, recording each call's signal. */
export class ScriptedModel implements LanguageModel {
  readonly provider = "test";
  readonly modelId: string;
  readonly signals: AbortSignal[] = [];
  readonly startedAt: number[] = [];
  readonly #steps: readonly Step[];
  readonly #clock: Clock;

  constructor(modelId: string, clock: Clock, steps: readonly Step[]) {
    this.modelId = modelId;
    this.#clock = clock;
    this.#steps = steps;
  }

  get calls(): number {
    return this.signals.length;
  }

  async generate(_request: ModelRequest, options: CallOptions): Promise<ModelResponse> {
    const step = this.#steps[Math.min(this.signals.length, this.#steps.length - 1)]!;
    this.signals.push(options.signal);
    this.startedAt.push(this.#clock.now());
    if ("hang" in step) {
      return new Promise((_, reject) => {
        if (step.ignoreAbort !== true) options.signal.addEventListener("abort", () => reject(options.signal.reason));
      });
    }
    if (step.ms !== undefined && step.ms > 0)
      await this.#clock.sleep(step.ms, "ok" in step && step.ignoreAbort === true ? undefined : options.signal);
    if ("fail" in step) throw status(step.fail, step.retryAfterMs, step.body);
    return {
      text: step.ok,
      toolCalls: [],
      usage: { inputTokens: 10, outputTokens: 5 },
      model: this.modelId,
      finishReason: step.finishReason ?? "stop",
      ...(step.rateLimit === undefined ? {} : { rateLimit: step.rateLimit }),
    };
  }

  async *stream(request: ModelRequest, options: CallOptions): AsyncGenerator<ModelChunk> {
    const response = await this.generate(request, options);
    yield { type: "text", text: response.text };
    yield { type: "finish", usage: response.usage, finishReason: response.finishReason, model: response.model };
  }
}
