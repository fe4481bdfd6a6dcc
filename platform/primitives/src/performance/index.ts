/**
 * `@tta/primitives/performance`: a single-flight LRU cache and agent memory.
 *
 * @packageDocumentation
 */
// <cache>
// </cache>
// <memory>
// </memory>
export {};
