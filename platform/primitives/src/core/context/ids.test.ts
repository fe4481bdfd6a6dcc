/**
 * The ids a run generates: correlation ids are version 4 UUIDs unique per run (issue 11 made them a
 * counter within a block of random UUIDs), and the workflow and trace ids derived from them stay valid.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createContext } from "../context.js";
import { traceIdFromCorrelationId } from "./trace-id.js";

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe("run ids", () => {
  it("gives every run its own version 4 correlation id, across more than one block of ids", () => {
    const seen = new Set<string>();
    const count = 0x10000 + 1_000; // one block is 65 536 ids
    for (let i = 0; i < count; i++) {
      const id = createContext().correlationId;
      expect(UUID_V4.test(id)).toBe(true);
      seen.add(id);
    }
    expect(seen.size).toBe(count);
  });

  it("gives consecutive runs distinct workflow ids", () => {
    const ids = new Set(Array.from({ length: 5_000 }, () => createContext().workflowId));
    expect(ids.size).toBe(5_000);
    for (const id of ids) expect(id).toMatch(/^wf-[0-9a-f]{8}$/);
  });

  it("derives a valid W3C trace id (32 hex digits, not all zeros) from every correlation id", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 200 }), (runs) => {
        for (let i = 0; i < runs; i++) {
          const ctx = createContext();
          const traceId = ctx.traceId;
          expect(traceId).toMatch(/^[0-9a-f]{32}$/);
          expect(traceId).not.toMatch(/^0+$/);
          expect(traceIdFromCorrelationId(ctx.correlationId)).toBe(traceId);
        }
      }),
      { numRuns: 20 },
    );
  });
});
