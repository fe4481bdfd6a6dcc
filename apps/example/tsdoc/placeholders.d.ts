// Placeholders for the TSDoc examples (checked by src/tsdoc-examples.test.ts): stand-ins for the
// reader's own code that an example may use without declaring it. They are globals of the examples'
// program only (its own tsconfig.json includes nothing else), and each has a real type, so the examples are
// checked against the API. Add one only for a name that reads as "your code here" (a model call, a
// request, a logger), never for an API name: that would hide a renamed or made-up export.
//
// Everything inside `declare global` is a global of that program; the imports are types only.

import type { ExportTarget } from "../../../platform/observability/src/exporters.js";
import type { OnceReporter } from "../../../platform/observability/src/internal/report.js";
import type { Span, Tracer } from "@opentelemetry/api";
import type { InMemorySpanExporter } from "@opentelemetry/sdk-trace-base";
import type { ResolvedObservabilityOptions } from "@tta/observability";
import type {
  AiSdkLanguageModel,
  Budget,
  Catalog,
  CatalogEntry,
  LanguageModel,
  MemoryStoreLike,
  Message,
  ModelRequest,
  TaskClassifierPrimitive,
  WorkflowContext,
  WorkflowPrimitive,
} from "@tta/primitives";
import type { SimulatedProvider } from "@tta/primitives/testing";
import type { IncomingMessage } from "node:http";

declare global {
  // --- A workflow and what flows through it -------------------------------------------------------
  /** A context the caller made with `createContext()`. */
  const ctx: WorkflowContext;
  /** A workflow (any primitive) taking and returning text. */
  const flow: WorkflowPrimitive<string, string>;
  /** The input of `flow`. */
  const input: string;
  /** An incoming request body, a ticket: the input of `flow`. */
  const body: string;
  const ticket: string;
  /** A prompt. */
  const prompt: string;
  /** A signal to cancel with. */
  const signal: AbortSignal;
  /** A URL to call. */
  const url: string;
  /** An incoming HTTP request. */
  const req: IncomingMessage;

  // --- Models ---------------------------------------------------------------------------------------
  /** Your model call as a step: any input (a prompt, a request object), a text answer. */
  function callModel(input: unknown): Promise<string>;
  /** Your model call taking `{ model, prompt }`. */
  function askModel(request: { readonly model: string; readonly prompt: string }): Promise<string>;
  /** A language model (e.g. `openAICompatible({ … })`), one that streams. */
  const llm: LanguageModel & Required<Pick<LanguageModel, "stream">>;
  const lm: LanguageModel;
  const mini: LanguageModel;
  const reasoner: LanguageModel;
  const small: LanguageModel;
  const large: LanguageModel;
  const cheap: LanguageModel;
  const backup: LanguageModel;
  /** The candidates and catalogue of a model router. */
  const candidates: readonly LanguageModel[];
  const catalog: Catalog;
  /** Your own catalogue entries. */
  const myModels: readonly CatalogEntry[];
  /** A model request, and its messages. */
  const request: ModelRequest;
  const messages: readonly Message[];
  /** A provider's base URL and API key. */
  const baseURL: string;
  const apiKey: string;
  const key: string;
  /** Text read from a file. */
  const text: string;
  /** An AI SDK provider factory (e.g. `anthropic` from `@ai-sdk/anthropic`). */
  function anthropic(modelId: string): AiSdkLanguageModel;
  /** A task classifier. */
  const classify: TaskClassifierPrimitive;
  /** A budget you implemented. */
  const myBudget: Budget;
  /** A store of memories. */
  const store: MemoryStoreLike;
  /** A provider SDK client. */
  const client: {
    chat(prompt: string): Promise<{ text: string; usage: { prompt_tokens: number; completion_tokens: number } }>;
  };
  /** Model-backed steps that answer a prompt. */
  const gpt: WorkflowPrimitive<string, string>;
  const claude: WorkflowPrimitive<string, string>;
  const localModel: WorkflowPrimitive<string, string>;
  const primaryModel: WorkflowPrimitive<string, string>;
  const backupModel: WorkflowPrimitive<string, string>;
  /** Text steps: they take text and answer with text. */
  function translate(text: string): Promise<string>;
  function summarize(text: string): Promise<string>;
  function coder(question: string): Promise<string>;
  function chatter(question: string): Promise<string>;
  function fetchAnswer(question: string, options: { signal: AbortSignal }): Promise<string>;
  /** A search: a query in, hits out. */
  function search(query: string): Promise<string[]>;
  function webSearch(query: string): Promise<string[]>;
  const queries: readonly string[];

  // --- Option validation (for authors of primitives) ---------------------------------------------
  /** The options argument a primitive was given, and one option's value: not checked yet. */
  const options: unknown;
  const value: unknown;
  /** The options object a user passed to a setup function. */
  const user: Readonly<Record<string, unknown>>;
  /** The own options read by `readOptions(...)`. */
  const o: Readonly<Record<string, unknown>>;

  // --- Side effects ---------------------------------------------------------------------------------
  function write(text: string): void;
  function pauseFor(ms: number): void;
  function retryLater(): void;
  function rotateKey(): void;
  function useCache(): void;
  const log: { warn(fields: object, message: string): void };
  const storage: { put(key: string, body: string): Promise<void>; delete(key: string): Promise<void> };
  type Draft = { readonly id: string; readonly to: string; readonly text: string };
  const mail: { send(draft: Draft): Promise<string> };
  const audit: { log(message: string, ...fields: unknown[]): void };
  /** A node-redis client. */
  const redis: {
    get(key: string): Promise<string | null>;
    set(key: string, value: string, options: { PX?: number }): Promise<unknown>;
    del(keys: string | string[]): Promise<number>;
    scanIterator(options: { MATCH: string }): AsyncIterable<string[]>;
  };
  function fetchProfile(id: string): Promise<{ id: string; name: string }>;
  const id: string;

  // --- A booking saga -------------------------------------------------------------------------------
  type Trip = { readonly from: string; readonly to: string; readonly total: number };
  type Receipt = { readonly chargeId: string };
  type Order = { readonly items: readonly string[]; readonly total: number };
  type Cart = Order;
  type Reservation = { readonly reservationId: string; readonly total: number };
  const cart: Cart;
  function reserveFlight(trip: Trip): Promise<{ id: string; total: number }>;
  function cancelFlight(id: string): Promise<void>;
  function reserveStock(order: Order): Promise<Reservation>;
  function releaseStock(reservationId: string): Promise<void>;
  function chargeCard(payment: { readonly total: number }): Promise<Receipt>;
  function refund(chargeId: string): Promise<void>;
  function sendConfirmation(receipt: Receipt): Promise<void>;

  // --- OpenTelemetry and the observability internals ------------------------------------------------
  const span: Span;
  const tracer: Tracer;
  const exporter: InMemorySpanExporter;
  /** A tracer provider being shut down. */
  const provider: { shutdown(): Promise<void> };
  /** A simulated provider started with `startSimulatedProvider()`. */
  const server: SimulatedProvider;
  /** Options resolved by `resolveObservabilityOptions`, with tracing, metrics and logging on. */
  const resolved: {
    readonly [K in keyof ResolvedObservabilityOptions]-?: NonNullable<ResolvedObservabilityOptions[K]>;
  };
  const reporter: OnceReporter;
  const target: ExportTarget;
}
