/**
 * `@tta/primitives/orchestration`: reserved for the orchestration primitives; this subpath resolves but exports
 * nothing yet (see the project's open issues).
 *
 * @packageDocumentation
 */
export {};
