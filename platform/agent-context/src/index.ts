/**
 * `@tta/agent-context`: agents with tools, enforced budgets, handoffs, scoped memory and coordination,
 * on top of `@tta/primitives` (DESIGN §9).
 *
 * @packageDocumentation
 */
export { AGENT_KEY, MAX_HANDOFF_HISTORY, agentOf, currentAgent, runWithAgent, withAgent } from "./agent-context.js";
export type { AgentInit } from "./agent-context.js";
export { createBudget } from "./budget.js";
export { AgentPrimitive, DEFAULT_AGENT_OPTIONS, agent } from "./agent.js";
export type { AgentInput, AgentOptions, AgentResult, AgentStopReason, AnyAgent, PayloadCheck } from "./agent.js";
export { HANDOFF_TOOL_PREFIX, TOOL_NAME_PATTERN, ToolPrimitive, tool } from "./tool.js";
export type { AnyTool, Tool, ToolOptions } from "./tool.js";
export { ToolArgumentsError } from "./tool/call.js";
export { HandoffPrimitive, handoff } from "./handoff.js";
export type { HandoffInput, HandoffOptions } from "./handoff.js";
export { DEFAULT_SCOPED_MEMORY_OPTIONS, memoryNamespace, scopedMemory } from "./memory.js";
export type { ScopedMemoryOptions, SharedMemoryScope } from "./memory.js";
export { CoordinatePrimitive, coordinate } from "./coordinate.js";
export type {
  AgentAborted,
  AgentFulfilled,
  AgentOutcome,
  AgentOutcomes,
  AgentOutputs,
  AgentRejected,
  AnyLike,
  CoordinateOptions,
  CoordinationResult,
  CoordinationResultOf,
  CoordinationStrategy,
  KeyString,
  ResolvedCoordinateOptions,
} from "./coordinate.js";
export type {
  AgentBudget,
  AgentContext,
  AgentMemory,
  BudgetAmounts,
  BudgetLimits,
  BudgetOptions,
  BudgetSnapshot,
  HandoffEnvelope,
  HandoffRecord,
  JsonSchemaObject,
  MemoryAccess,
  MemoryScopeName,
  ScopedMemory,
  ToolSchema,
} from "./types.js";
