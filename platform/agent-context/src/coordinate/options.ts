/**
 * Validation of `coordinate`'s agents and options.
 *
 * @packageDocumentation
 */
import type { Executable, PrimitiveLike } from "@tta/primitives";
import { toExecutable } from "@tta/primitives";
import {
  InvalidOptionsError,
  describeValue,
  durationOption,
  fail,
  integerOption,
  isPlainObject,
  nameOption,
  readOptions,
} from "@tta/primitives/options";
import type { CoordinationStrategy, ResolvedCoordinateOptions } from "../coordinate.js";

const OPTION_KEYS = ["strategy", "timeoutMs", "name"] as const;
const STRATEGY_EXPECTED = '"all", "settled", "first", "any" or { quorum: n }';

/** The agents as executables, with their keys (array index as a string, or record key), in order. @internal */
export interface ResolvedAgents<I> {
  readonly agents: readonly Executable<I, unknown>[];
  readonly keys: readonly string[];
  /** Whether they came as a record. */
  readonly record: boolean;
}

/**
 * Validates `coordinate`'s agents (a non-empty array or record) and lifts functions to lambdas.
 * @throws `InvalidOptionsError` naming `agents` or `agents[i]` / `agents.<key>`.
 * @internal
 */
export function resolveAgents<I>(
  value: readonly PrimitiveLike<I, unknown>[] | Readonly<Record<string, PrimitiveLike<I, unknown>>>,
): ResolvedAgents<I> {
  if (Array.isArray(value)) {
    const list = value as readonly PrimitiveLike<I, unknown>[];
    if (list.length === 0) fail("agents", "a non-empty array or record of agents", list);
    return {
      // `Array.from` visits the holes of a sparse array (`map` skips them), so a hole is named too.
      agents: Object.freeze(Array.from(list, (a, i) => toExecutable(a, `agents[${i}]`))),
      keys: Object.freeze(Array.from(list, (_, i) => String(i))),
      record: false,
    };
  }
  if (!isPlainObject(value)) fail("agents", "a non-empty array or record of agents (primitives or functions)", value);
  const keys = Object.keys(value);
  if (keys.length === 0) fail("agents", "a non-empty array or record of agents", value);
  return {
    agents: Object.freeze(keys.map((k) => toExecutable(value[k] as PrimitiveLike<I, unknown>, `agents.${k}`))),
    keys: Object.freeze(keys),
    record: true,
  };
}

/**
 * Validates `coordinate`'s options; `timeoutMs: Infinity` means none.
 * @throws `InvalidOptionsError` naming the option (`strategy`, `strategy.quorum`, `timeoutMs`, `name`).
 * @internal
 */
export function resolveOptions(options: unknown, agentCount: number): ResolvedCoordinateOptions {
  const opts = readOptions("coordinate", options, OPTION_KEYS);
  const timeoutMs = durationOption("timeoutMs", opts.timeoutMs, Infinity, { allowInfinity: true });
  return Object.freeze({
    strategy: strategyOption(opts.strategy, agentCount),
    timeoutMs: timeoutMs === Infinity ? undefined : timeoutMs,
    name: nameOption(opts.name, "CoordinatePrimitive"),
  });
}

function strategyOption(value: unknown, agentCount: number): CoordinationStrategy {
  if (value === undefined) return "all";
  if (value === "all" || value === "settled" || value === "first" || value === "any") return value;
  if (!isPlainObject(value)) fail("strategy", STRATEGY_EXPECTED, value);
  const opts = readOptions("coordinate", value, ["quorum"], "strategy");
  if (opts.quorum === undefined)
    throw new InvalidOptionsError(
      "strategy.quorum",
      `Expected \`strategy.quorum\` (required) to be an integer ≥ 1 and ≤ ${agentCount}, got ${describeValue(opts.quorum)}`,
    );
  const quorum = integerOption("strategy.quorum", opts.quorum, 1, { min: 1, max: agentCount });
  return Object.freeze({ quorum });
}
