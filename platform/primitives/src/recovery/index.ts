/**
 * `@tta/primitives/recovery`: reserved for the recovery primitives; this subpath resolves but exports
 * nothing yet (see the project's open issues).
 *
 * @packageDocumentation
 */
export {};
