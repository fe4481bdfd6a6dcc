import { describePrimitiveContract } from "../testing/primitive-contract.js";
import { when } from "./conditional.js";
import { lambda } from "./lambda.js";
import { parallel } from "./parallel.js";
import { router } from "./router.js";
import { sequential } from "./sequential.js";

describePrimitiveContract("lambda", (inner) => lambda((input: unknown, ctx) => inner.execute(input, ctx)));
describePrimitiveContract("sequential", (inner) => sequential([inner]));
describePrimitiveContract("sequential of three", (inner) => sequential([(x: unknown) => x, inner, (x: unknown) => x]));
describePrimitiveContract("parallel (all)", (inner) => parallel([inner, (x: unknown) => x]));
describePrimitiveContract("parallel (allSettled) rethrowing", (inner) =>
  parallel({ only: inner }, { mode: "allSettled" }).pipe((r) => {
    if (r.only.status === "rejected") throw r.only.reason;
    return r.only.value;
  }),
);
describePrimitiveContract("parallel with concurrency 1", (inner) => parallel([inner, inner], { concurrency: 1 }));
describePrimitiveContract("when (then)", (inner) => when(() => true, inner));
describePrimitiveContract("when (else)", (inner) =>
  when(
    async () => false,
    (x: unknown) => x,
    inner,
  ),
);
describePrimitiveContract("router", (inner) =>
  router({ routes: { a: inner, b: (x: unknown) => x }, select: () => "a" }),
);
describePrimitiveContract("router default", (inner) =>
  router({ routes: { a: inner, b: (x: unknown) => x }, select: () => "zzz" as "a", default: "a" }),
);
