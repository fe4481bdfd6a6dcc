import { InvalidOptionsError, ParallelPrimitive, type ParallelOptions, parallel } from "@tta/primitives";

const words = (text: string) => text.split(" ").length;

// Options are checked when the primitive is built. A typo (e.g. from a JSON config) is rejected by name:
const typo = JSON.parse('{ "concurency": 2 }') as ParallelOptions;
try {
  new ParallelPrimitive([words], typo);
} catch (error) {
  if (error instanceof InvalidOptionsError) console.log(error.option, "-", error.message);
}
// → concurency - Unknown option `concurency` for parallel; expected one of: `concurrency`, `mode`, `name`

// An invalid value is rejected too, naming the option and the value:
try {
  parallel([words], { concurrency: 0 });
} catch (error) {
  console.log((error as InvalidOptionsError).message); // → Expected `concurrency` to be an integer ≥ 1 (or Infinity), got 0
}

// `null` (like `undefined`) means "use the default":
const fromConfig = JSON.parse('{ "concurrency": null, "mode": null }') as ParallelOptions;
console.log(new ParallelPrimitive([words], fromConfig).options); // → { concurrency: Infinity, mode: 'all', name: 'ParallelPrimitive' }
