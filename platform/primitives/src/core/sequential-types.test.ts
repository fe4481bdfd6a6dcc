/**
 * What the editor says about a mistyped `sequential([...])` chain: the compiler API type-checks small
 * programs and the test asserts the message and the step it points at (the type-level behaviour of
 * correct chains is in composition.test-d.ts).
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { TypeCheckError } from "../test-support/typecheck.js";
import { typeErrors } from "../test-support/typecheck.js";

const prelude = `import { lambda, sequential } from "./index.js";
const len = lambda((s: string) => s.length);
const double = lambda((n: number) => n * 2);
const show = lambda((n: number) => \`#\${n}\`);
`;

const programs = {
  "core/__seq-ok.ts": `${prelude}
export const short = sequential([len, double, show]);
export const long = sequential([len, double, double, double, double, double, double, double, double, show]);`,
  "core/__seq-third.ts": `${prelude}
export const flow = sequential([len, show, double]);`,
  "core/__seq-function.ts": `${prelude}
export const flow = sequential([(s: string) => s.length, (s: string) => s.trim()]);`,
  "core/__seq-long.ts": `${prelude}
export const flow = sequential([len, double, double, double, double, double, show, double, double, double]);`,
};

let errors: Map<string, TypeCheckError[]>;
beforeAll(() => {
  errors = typeErrors(programs);
}, 60_000);

const of = (file: keyof typeof programs): TypeCheckError[] => errors.get(file) ?? [];

describe("a step whose input does not match the previous output", () => {
  it("correct chains of any length compile", () => {
    expect(of("core/__seq-ok.ts")).toEqual([]);
  });

  it("is reported at that step, naming the input it must take", () => {
    const [error, ...more] = of("core/__seq-third.ts");
    expect(more).toEqual([]);
    const line = programs["core/__seq-third.ts"].split("\n")[5] ?? "";
    expect(error).toMatchObject({ code: 2769, at: "double", line: 6, column: line.indexOf("double") + 1 });
    expect(error?.message).toContain(
      "Type 'LambdaPrimitive<number, number>' is not assignable to type 'PrimitiveLike<string, number>'.",
    );
    // Not the arity complaint of the > 8-step overload that TypeScript used to report.
    expect(error?.message).not.toMatch(/Source has \d+ element/);
  });

  it("a function step is reported the same way", () => {
    const [error] = of("core/__seq-function.ts");
    expect(error).toMatchObject({ code: 2769, at: "(s: string) => s.trim()" });
    expect(error?.message).toContain(
      "Type '(s: string) => string' is not assignable to type 'PrimitiveLike<number, string>'.",
    );
  });

  it("beyond 8 steps every link is still checked, and the wrong one is reported", () => {
    const errorsOfLong = of("core/__seq-long.ts");
    expect(errorsOfLong).toHaveLength(1);
    expect(errorsOfLong[0]?.message).toContain(
      "Type 'LambdaPrimitive<number, number>' is not assignable to type 'PrimitiveLike<string, number>'.",
    );
    // The 8th step (index 7): the `double` right after `show`.
    const line = programs["core/__seq-long.ts"].split("\n")[5] ?? "";
    expect(errorsOfLong[0]).toMatchObject({ at: "double", line: 6, column: line.indexOf("show, double") + 7 });
  });
});
