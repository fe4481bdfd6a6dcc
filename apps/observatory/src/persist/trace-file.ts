/**
 * The optional SQLite file of the observatory (`dbFile`): the stored traces survive a restart.
 *
 * sql.js (SQLite compiled to WebAssembly, no native build) holds the database in memory; the file is
 * rewritten from it (temporary file, then rename) at most every `flushMs` while traces change, and on
 * close. The database mirrors the bounded store, so it is as bounded as the store.
 *
 * @packageDocumentation
 */
import { readFile, rename, writeFile } from "node:fs/promises";
import initSqlJs from "sql.js";
import type { Database, SqlJsStatic } from "sql.js";
import { ObservatoryError } from "../errors.js";
import type { TraceStore } from "../store.js";
import type { SpanRecord } from "../types.js";

/** The schema version written to `meta`; a file with another version is refused. */
export const TRACE_FILE_SCHEMA = 1;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS traces (trace_id TEXT PRIMARY KEY, seq INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS spans (
  trace_id TEXT NOT NULL,
  span_id TEXT NOT NULL,
  record TEXT NOT NULL,
  PRIMARY KEY (trace_id, span_id)
);
`;

let sqlJs: Promise<SqlJsStatic> | undefined;

function invalidFile(path: string, why: string): ObservatoryError {
  return new ObservatoryError(
    "INVALID_DB_FILE",
    `startObservatory: dbFile ${JSON.stringify(path)} ${why}; it was left as it is (choose another file or move it away)`,
  );
}

/** Whether a row read back from the file is a span record the store can take. */
function isSpanRecord(value: unknown): value is SpanRecord {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Partial<Record<keyof SpanRecord, unknown>>;
  return (
    typeof v.traceId === "string" &&
    typeof v.spanId === "string" &&
    typeof v.name === "string" &&
    typeof v.startMs === "number" &&
    typeof v.endMs === "number" &&
    typeof v.attributes === "object" &&
    v.attributes !== null &&
    Array.isArray(v.events) &&
    typeof v.status === "object" &&
    v.status !== null
  );
}

/** The traces of a {@link TraceStore}, kept in a SQLite file. */
export class TraceFile {
  readonly path: string;
  /** Spans read from the file at start. */
  readonly loadedSpans: number;
  readonly #db: Database;
  readonly #store: TraceStore;
  readonly #flushMs: number;
  readonly #onError: (message: string) => void;
  readonly #dirty = new Set<string>();
  readonly #unsubscribe: () => void;
  #seq = 0;
  #timer: NodeJS.Timeout | undefined;
  #writing: Promise<void> = Promise.resolve();
  #lastError: string | undefined;
  #closed = false;
  #closing: Promise<void> | undefined;

  private constructor(path: string, db: Database, store: TraceStore, flushMs: number, onError: (m: string) => void) {
    this.path = path;
    this.#db = db;
    this.#store = store;
    this.#flushMs = flushMs;
    this.#onError = onError;
    this.loadedSpans = this.#load();
    this.#unsubscribe = store.onTracesChange((ids) => {
      for (const id of ids) this.#dirty.add(id);
      this.#schedule();
    });
    // Traces the store did not take (over its bounds) leave the file at the first write.
    for (const [id] of (db.exec("SELECT trace_id FROM traces")[0]?.values ?? []) as [string][])
      if (store.traceSpans(id) === undefined) this.#dirty.add(id);
    if (this.#dirty.size > 0) this.#schedule();
  }

  /**
   * Opens `path` (created at the first write when missing) and loads its traces into `store`.
   *
   * @throws {@link ObservatoryError} `INVALID_DB_FILE` when the file exists but is not an observatory
   * SQLite file of this schema version (it is never overwritten then), or cannot be read.
   */
  static async open(
    path: string,
    store: TraceStore,
    options: { readonly flushMs: number; readonly onError: (message: string) => void },
  ): Promise<TraceFile> {
    let bytes: Buffer | undefined;
    try {
      bytes = await readFile(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT")
        throw invalidFile(path, `cannot be read (${(error as NodeJS.ErrnoException).code ?? "error"})`);
    }
    sqlJs ??= initSqlJs();
    const SQL = await sqlJs;
    let db: Database;
    try {
      db = bytes === undefined || bytes.length === 0 ? new SQL.Database() : new SQL.Database(bytes);
      if (bytes !== undefined && bytes.length > 0) {
        const version = db.exec("SELECT value FROM meta WHERE key = 'schema'")[0]?.values[0]?.[0];
        if (version !== String(TRACE_FILE_SCHEMA)) {
          db.close();
          throw invalidFile(path, `has schema version ${String(version)}, not ${TRACE_FILE_SCHEMA}`);
        }
      }
      db.run(SCHEMA);
      db.run("INSERT OR REPLACE INTO meta (key, value) VALUES ('schema', ?)", [String(TRACE_FILE_SCHEMA)]);
    } catch (error) {
      if (error instanceof ObservatoryError) throw error;
      throw invalidFile(path, "is not an observatory SQLite file");
    }
    return new TraceFile(path, db, store, options.flushMs, options.onError);
  }

  /** Reads every stored span into the store, oldest trace first; skips rows that are not span records. */
  #load(): number {
    const spans: SpanRecord[] = [];
    const statement = this.#db.prepare(
      "SELECT s.record, t.seq FROM spans s JOIN traces t ON t.trace_id = s.trace_id ORDER BY t.seq, s.rowid",
    );
    try {
      while (statement.step()) {
        const [record, seq] = statement.get() as [string, number];
        this.#seq = Math.max(this.#seq, seq);
        try {
          const parsed: unknown = JSON.parse(record);
          if (isSpanRecord(parsed)) spans.push(parsed);
        } catch {
          // a row written by something else: skipped
        }
      }
    } finally {
      statement.free();
    }
    return this.#store.ingest(spans).accepted;
  }

  #schedule(): void {
    if (this.#timer !== undefined || this.#closed) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.flush();
    }, this.#flushMs);
    this.#timer.unref();
  }

  /** Writes the traces that changed into the database, then the database to the file. */
  flush(): Promise<void> {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    const ids = [...this.#dirty];
    this.#dirty.clear();
    if (ids.length > 0) this.#apply(ids);
    // Writes run one after another; each writes the database as it is when it starts.
    this.#writing = this.#writing.then(() => (ids.length > 0 ? this.#write() : undefined));
    return this.#writing;
  }

  /** Flushes, stops following the store and closes the database. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#unsubscribe();
      await this.flush();
      this.#closed = true;
      this.#db.close();
    })();
    return this.#closing;
  }

  #apply(ids: readonly string[]): void {
    const db = this.#db;
    db.run("BEGIN");
    try {
      for (const id of ids) {
        db.run("DELETE FROM spans WHERE trace_id = ?", [id]);
        const spans = this.#store.traceSpans(id);
        if (spans === undefined) {
          db.run("DELETE FROM traces WHERE trace_id = ?", [id]);
          continue;
        }
        db.run("INSERT OR IGNORE INTO traces (trace_id, seq) VALUES (?, ?)", [id, ++this.#seq]);
        for (const span of spans)
          db.run("INSERT INTO spans (trace_id, span_id, record) VALUES (?, ?, ?)", [
            id,
            span.spanId,
            JSON.stringify(span),
          ]);
      }
      db.run("COMMIT");
    } catch (error) {
      db.run("ROLLBACK");
      this.#report(`could not update ${this.path}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  async #write(): Promise<void> {
    if (this.#closed) return;
    const temporary = `${this.path}.${process.pid}.tmp`;
    try {
      await writeFile(temporary, this.#db.export());
      await rename(temporary, this.path);
      this.#lastError = undefined;
    } catch (error) {
      this.#report(
        `could not write ${this.path} (${(error as NodeJS.ErrnoException).code ?? "error"}); traces stay in memory`,
      );
    }
  }

  /** Reports an error once until a write succeeds again. */
  #report(message: string): void {
    if (message === this.#lastError) return;
    this.#lastError = message;
    this.#onError(message);
  }
}
