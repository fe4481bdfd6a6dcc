import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { TtaError } from "../core/errors.js";
import { isTtaError } from "../core/errors.js";
import { keyHash, serializeKey, stableKey } from "./stable-key.js";

/** Rebuilds `value` with every plain object's keys, Map entries and Set items in reverse order. */
function reordered(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reordered);
  if (value instanceof Map) return new Map([...value].reverse().map(([k, v]) => [reordered(k), reordered(v)]));
  if (value instanceof Set) return new Set([...value].reverse().map(reordered));
  if (typeof value === "object" && value !== null && !(value instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).reverse())
      Object.defineProperty(out, key, {
        value: reordered((value as Record<string, unknown>)[key]),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    return out;
  }
  return value;
}

/** A canonical JSON with sorted keys: the reference notion of "different JSON values". */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (typeof value === "object" && value !== null)
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  return JSON.stringify(value);
}

function keyError(input: unknown): TtaError {
  try {
    stableKey(input);
  } catch (error) {
    expect(isTtaError(error, "UNSERIALIZABLE_KEY")).toBe(true);
    return error as TtaError;
  }
  throw new Error("expected UNSERIALIZABLE_KEY, nothing was thrown");
}

const leaf = fc.oneof(
  fc.string({ unit: "binary" }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.bigInt(),
  fc.date(),
);
const structured = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    leaf,
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(fc.string(), tie("value"), { maxKeys: 5 }),
    fc.uniqueArray(fc.tuple(fc.string(), tie("value")), { maxLength: 4, selector: (e) => e[0] }).map((e) => new Map(e)),
    fc.uniqueArray(fc.string(), { maxLength: 4 }).map((items) => new Set(items)),
  ),
})).value;

describe("stableKey: equal inputs give equal keys", () => {
  it("ignores object key order, Map entry order and Set item order, at any depth (property)", () => {
    fc.assert(
      fc.property(structured, (value) => {
        expect(stableKey(reordered(value))).toBe(stableKey(value));
        expect(serializeKey(reordered(value))).toBe(serializeKey(value));
      }),
      { numRuns: 300 },
    );
  });

  it("a property set to undefined equals a missing one; symbol keys and non-enumerable properties are ignored", () => {
    const withExtras: Record<string | symbol, unknown> = { a: 1, b: undefined, [Symbol("s")]: 2 };
    Object.defineProperty(withExtras, "hidden", { value: 3, enumerable: false });
    expect(stableKey(withExtras)).toBe(stableKey({ a: 1 }));
  });

  it("-0 is 0; NaN equals NaN", () => {
    expect(stableKey(-0)).toBe(stableKey(0));
    expect(stableKey({ x: [-0] })).toBe(stableKey({ x: [0] }));
    expect(stableKey(Number.NaN)).toBe(stableKey(0 / 0));
  });

  it("the same Date instant gives the same key; Map keys can be objects", () => {
    expect(stableKey({ at: new Date(1_000) })).toBe(stableKey({ at: new Date(1_000) }));
    const a = new Map<unknown, number>([
      [{ id: 1 }, 1],
      [{ id: 2 }, 2],
    ]);
    const b = new Map<unknown, number>([
      [{ id: 2 }, 2],
      [{ id: 1 }, 1],
    ]);
    expect(stableKey(a)).toBe(stableKey(b));
  });
});

describe("stableKey: different inputs give different keys", () => {
  it("different JSON values never share a key (property)", () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), (a, b) => {
        fc.pre(canonicalJson(a) !== canonicalJson(b));
        expect(stableKey(a)).not.toBe(stableKey(b));
      }),
      { numRuns: 500 },
    );
  });

  it("different strings never share a key, lone surrogates, quotes and long (hashed) strings included (property)", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "binary", maxLength: 200 }),
        fc.string({ unit: "binary", maxLength: 200 }),
        (a, b) => {
          fc.pre(a !== b);
          expect(stableKey(a)).not.toBe(stableKey(b));
          expect(stableKey({ [a]: 1 })).not.toBe(stableKey({ [b]: 1 }));
        },
      ),
      { numRuns: 500 },
    );
    expect(stableKey("\ud800")).not.toBe(stableKey("\ud801"));
    expect(stableKey("\ud800".repeat(200))).not.toBe(stableKey("\ud801".repeat(200)));
    expect(stableKey('a"b')).not.toBe(stableKey("a\\b"));
  });

  it("a string never shares a key with a non-string, even one spelling its serialisation (property)", () => {
    fc.assert(
      fc.property(
        structured.filter((v) => typeof v !== "string"),
        fc.constantFrom("", "\u0000", "\u0000#"),
        (value, prefix) => {
          expect(stableKey(prefix + serializeKey(value))).not.toBe(stableKey(value));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("type tags keep look-alikes apart", () => {
    const iso = "1970-01-01T00:00:00.000Z";
    const pairs: [unknown, unknown][] = [
      [new Date(0), iso],
      [{ at: new Date(0) }, { at: iso }],
      [new Map([["a", 1]]), [["a", 1]]],
      [new Map([["a", 1]]), { a: 1 }],
      [new Set([1, 2]), [1, 2]],
      [1n, 1],
      [1n, "1"],
      [1, "1"],
      [Number.NaN, null],
      [Number.NaN, "NaN"],
      [Infinity, "Infinity"],
      [Infinity, null],
      [true, "true"],
      [null, "null"],
      [undefined, null],
      [[undefined], [null]],
      [[], {}],
      [
        [1, 2],
        [2, 1],
      ],
      [/a/g, "/a/g"],
      [new Uint8Array([1, 2]), [1, 2]],
      [new Uint8Array([1, 2]), new Uint16Array([1, 2])],
      [
        new (class Point {
          x = 1;
        })(),
        { x: 1 },
      ],
    ];
    for (const [a, b] of pairs) expect(stableKey(a), `${String(a)} vs ${String(b)}`).not.toBe(stableKey(b));
  });

  it("class instances are tagged with their class name; objects with toJSON are keyed by it", () => {
    class A {
      readonly v: number;
      constructor(v: number) {
        this.v = v;
      }
    }
    class B {
      readonly v: number;
      constructor(v: number) {
        this.v = v;
      }
    }
    expect(stableKey(new A(1))).not.toBe(stableKey(new B(1)));
    expect(stableKey(new A(1))).toBe(stableKey(new A(1)));
    expect(stableKey(new A(1))).not.toBe(stableKey(new A(2)));
    expect(stableKey(new URL("https://a.example/x"))).not.toBe(stableKey(new URL("https://a.example/y")));
  });
});

describe("stableKey: bounded and supported types", () => {
  it("a short string is its own key; other short inputs are NUL-tagged; long ones become NUL '#' + a SHA-256", () => {
    expect(stableKey("hi")).toBe("hi");
    expect(stableKey({ a: 1 })).toBe('\u0000{"a":d1}');
    expect(stableKey("\u0000d1")).not.toBe(stableKey(1));
    expect(stableKey('\u0000{"a":d1}')).not.toBe(stableKey({ a: 1 }));
    const hashed = /^#[A-Za-z0-9_-]{43}$/;
    expect(stableKey("x".repeat(129)).startsWith("\u0000")).toBe(true);
    expect(stableKey("x".repeat(129)).slice(1)).toMatch(hashed);
    const long = stableKey({ prompt: "x".repeat(10_000) });
    expect(long.startsWith("\u0000")).toBe(true);
    expect(long.slice(1)).toMatch(hashed);
    expect(stableKey({ prompt: "x".repeat(10_000) })).toBe(long);
    expect(stableKey({ prompt: "x".repeat(10_001) })).not.toBe(long);
  });

  it("BigInt works and is tagged", () => {
    expect(stableKey({ n: 10n ** 30n })).toBe(stableKey({ n: 10n ** 30n }));
    expect(stableKey({ n: 10n ** 30n })).not.toBe(stableKey({ n: 10n ** 30n + 1n }));
  });

  it("keyHash is 16 hex characters, stable, and not the key", () => {
    expect(keyHash('"secret"')).toMatch(/^[0-9a-f]{16}$/);
    expect(keyHash('"secret"')).toBe(keyHash('"secret"'));
    expect(keyHash('"secret"')).not.toBe(keyHash('"secret2"'));
  });
});

describe("stableKey: unserialisable inputs raise UNSERIALIZABLE_KEY naming the path", () => {
  it("a function, with its path", () => {
    const error = keyError({ tools: [{}, {}, { name: "t", handler: () => 1 }] });
    expect(error.message).toContain("input.tools[2].handler is a function");
    expect(error.retryable).toBe(false);
    expect(keyError(() => 1).message).toContain("input is a function");
  });

  it("a symbol value", () => {
    expect(keyError({ kind: Symbol("k") }).message).toContain("input.kind is a symbol");
    expect(keyError(new Set([1, Symbol("s")])).message).toContain("input<item #2> is a symbol");
  });

  it("a cycle, while shared (non-cyclic) references are fine", () => {
    const node: Record<string, unknown> = { name: "n" };
    node.self = { back: node };
    expect(keyError(node).message).toContain("input.self.back is a circular reference");
    const shared = { x: 1 };
    expect(() => stableKey({ a: shared, b: shared, list: [shared, shared] })).not.toThrow();
  });

  it("Map entries, promises, weak collections and very deep nesting", () => {
    expect(keyError(new Map([["k", () => 1]])).message).toContain("input<entry #1 value> is a function");
    expect(keyError({ p: Promise.resolve(1) }).message).toContain("input.p is a Promise");
    expect(keyError({ w: new WeakMap() }).message).toContain("input.w is a WeakMap");
    let deep: unknown = 1;
    for (let i = 0; i < 2_000; i++) deep = [deep];
    expect(keyError(deep).message).toContain("nested deeper than 1000 levels");
  });

  it("never echoes values or data-like property names", () => {
    const message = keyError({ "alice@example.com": { token: "s3cr3t", fn: () => 1 } }).message;
    expect(message).toContain("input[property #1].fn is a function");
    expect(message).not.toContain("alice");
    expect(message).not.toContain("s3cr3t");
  });

  it("a throwing getter's error passes through unchanged", () => {
    const boom = new Error("getter failed");
    const input = {
      get x(): number {
        throw boom;
      },
    };
    expect(() => stableKey(input)).toThrow(boom);
  });
});
