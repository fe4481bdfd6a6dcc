/**
 * `@tta/primitives/performance`: reserved for the performance primitives; this subpath resolves but exports
 * nothing yet (see the project's open issues).
 *
 * @packageDocumentation
 */
export {};
