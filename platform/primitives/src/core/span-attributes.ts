/**
 * `SPAN_ATTRIBUTES_KEY`: attributes that every span started under a context carries, so a layer above
 * the primitives (an agent, a tenant) labels all the work done inside it without wrapping each step.
 *
 * @packageDocumentation
 */
import type { ContextKey } from "./context-key.js";
import { contextKey } from "./context-key.js";

/** What {@link SPAN_ATTRIBUTES_KEY} holds: span attributes (low-cardinality ids, never user content). @since 0.1.0 */
export type SpanAttributes = Readonly<Record<string, string | number | boolean>>;

/**
 * The context key of extra span attributes: every primitive executed under
 * `ctx.withValue(SPAN_ATTRIBUTES_KEY, attrs)` (and every context derived from it) opens its span with
 * `attrs` beside its own `tta.*` attributes, which win on a clash. `@tta/agent-context` sets
 * `tta.agent.id` and `tta.agent.role` this way, and `@tta/observability` copies them onto log lines.
 *
 * @remarks Read once per span, only when tracing is on; a context without values pays one check. The
 * object is used as given: pass a frozen one, and never user data (DESIGN §8: no content in telemetry).
 *
 * @example
 * ```ts
 * const ctx = createContext().withValue(SPAN_ATTRIBUTES_KEY, { "app.tenant": "acme" });
 * await flow.execute(input, ctx); // every tta.* span has app.tenant = "acme"
 * ```
 * @since 0.1.0
 */
export const SPAN_ATTRIBUTES_KEY: ContextKey<SpanAttributes> = contextKey<SpanAttributes>("tta.span-attributes");
