/**
 * Prices one model call from a model catalogue (`@tta/primitives`' `Catalog`): the one place where
 * `@tta/observability` turns token counts into US dollars, for metrics and for the GenAI span.
 */
import type { Catalog } from "@tta/primitives";

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
 * The call's cost from `catalog`: the response model's entry when the catalogue lists it, else the
 * configured model's; `undefined` when neither is listed or no token count is known. May throw when a
 * user-supplied catalogue's `cost` throws (callers report it).
 */
export function catalogCost(catalog: Catalog, call: PricedCall): number | undefined {
  const inputTokens = finiteCount(call.inputTokens);
  const outputTokens = finiteCount(call.outputTokens);
  if (inputTokens === undefined && outputTokens === undefined) return undefined;
  const usage = {
    inputTokens: inputTokens ?? 0,
    outputTokens: outputTokens ?? 0,
    cachedInputTokens: finiteCount(call.cachedInputTokens),
  };
  const response = call.responseModel;
  const cost =
    (typeof response === "string" && response !== "" ? catalog.cost(response, usage) : undefined) ??
    catalog.cost(call.model, usage);
  return finiteCount(cost);
}
