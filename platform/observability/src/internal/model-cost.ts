/**
 * Prices one model call from a model catalogue (`@tta/primitives`' `Catalog`): the one place where
 * `@tta/observability` turns token counts into US dollars, for metrics and for the GenAI span.
 */
import type { Catalog } from "@tta/primitives";
import { modelCallCost } from "@tta/primitives";

/** The fields of a model call that pricing reads. */
export interface PricedCall {
  readonly model: string;
  readonly responseModel?: string | undefined;
  readonly inputTokens?: number | undefined;
  readonly outputTokens?: number | undefined;
  readonly cachedInputTokens?: number | undefined;
}

/** A finite count ≥ 0, else `undefined`. */
export function finiteCount(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) && value >= 0 ? value : undefined;
}

/**
 * The call's cost from `catalog` by the one rule of `@tta/primitives` (`modelCallCost`: the response
 * model's entry when the catalogue lists it, else the configured model's); `undefined` when neither
 * is listed or no token count is known. Throws what a user catalogue's `cost` throws (callers report it).
 */
export function catalogCost(catalog: Catalog, call: PricedCall): number | undefined {
  const inputTokens = finiteCount(call.inputTokens);
  const outputTokens = finiteCount(call.outputTokens);
  if (inputTokens === undefined && outputTokens === undefined) return undefined;
  return modelCallCost(catalog, call.model, call.responseModel, {
    inputTokens: inputTokens ?? 0,
    outputTokens: outputTokens ?? 0,
    cachedInputTokens: finiteCount(call.cachedInputTokens),
  });
}
