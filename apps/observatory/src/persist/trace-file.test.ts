import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import initSqlJs from "sql.js";
import { describe, expect, it, vi } from "vitest";
import { ObservatoryError } from "../errors.js";
import { startObservatory } from "../server.js";
import type { ObservatoryOptions } from "../options.js";
import { TraceStore } from "../store.js";
import { hexId, record } from "../test-support/spans.js";
import { TraceFile } from "./trace-file.js";

const dbPath = (): string => join(mkdtempSync(join(tmpdir(), "observatory-db-")), "traces.sqlite");

/** Starts an observatory with `dbFile`, collecting its warnings. */
async function start(dbFile: string, options: ObservatoryOptions = {}) {
  const warnings: string[] = [];
  const handle = await startObservatory({ port: 0, dbFile, onWarning: (w) => warnings.push(w), ...options });
  return { handle, warnings };
}

/** A trace of `n` spans, the first the root, with hostile text in a name and an attribute. */
function trace(n: number, startMs: number) {
  const traceId = hexId(16);
  const spans = Array.from({ length: n }, (_, i) =>
    record({
      traceId,
      startMs: startMs + i,
      name: i === 0 ? "<script>x</script>' OR 1=1 --" : `child ${i}`,
      attributes: { "tta.workflow.id": `wf-${traceId.slice(-4)}`, quote: "'; DROP TABLE spans; --", n: i },
    }),
  );
  return { traceId, spans };
}

describe("the observatory's SQLite file (dbFile)", () => {
  it("keeps the traces across a restart, exactly as they were stored", async () => {
    const path = dbPath();
    const first = await start(path);
    const a = trace(3, 1_700_000_000_000);
    const b = trace(2, 1_700_000_001_000);
    first.handle.store.ingest([...a.spans, ...b.spans]);
    const before = { list: first.handle.store.list(), a: first.handle.store.get(a.traceId) };
    await first.handle.close();
    expect(existsSync(path)).toBe(true);

    const second = await start(path);
    try {
      expect(second.handle.store.list()).toEqual(before.list);
      expect(second.handle.store.get(a.traceId)).toEqual(before.a);
      expect(second.handle.store.stats()).toMatchObject({ traces: 2, spans: 5 });
      expect(second.warnings).toEqual([]);
    } finally {
      await second.handle.close();
    }
  });

  it("keeps the eviction order and drops evicted traces from the file", async () => {
    const path = dbPath();
    const first = await start(path, { maxTraces: 2 });
    const [a, b, c] = [trace(1, 1), trace(1, 2), trace(1, 3)];
    first.handle.store.ingest(a.spans);
    first.handle.store.ingest(b.spans);
    first.handle.store.ingest(c.spans); // evicts a
    await first.handle.close();

    const second = await start(path, { maxTraces: 10 });
    expect(new Set(second.handle.store.list().traces.map((t) => t.traceId))).toEqual(new Set([b.traceId, c.traceId]));
    await second.handle.close();

    // Reloaded with room for one trace: b (the older) is evicted at load, then dropped from the file.
    const third = await start(path, { maxTraces: 1 });
    expect(third.handle.store.list().traces.map((t) => t.traceId)).toEqual([c.traceId]);
    await third.handle.close();
    const fourth = await start(path, { maxTraces: 10 });
    expect(fourth.handle.store.list().traces.map((t) => t.traceId)).toEqual([c.traceId]);
    await fourth.handle.close();
  });

  it("writes while running, at most every flush interval, not only on close", async () => {
    const path = dbPath();
    const store = new TraceStore();
    const file = await TraceFile.open(path, store, { flushMs: 20, onError: () => undefined });
    try {
      const t = trace(2, 5);
      store.ingest(t.spans);
      await vi.waitFor(() => expect(existsSync(path)).toBe(true), { timeout: 5_000 });
      const reread = new TraceStore();
      const copy = await TraceFile.open(path, reread, { flushMs: 20, onError: () => undefined });
      expect(copy.loadedSpans).toBe(2);
      await copy.close();
    } finally {
      await file.close();
    }
  });

  it("refuses a file that is not an observatory SQLite file, and leaves it untouched", async () => {
    const path = dbPath();
    writeFileSync(path, "these are my notes, not a database");
    const error = await start(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ObservatoryError);
    expect((error as ObservatoryError).code).toBe("INVALID_DB_FILE");
    expect((error as Error).message).toContain("is not an observatory SQLite file");
    expect(readFileSync(path, "utf8")).toBe("these are my notes, not a database");

    // Another SQLite database, and one of a later schema version, are refused the same way.
    const SQL = await initSqlJs();
    const cases: [string, string][] = [
      ["CREATE TABLE notes (text TEXT)", "is not an observatory SQLite file"],
      [
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT); INSERT INTO meta VALUES ('schema', '99')",
        "has schema version 99, not 1",
      ],
    ];
    for (const [sql, message] of cases) {
      const other = new SQL.Database();
      other.run(sql);
      const otherPath = dbPath();
      const bytes = other.export();
      writeFileSync(otherPath, bytes);
      const refused = await start(otherPath).catch((e: unknown) => e);
      expect((refused as ObservatoryError).code).toBe("INVALID_DB_FILE");
      expect((refused as Error).message).toContain(message);
      expect(readFileSync(otherPath)).toEqual(Buffer.from(bytes));
    }
  });

  it("keeps running in memory, with one warning, when the file cannot be written", async () => {
    const path = join(dbPath(), "missing-folder", "traces.sqlite");
    const { handle, warnings } = await start(path);
    handle.store.ingest(trace(1, 1).spans);
    await handle.close();
    expect(warnings).toEqual([
      expect.stringMatching(/could not write .*traces\.sqlite \(ENOENT\); traces stay in memory/),
    ]);
  });

  it("rejects a dbFile option that is not a path", async () => {
    for (const dbFile of ["", "  ", "a\0b", 42]) {
      const error = await startObservatory({ port: 0, dbFile: dbFile as string }).catch((e: unknown) => e);
      expect((error as ObservatoryError).code).toBe("INVALID_OPTIONS");
      expect((error as Error).message).toBe("startObservatory: dbFile must be a file path");
    }
  });
});
