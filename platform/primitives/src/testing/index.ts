/**
 * `@tta/primitives/testing`: fakes and the conformance suite. `describePrimitiveContract` needs
 * `vitest`.
 *
 * @packageDocumentation
 */
// `pipe`/`parallel` need the composite builders (ADR 0005): load them so this subpath works on its own.
import "../core/sequential.js";
import "../core/parallel.js";
export { MockPrimitive } from "./mock-primitive.js";
export type { MockCall, MockPrimitiveOptions } from "./mock-primitive.js";
export { MockLanguageModel } from "./mock-language-model.js";
export type { MockLanguageModelOptions, MockModelCall, MockReply } from "./mock-language-model.js";
export { SIMULATED_MODELS, simulatedCatalog } from "./simulated-catalog.js";
export { startSimulatedProvider } from "./simulated-provider/server.js";
export type {
  SimulatedErrorRates,
  SimulatedFault,
  SimulatedLatency,
  SimulatedModel,
  SimulatedProvider,
  SimulatedProviderOptions,
  SimulatedProviderStats,
  SimulatedProviderUpdate,
  SimulatedReply,
  SimulatedRequest,
} from "./simulated-provider/types.js";
export { TestClock } from "./test-clock.js";
export { createTestContext } from "./test-context.js";
export type { TestContext } from "./test-context.js";
export { SpanRecorder, formatSpanTree } from "./span-recorder.js";
export type { RecordedSpan, SpanLike } from "./span-recorder.js";
export { describePrimitiveContract } from "./primitive-contract.js";
export type { ContractFactory, ContractOptions } from "./primitive-contract.js";
