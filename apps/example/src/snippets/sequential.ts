import { lambda, sequential } from "@tta/primitives";

const trim = lambda((text: string) => text.trim(), "trim");
const countWords = lambda((text: string) => text.split(/\s+/).length, "count-words");
const double = (n: number) => n * 2;

// Each output is the next input; the chain is typed string → string → number → number.
const flow = sequential([trim, countWords, double]);
console.log(await flow.execute("  hello big world ")); // → 6

// `pipe` builds the same thing. Unnamed sequentials flatten, so both of these are three steps:
console.log(trim.pipe(countWords).pipe(double).steps.length, trim.pipe(countWords.pipe(double)).steps.length); // → 3 3

// A named sequential is kept as one step, with its own tta.sequential span:
const prepare = sequential([trim, countWords], { name: "prepare" });
console.log(sequential([prepare, double]).steps.length); // → 2
