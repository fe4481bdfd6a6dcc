/**
 * Shared vitest settings: resolve workspace packages to their TypeScript source through the
 * `@tta/source` export condition, so tests run without a build.
 */
export const sourceConditions = ["@tta/source"];

export const shared = {
  resolve: { conditions: sourceConditions },
  ssr: { resolve: { conditions: sourceConditions } },
};
