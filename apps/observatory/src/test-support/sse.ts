/**
 * Test helper: reads server-sent events from a response body.
 */

/** One parsed server-sent event, or a comment line. */
export type SseItem = { readonly event: string; readonly data: string } | { readonly comment: string };

/** Reads `body` item by item. */
export class SseReader {
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  readonly #decoder = new TextDecoder();
  #buffer = "";

  constructor(body: ReadableStream<Uint8Array>) {
    this.#reader = body.getReader();
  }

  /** The next event or comment; `undefined` once the stream ended. */
  async next(): Promise<SseItem | undefined> {
    for (;;) {
      const end = this.#buffer.indexOf("\n\n");
      if (end >= 0) {
        const block = this.#buffer.slice(0, end);
        this.#buffer = this.#buffer.slice(end + 2);
        if (block.startsWith(":")) return { comment: block.slice(1).trim() };
        let event = "message";
        const data: string[] = [];
        for (const line of block.split("\n")) {
          if (line.startsWith("event: ")) event = line.slice(7);
          else if (line.startsWith("data: ")) data.push(line.slice(6));
        }
        return { event, data: data.join("\n") };
      }
      const { done, value } = await this.#reader.read();
      if (done) return undefined;
      this.#buffer += this.#decoder.decode(value, { stream: true });
    }
  }

  /** Reads until `accept` returns true for an item; returns that item (throws if the stream ends first). */
  async until(accept: (item: SseItem) => boolean): Promise<SseItem> {
    for (;;) {
      const item = await this.next();
      if (item === undefined) throw new Error("the event stream ended");
      if (accept(item)) return item;
    }
  }

  /** Stops reading. */
  async cancel(): Promise<void> {
    await this.#reader.cancel();
  }
}
