/**
 * `class X extends WorkflowPrimitive` with `super()` (issue 11, item 8): the kind comes from the class
 * name, or a clear `InvalidOptionsError` says what to pass, never a `TypeError`.
 */
import { trace } from "@opentelemetry/api";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { SpanRecorder } from "../testing/index.js";
import { InvalidOptionsError, WorkflowPrimitive, sequential } from "./index.js";
import type { PrimitiveIdentity } from "./index.js";

const KIND_PATTERN = /^[a-z][a-z0-9-]*$/;

class TicketTriage extends WorkflowPrimitive<string, string> {
  constructor() {
    super();
  }
  protected run(input: string): Promise<string> {
    return Promise.resolve(input.toUpperCase());
  }
}

/** A subclass named `className` that passes `identity` (or nothing) to `super`. */
function classNamed(className: string, identity?: unknown): new () => WorkflowPrimitive<number, number> {
  const Named = class extends WorkflowPrimitive<number, number> {
    constructor() {
      if (identity === undefined) super();
      else super(identity as PrimitiveIdentity);
    }
    protected run(input: number): Promise<number> {
      return Promise.resolve(input);
    }
  };
  Object.defineProperty(Named, "name", { value: className });
  return Named;
}

function invalid(fn: () => unknown): InvalidOptionsError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidOptionsError);
    return error as InvalidOptionsError;
  }
  throw new Error("expected an InvalidOptionsError");
}

let recorder: SpanRecorder | undefined;
afterEach(() => {
  recorder?.uninstall();
  recorder = undefined;
  trace.disable();
});

describe("a primitive whose constructor calls super() without arguments", () => {
  it("takes its kind from the class name in kebab-case, and runs with span tta.<kind>", async () => {
    recorder = new SpanRecorder().install();
    const triage = new TicketTriage();
    expect(triage.kind).toBe("ticket-triage");
    expect(triage.name).toBe("TicketTriage");
    await expect(sequential([triage, (s: string) => `${s}!`]).execute("urgent")).resolves.toBe("URGENT!");
    expect(recorder.spans.map((span) => span.name)).toContain("tta.ticket-triage");
  });

  it.each([
    ["TicketTriage", "ticket-triage"],
    ["UpperPrimitive", "upper"],
    ["HTTPFetchPrimitive", "http-fetch"],
    ["Step2Runner", "step2-runner"],
    ["parse_invoice", "parse-invoice"],
    ["Primitive", "primitive"],
  ])("class %s → kind %s", (className, kind) => {
    expect(new (classNamed(className))().kind).toBe(kind);
  });

  it("uses an explicit kind as given, and derives one when the identity has only a name", () => {
    expect(new (classNamed("TicketTriage", { kind: "triage" }))().kind).toBe("triage");
    const named = new (classNamed("TicketTriage", { name: "support-triage" }))();
    expect([named.kind, named.name]).toEqual(["ticket-triage", "support-triage"]);
  });

  it.each([[""], ["$Step"], ["Überprüfung"], ["123"]])(
    "class name %j gives no kind: an InvalidOptionsError naming `kind` that says what to pass",
    (className) => {
      const error = invalid(() => new (classNamed(className))());
      expect(error.option).toBe("kind");
      expect(error.message).toContain('pass one, e.g. `super({ kind: "my-step" })`');
    },
  );

  it("rejects an identity that is not an object, naming `identity`", () => {
    const error = invalid(() => new (classNamed("TicketTriage", "ticket-triage"))());
    expect(error.option).toBe("identity");
    expect(error.message).toBe(
      'Expected `identity` to be an object such as `{ kind: "my-step" }`, or omitted, got "ticket-triage"',
    );
    expect(invalid(() => new (classNamed("TicketTriage", null))()).option).toBe("identity");
  });

  it("never crashes with a TypeError: any class name gives a valid kind or an InvalidOptionsError naming `kind`", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), (className) => {
        try {
          expect(new (classNamed(className))().kind).toMatch(KIND_PATTERN);
        } catch (error) {
          expect(error).toBeInstanceOf(InvalidOptionsError);
          expect((error as InvalidOptionsError).option).toBe("kind");
        }
      }),
    );
  });

  it("maps PascalCase words to the words joined by hyphens", () => {
    const word = fc
      .tuple(fc.constantFrom(..."ABCDEFGHIJKLMNOPQRSTUVWXYZ"), fc.stringMatching(/^[a-z]{1,8}$/))
      .map(([head, tail]) => head + tail);
    fc.assert(
      fc.property(fc.array(word, { minLength: 1, maxLength: 4 }), (words) => {
        const className = words.join("");
        fc.pre(className !== "Primitive" && !className.endsWith("Primitive"));
        expect(new (classNamed(className))().kind).toBe(words.map((w) => w.toLowerCase()).join("-"));
      }),
    );
  });
});
