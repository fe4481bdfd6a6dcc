/**
 * `@tta/primitives/performance` re-exports every error class its primitives throw, as the same class
 * objects as `@tta/primitives/core` (DESIGN §3.3; issue 11, item 7).
 */
import { describe, expect, it } from "vitest";
import * as core from "@tta/primitives/core";
import * as performance from "@tta/primitives/performance";
import { CORE_ERROR_CLASSES, errorClassesUsedBy, errorOf, exportedBy } from "../test-support/subpath-errors.js";

const { MemoryStore, cache, remember } = performance;

const expectExported = exportedBy(performance);

describe("@tta/primitives/performance error exports", () => {
  it("re-exports, as core's own class objects, every core error class its modules import or construct", () => {
    const used = errorClassesUsedBy("performance");
    expect(used).toEqual(expect.arrayContaining(["InvalidOptionsError", "TtaError"]));
    for (const name of [...used, "InvalidOptionsError", "TimeoutError", "TtaError"]) {
      expect((performance as Record<string, unknown>)[name], name).toBeDefined();
      expect((performance as Record<string, unknown>)[name], name).toBe(CORE_ERROR_CLASSES.get(name));
    }
    expect(performance.isTtaError).toBe(core.isTtaError);
    expect(performance.TtaErrorCode).toBe(core.TtaErrorCode);
  });

  it("exports the class of the error each performance primitive throws", async () => {
    expectExported(await errorOf(() => cache((x: number) => x, { maxEntries: 0 })), "InvalidOptionsError");
    expectExported(await errorOf(() => new MemoryStore({ maxEntries: -1 })), "InvalidOptionsError");
    expectExported(await errorOf(() => remember({ store: "not a store" } as never)), "InvalidOptionsError");

    const unserialisable = await errorOf(() => cache((x: unknown) => x).execute({ f: () => 1 }));
    expectExported(unserialisable, "TtaError");
    expect(performance.isTtaError(unserialisable, performance.TtaErrorCode.UNSERIALIZABLE_KEY)).toBe(true);
  });
});
