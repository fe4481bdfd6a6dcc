// Module hooks that let a forked `node` run this repository's TypeScript sources on Node 20: the
// primitives package's hooks, shared (one implementation; see that file).
export { load, resolve } from "../../../primitives/src/test-support/ts-source-hooks.mjs";
