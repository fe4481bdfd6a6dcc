/**
 * The simulated provider's request pipeline: routing, outages, auth, body limits, validation, then
 * the request's fault (429, 500, hang, malformed, stream-cut, custom status) or its answer as JSON
 * or SSE.
 *
 * @packageDocumentation
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { isPlainObject } from "../../internal/options.js";
import {
  completionBody,
  completionEvents,
  errorBody,
  malformedBody,
  malformedEvents,
  modelsBody,
} from "./completions.js";
import type { CompletionMeta } from "./completions.js";
import { activeOutage, outageRetryAfterS } from "./faults.js";
import { flattenHeaders, readBody, redactHeaders, sleep, untilAborted, write } from "./http.js";
import type { ResolvedModel } from "./options.js";
import { defaultReply, promptTokens, toAnswer } from "./reply.js";
import type { Answer } from "./reply.js";
import type { ProviderState } from "./state.js";
import type { SimulatedFault, SimulatedRequest } from "./types.js";

/** Per-request flags the `close` listener reads. */
interface Exchange {
  readonly state: ProviderState;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly signal: AbortSignal;
  /** 1-based number of this HTTP request, for `x-request-id`. */
  readonly number: number;
  /** The server destroyed the socket on purpose (`stream-cut`). */
  cut: boolean;
}

/** Headers the fault's own `headers` may not override. */
const RESERVED_HEADERS: ReadonlySet<string> = new Set(["content-length", "transfer-encoding", "connection"]);

/** Sends a complete response (no-op when the response is already gone or started). */
function send(ex: Exchange, status: number, body: string, headers: Record<string, string> = {}): void {
  const { res, state } = ex;
  if (res.destroyed || res.headersSent) return;
  state.countStatus(status);
  res.writeHead(status, {
    "content-type": "application/json",
    ...headers,
    "content-length": String(Buffer.byteLength(body)),
    "x-request-id": `req_sim_${ex.number}`,
  });
  res.end(body);
}

function sendError(ex: Exchange, status: number, message: string, type: string, code: string | null = null) {
  send(ex, status, errorBody(`${message} (simulated)`, type, code));
}

/**
 * Handles one HTTP request. Counts it, tracks it in flight and notes a client that closes the socket
 * before the response is finished.
 */
export function handleRequest(state: ProviderState, req: IncomingMessage, res: ServerResponse): void {
  const number = state.requestStarted();
  const controller = new AbortController();
  state.active.add(controller);
  const ex: Exchange = { state, req, res, signal: controller.signal, number, cut: false };
  res.on("close", () => {
    state.active.delete(controller);
    if (!res.writableFinished && !ex.cut && !state.closing) state.noteClientClosed();
    controller.abort();
    state.requestEnded();
  });
  serve(ex).catch(() => {
    if (!res.headersSent) sendError(ex, 500, "The simulated provider failed", "server_error");
    else res.destroy();
  });
}

async function serve(ex: Exchange): Promise<void> {
  const { req, state } = ex;
  const path = (req.url ?? "/").split("?")[0] ?? "/";
  const route =
    req.method === "POST" && path === "/v1/chat/completions"
      ? "chat"
      : req.method === "GET" && path === "/v1/models"
        ? "models"
        : undefined;
  const read = await readBody(req, state.options.maxBodyBytes, ex.signal);
  if (read.kind === "aborted") return;
  if (route === undefined) {
    const shown = `${req.method ?? "?"} ${path.slice(0, 200)}`;
    return sendError(ex, 404, `Unknown request URL: ${shown}.`, "invalid_request_error", "unknown_url");
  }
  const outage = activeOutage(state.config.outages, state.elapsedMs());
  if (outage !== undefined) {
    const retryAfter = String(outageRetryAfterS(outage, state.elapsedMs()));
    const body = errorBody("The service is temporarily unavailable (simulated outage)", "server_error");
    return send(ex, outage.status, body, { "retry-after": retryAfter });
  }
  const { apiKey } = state.options;
  if (apiKey !== undefined && req.headers.authorization !== `Bearer ${apiKey}`) {
    const message = "Incorrect or missing API key provided.";
    return sendError(ex, 401, message, "invalid_request_error", "invalid_api_key");
  }
  if (read.kind === "too-large") {
    const message = `The request body is larger than ${state.options.maxBodyBytes} bytes.`;
    return sendError(ex, 413, message, "invalid_request_error", "request_too_large");
  }
  if (route === "models") return send(ex, 200, modelsBody(state.options.models, 1_700_000_000));
  return chat(ex, read.body);
}

async function chat(ex: Exchange, raw: Buffer): Promise<void> {
  const { state } = ex;
  let body: unknown;
  try {
    body = JSON.parse(raw.toString("utf8"));
  } catch {
    return sendError(ex, 400, "We could not parse the JSON body of your request.", "invalid_request_error");
  }
  if (!isPlainObject(body))
    return sendError(ex, 400, "The request body must be a JSON object.", "invalid_request_error");
  if (typeof body.model !== "string" || body.model.length === 0)
    return sendError(ex, 400, "You must provide a model parameter.", "invalid_request_error");
  if (!Array.isArray(body.messages))
    return sendError(ex, 400, "'messages' is a required property and must be an array.", "invalid_request_error");
  const rawHeaders = flattenHeaders(ex.req.headers);
  const request: SimulatedRequest = {
    model: body.model,
    stream: body.stream === true,
    body,
    headers: redactHeaders(rawHeaders),
  };
  state.record(request);
  const model = state.models.get(request.model);
  if (model === undefined) {
    const message = `The model \`${request.model}\` does not exist`;
    return send(ex, 404, errorBody(message, "invalid_request_error", "model_not_found"));
  }
  const tokens = promptTokens(body);
  if (tokens > model.contextWindow) {
    const message = `This model's maximum context length is ${model.contextWindow} tokens. However, your messages resulted in ${tokens} tokens.`;
    return sendError(ex, 400, message, "invalid_request_error", "context_length_exceeded");
  }
  const decision = state.nextDecision();
  if (decision.fault.kind === "hang") {
    state.hung++;
    return untilAborted(ex.signal);
  }
  if (!(await sleep(decision.latencyMs, ex.signal))) return;
  const meta = { id: `chatcmpl-sim-${decision.index + 1}`, created: Math.floor(Date.now() / 1000), model: model.id };
  return respond(ex, decision.fault, request, rawHeaders, model, meta);
}

async function respond(
  ex: Exchange,
  fault: Exclude<SimulatedFault, { kind: "hang" }>,
  request: SimulatedRequest,
  rawHeaders: Readonly<Record<string, string>>,
  model: ResolvedModel,
  base: Omit<CompletionMeta, "callIds">,
): Promise<void> {
  const { state } = ex;
  switch (fault.kind) {
    case "429": {
      const headers: Record<string, string> = { "retry-after": String(fault.retryAfterS ?? 1) };
      if (fault.resetTokens !== undefined) headers["x-ratelimit-reset-tokens"] = fault.resetTokens;
      const type = fault.resetTokens === undefined ? "requests" : "tokens";
      const message = `Rate limit reached for ${model.id} on ${type} (simulated)`;
      return send(ex, 429, errorBody(message, type, "rate_limit_exceeded"), headers);
    }
    case "500":
      return sendError(ex, 500, "The server had an error while processing your request.", "server_error");
    case "status":
      return sendStatus(ex, fault, rawHeaders);
    case "malformed": {
      state.malformed++;
      const meta = { ...base, callIds: [] };
      if (!request.stream) return send(ex, 200, malformedBody(meta));
      return stream(ex, malformedEvents(meta), undefined);
    }
    case "ok":
    case "stream-cut": {
      const result = await (state.config.reply ?? defaultReply)(request);
      if (ex.signal.aborted) return;
      let answer: Answer;
      try {
        answer = toAnswer(result, request.body);
      } catch (error) {
        return sendError(ex, 500, (error as Error).message, "server_error");
      }
      const meta = { ...base, callIds: state.nextCallIds(answer.toolCalls.length) };
      const cut = fault.kind === "stream-cut";
      if (request.stream) {
        const options = request.body.stream_options;
        const includeUsage = isPlainObject(options) && options.include_usage === true;
        const events = completionEvents(meta, answer, state.options.chunkSize, includeUsage);
        return stream(ex, events, cut ? Math.max(1, Math.floor(events.length / 2)) : undefined, () =>
          state.countSuccess(model, answer),
        );
      }
      const body = completionBody(meta, answer);
      if (cut) return cutBody(ex, body);
      ex.res.once("finish", () => state.countSuccess(model, answer));
      return send(ex, 200, body);
    }
  }
}

function sendStatus(
  ex: Exchange,
  fault: Extract<SimulatedFault, { kind: "status" }>,
  rawHeaders: Readonly<Record<string, string>>,
): void {
  let body: string;
  try {
    body =
      typeof fault.body === "function"
        ? String(fault.body({ headers: rawHeaders }))
        : (fault.body ??
          errorBody(
            `Simulated status ${fault.status}`,
            fault.status >= 500 ? "server_error" : "invalid_request_error",
          ));
  } catch {
    return sendError(ex, 500, "The scripted status body function threw.", "server_error");
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(fault.headers ?? {}))
    if (!RESERVED_HEADERS.has(name)) headers[name] = value;
  if (fault.contentType !== undefined) headers["content-type"] = fault.contentType;
  send(ex, fault.status, body, headers);
}

/** Sends half of a JSON body (with the full `content-length`), then destroys the socket. */
async function cutBody(ex: Exchange, body: string): Promise<void> {
  const { res, state } = ex;
  const bytes = Buffer.from(body, "utf8");
  state.countStatus(200);
  res.writeHead(200, {
    "content-type": "application/json",
    "content-length": String(bytes.length),
    "x-request-id": `req_sim_${ex.number}`,
  });
  await write(res, bytes.subarray(0, Math.floor(bytes.length / 2)), ex.signal);
  if (ex.signal.aborted) return;
  ex.cut = true;
  state.cut++;
  res.destroy();
}

/**
 * Streams SSE `events` with `chunkDelayMs` between them. With `cutAfter`, sends that many events then
 * destroys the socket; otherwise ends the response and calls `onDone` once it is fully sent.
 */
async function stream(ex: Exchange, events: readonly string[], cutAfter?: number, onDone?: () => void) {
  const { res, state, signal } = ex;
  state.countStatus(200);
  res.writeHead(200, {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-cache",
    "x-request-id": `req_sim_${ex.number}`,
  });
  const count = cutAfter ?? events.length;
  for (let i = 0; i < count; i++) {
    if (i > 0 && !(await sleep(state.config.chunkDelayMs, signal))) return;
    if (!(await write(res, events[i] ?? "", signal))) return;
  }
  if (cutAfter !== undefined) {
    ex.cut = true;
    state.cut++;
    res.destroy();
    return;
  }
  if (onDone !== undefined) res.once("finish", onDone);
  res.end();
}
