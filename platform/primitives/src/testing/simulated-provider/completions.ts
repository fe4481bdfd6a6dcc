/**
 * Bodies the simulated provider sends, shaped like OpenAI's: chat completions (JSON), chat
 * completion chunks (SSE `data:` events), the model list and error objects, plus their malformed
 * variants.
 *
 * @packageDocumentation
 */
import type { ResolvedModel } from "./options.js";
import type { Answer } from "./reply.js";

/** What every completion body of one request shares. */
export interface CompletionMeta {
  /** `chatcmpl-sim-<n>`. */
  readonly id: string;
  /** Unix seconds. */
  readonly created: number;
  readonly model: string;
  /** One id per tool call of the answer (`call_<n>`). */
  readonly callIds: readonly string[];
}

const FINGERPRINT = "fp_simulated";

/** An OpenAI-style error body: `{"error":{"message","type","param","code"}}`. */
export function errorBody(
  message: string,
  type: string,
  code: string | null = null,
  param: string | null = null,
): string {
  return JSON.stringify({ error: { message, type, param, code } });
}

/** `GET /v1/models`. */
export function modelsBody(models: readonly ResolvedModel[], created: number): string {
  return JSON.stringify({
    object: "list",
    data: models.map((model) => ({ id: model.id, object: "model", created, owned_by: "simulated" })),
  });
}

function usage(answer: Answer) {
  return {
    prompt_tokens: answer.promptTokens,
    completion_tokens: answer.completionTokens,
    total_tokens: answer.promptTokens + answer.completionTokens,
  };
}

/** A non-stream `chat.completion` body. */
export function completionBody(meta: CompletionMeta, answer: Answer): string {
  const toolCalls = answer.toolCalls.map((call, i) => ({
    id: meta.callIds[i],
    type: "function",
    function: { name: call.name, arguments: call.arguments },
  }));
  const message = {
    role: "assistant",
    content: answer.text === "" && toolCalls.length > 0 ? null : answer.text,
    ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
  };
  return JSON.stringify({
    id: meta.id,
    object: "chat.completion",
    created: meta.created,
    model: meta.model,
    system_fingerprint: FINGERPRINT,
    choices: [{ index: 0, message, logprobs: null, finish_reason: answer.finishReason }],
    usage: usage(answer),
  });
}

/** `text` in pieces of `size` characters (code points, so no pair is split). */
export function pieces(text: string, size: number): string[] {
  const chars = Array.from(text);
  const out: string[] = [];
  for (let i = 0; i < chars.length; i += size) out.push(chars.slice(i, i + size).join(""));
  return out;
}

/** One SSE event carrying `payload` as JSON. */
function event(payload: unknown): string {
  return `data: ${JSON.stringify(payload)}\n\n`;
}

/** The SSE end marker. */
export const DONE_EVENT = "data: [DONE]\n\n";

/**
 * The SSE events of a streamed answer, `[DONE]` included: a role chunk, the text in `chunkSize`
 * pieces, each tool call (its id and name, then its arguments in pieces), a chunk with the finish
 * reason, and with `includeUsage` a `choices: []` chunk with the usage.
 */
export function completionEvents(
  meta: CompletionMeta,
  answer: Answer,
  chunkSize: number,
  includeUsage: boolean,
): string[] {
  const chunk = (delta: Record<string, unknown>, finishReason: string | null = null) =>
    event({
      id: meta.id,
      object: "chat.completion.chunk",
      created: meta.created,
      model: meta.model,
      system_fingerprint: FINGERPRINT,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
      ...(includeUsage ? { usage: null } : {}),
    });
  const events = [chunk({ role: "assistant", content: "" })];
  for (const piece of pieces(answer.text, chunkSize)) events.push(chunk({ content: piece }));
  answer.toolCalls.forEach((call, index) => {
    events.push(
      chunk({
        tool_calls: [
          { index, id: meta.callIds[index], type: "function", function: { name: call.name, arguments: "" } },
        ],
      }),
    );
    for (const piece of pieces(call.arguments, chunkSize))
      events.push(chunk({ tool_calls: [{ index, function: { arguments: piece } }] }));
  });
  events.push(chunk({}, answer.finishReason));
  if (includeUsage) {
    events.push(
      event({
        id: meta.id,
        object: "chat.completion.chunk",
        created: meta.created,
        model: meta.model,
        system_fingerprint: FINGERPRINT,
        choices: [],
        usage: usage(answer),
      }),
    );
  }
  events.push(DONE_EVENT);
  return events;
}

/** A 200 body that starts like a completion but is not valid JSON. */
export function malformedBody(meta: CompletionMeta): string {
  return `{"id":"${meta.id}","object":"chat.completion","created":${meta.created},"choices":[{"index":0,"message":<truncated`;
}

/** SSE events with one `data:` line that is not JSON, then `[DONE]`. */
export function malformedEvents(meta: CompletionMeta): string[] {
  const first = event({
    id: meta.id,
    object: "chat.completion.chunk",
    created: meta.created,
    model: meta.model,
    choices: [{ index: 0, delta: { role: "assistant", content: "" }, logprobs: null, finish_reason: null }],
  });
  return [first, `data: {"id":"${meta.id}","choices":[{"delta":{"content":<truncated\n\n`, DONE_EVENT];
}
