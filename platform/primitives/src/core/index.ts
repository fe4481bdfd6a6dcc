/**
 * `@tta/primitives/core`: context, the primitive base class, composition and the error catalogue.
 *
 * @packageDocumentation
 */
export { systemClock, sleepWith } from "./clock.js";
export type { Clock } from "./clock.js";
export { WorkflowContext, createContext } from "./context.js";
export { traceIdFromCorrelationId } from "./context/trace-id.js";
export { contextKey } from "./context-key.js";
export type { ContextKey } from "./context-key.js";
export { BUDGET_KEY } from "./budget.js";
export type { Budget, Reservation, Spend } from "./budget.js";
export { SPAN_ATTRIBUTES_KEY } from "./span-attributes.js";
export type { SpanAttributes } from "./span-attributes.js";
export type { ChildContextInit, ContextInit } from "./context.js";
export {
  BudgetExceededError,
  BulkheadRejectedError,
  CircuitOpenError,
  CompensationError,
  FallbackError,
  InvalidOptionsError,
  MAX_PROVIDER_ERROR_BODY,
  ProviderError,
  RateLimitedError,
  RouteNotFoundError,
  StreamInterruptedError,
  StructuredOutputError,
  TimeoutError,
  TtaError,
  TtaErrorCode,
  isRetryableStatus,
  isTtaError,
  toError,
} from "./errors.js";
export type {
  BudgetExceededDetails,
  BudgetResource,
  ProviderErrorInit,
  StructuredOutputIssue,
  TtaErrorOptions,
} from "./errors.js";
export { RUN_CONTEXT_KEY, emit, isObserved, subscribe } from "./instrumentation.js";
export { REDACTED, redactSecrets } from "../internal/redact.js";
export { recordSpanFailure } from "../internal/tracing.js";
export type {
  BudgetEvent,
  BulkheadEvent,
  CacheEvent,
  CircuitState,
  CircuitStateEvent,
  EndEvent,
  EventFields,
  EventListener,
  ExecutionOutcome,
  FallbackEvent,
  ModelCallEvent,
  RouteEvent,
  PrimitiveEventBase,
  RateLimitEvent,
  RetryEvent,
  RunIdentity,
  StartEvent,
  TimeoutEvent,
  TtaEvent,
} from "./instrumentation.js";
export { WorkflowPrimitive } from "./workflow-primitive.js";
export type {
  Executable,
  InputOf,
  OutputOf,
  ParallelAppend,
  ParallelAppendShape,
  PrimitiveIdentity,
  PrimitiveLike,
} from "./workflow-primitive.js";
export { toExecutable } from "./primitive-like.js";
export { LambdaPrimitive, lambda } from "./lambda.js";
export { SequentialPrimitive, sequential } from "./sequential.js";
export type { SequentialOptions, SequentialSteps } from "./sequential.js";
export { DEFAULT_PARALLEL_OPTIONS, ParallelPrimitive, parallel } from "./parallel.js";
export type {
  CommonInput,
  ParallelMode,
  ParallelOptions,
  RecordOutputs,
  ResolvedParallelOptions,
  SettledOutputs,
  TupleOutputs,
} from "./parallel.js";
export { ConditionalPrimitive, when } from "./conditional.js";
export type { Condition, ConditionalOptions } from "./conditional.js";
export { RouterPrimitive, router } from "./router.js";
export type { RouterOptions } from "./router.js";
