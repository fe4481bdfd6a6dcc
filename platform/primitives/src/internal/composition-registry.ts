/**
 * Breaks the import cycle between the base class (whose `pipe`/`parallel` build composites) and the
 * composite classes (which extend the base): the composites register their builders here when
 * their modules load, and the base looks them up at call time.
 */
export interface CompositionBuilders {
  sequence(steps: readonly unknown[]): unknown;
  parallelWith(left: unknown, right: unknown): unknown;
}

let builders: CompositionBuilders | undefined;
const partial: Partial<CompositionBuilders> = {};

/** Called once by `sequential.ts` and once by `parallel.ts` when they load. */
export function registerBuilder<K extends keyof CompositionBuilders>(key: K, builder: CompositionBuilders[K]): void {
  partial[key] = builder;
  if (partial.sequence && partial.parallelWith) builders = partial as CompositionBuilders;
}

/** The registered builders; both composite modules are loaded by the package entry points. */
export function compositionBuilders(): CompositionBuilders {
  if (builders === undefined)
    throw new Error(
      "@tta/primitives: composition builders missing; import from '@tta/primitives' or '@tta/primitives/core'",
    );
  return builders;
}
