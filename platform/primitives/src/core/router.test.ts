import { afterEach, describe, expect, it } from "vitest";
import { MockPrimitive, SpanRecorder, createTestContext } from "../testing/index.js";
import { RouteNotFoundError, RouterPrimitive, isTtaError, router } from "./index.js";
import type { PrimitiveLike, RouterOptions, WorkflowContext } from "./index.js";
import { invalidOption } from "../test-support/index.js";

function routes() {
  return {
    code: new MockPrimitive<string, string>({ returns: "coder" }),
    chat: new MockPrimitive<string, string>({ returns: "chatter" }),
  };
}

/** Lets a test make `select` return any value, as untyped callers can. */
const anyKey = <K extends string>(key: string) => key as K;

describe("selecting a route", () => {
  it("runs the route whose key a sync select returns, with the input, and no other route", async () => {
    const r = routes();
    const flow = router({ routes: r, select: (q: string) => (q.includes("```") ? "code" : "chat") });
    await expect(flow.execute("```js", createTestContext())).resolves.toBe("coder");
    expect(r.code.calls[0]?.input).toBe("```js");
    expect(r.chat.callCount).toBe(0);
  });

  it("awaits an async select", async () => {
    const r = routes();
    const ctx = createTestContext();
    const select = async (_: string, c: WorkflowContext) => {
      await c.clock.sleep(20, c.signal);
      return "chat" as const;
    };
    const run = router({ routes: r, select }).execute("hi", ctx);
    await ctx.clock.advance(20);
    await expect(run).resolves.toBe("chatter");
    expect(r.code.callCount).toBe(0);
  });

  it("accepts plain functions as routes", async () => {
    const flow = router({
      routes: { up: (s: string) => s.toUpperCase(), len: (s: string) => s.length },
      select: (s) => (s.length > 3 ? "len" : "up"),
    });
    await expect(flow.execute("hey")).resolves.toBe("HEY");
    await expect(flow.execute("hello")).resolves.toBe(5);
  });

  it("falls back to the default route for an unknown key", async () => {
    const r = routes();
    const flow = router({ routes: r, select: () => anyKey<"code" | "chat">("unknown"), default: "chat" });
    await expect(flow.execute("x", createTestContext())).resolves.toBe("chatter");
    expect(r.chat.callCount).toBe(1);
  });

  it("a route's error propagates unchanged", async () => {
    const error = new Error("route broke");
    const flow = router({
      routes: { a: new MockPrimitive<number, number>({ failTimes: 1, error }) },
      select: () => "a",
    });
    await expect(flow.execute(1, createTestContext())).rejects.toBe(error);
  });

  it("a select error propagates unchanged and runs no route", async () => {
    const r = routes();
    const error = new Error("selector broke");
    const select = (): "code" => {
      throw error;
    };
    await expect(router({ routes: r, select }).execute("x", createTestContext())).rejects.toBe(error);
    expect(r.code.callCount + r.chat.callCount).toBe(0);
  });
});

describe("unknown keys", () => {
  it("rejects with RouteNotFoundError (ROUTE_NOT_FOUND) naming the key and listing the routes", async () => {
    const r = routes();
    const error = await router({ routes: r, select: () => anyKey<"code" | "chat">("video") })
      .execute("x", createTestContext())
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RouteNotFoundError);
    expect(isTtaError(error, "ROUTE_NOT_FOUND")).toBe(true);
    const notFound = error as RouteNotFoundError;
    expect(notFound.route).toBe("video");
    expect(notFound.routes).toEqual(["code", "chat"]);
    expect(notFound.message).toContain('"code"');
    expect(notFound.message).toContain('"chat"');
    expect(notFound.retryable).toBe(false);
    expect(r.code.callCount + r.chat.callCount).toBe(0);
  });

  it.each(["constructor", "__proto__", "toString", "hasOwnProperty", "valueOf"])(
    "a select returning %s does not match an Object.prototype property",
    async (key) => {
      const error = await router({ routes: { a: (n: number) => n }, select: () => anyKey<"a">(key) })
        .execute(1)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RouteNotFoundError);
    },
  );

  it("own routes named constructor and __proto__ are matched like any other key", async () => {
    const table: Record<string, PrimitiveLike<number, string>> = { constructor: () => "ctor route" };
    Object.defineProperty(table, "__proto__", { value: () => "proto route", enumerable: true });
    const flow = new RouterPrimitive<number, string>({
      routes: table,
      select: (n: number) => (n > 0 ? "__proto__" : "constructor"),
    });
    await expect(flow.execute(1)).resolves.toBe("proto route");
    await expect(flow.execute(0)).resolves.toBe("ctor route");
  });
});

describe("construction", () => {
  const id = (n: number) => n;

  it("a default that is not a route key throws InvalidOptionsError naming default", () => {
    expect(
      invalidOption(() => router({ routes: { a: id }, select: () => "a", default: anyKey<"a">("b") })).option,
    ).toBe("default");
    expect(
      invalidOption(() => router({ routes: { a: id }, select: () => "a", default: anyKey<"a">("constructor") })).option,
    ).toBe("default");
    expect(invalidOption(() => router({ routes: { a: id }, select: () => "a", default: 5 as never })).option).toBe(
      "default",
    );
  });

  it("no routes, a missing select or an invalid route throws InvalidOptionsError naming it", () => {
    expect(invalidOption(() => router({ routes: {}, select: () => anyKey<never>("a") })).option).toBe("routes");
    expect(invalidOption(() => router({ routes: [id] as never, select: () => "0" })).option).toBe("routes");
    expect(
      invalidOption(() => router({ routes: { a: id } } as unknown as RouterOptions<{ a: typeof id }>)).option,
    ).toBe("select");
    expect(invalidOption(() => router({ routes: { a: id, b: 3 as never }, select: () => "a" })).option).toBe(
      "routes.b",
    );
  });

  it("an unknown option key or a non-object options argument throws InvalidOptionsError", () => {
    expect(
      invalidOption(() =>
        router({ routes: { a: id }, select: () => "a", defualt: "a" } as RouterOptions<{ a: typeof id }>),
      ).option,
    ).toBe("defualt");
    invalidOption(() => router(null as never));
  });

  it("exposes the route keys in declaration order and defaults its name to RouterPrimitive", () => {
    const flow = router({ routes: { b: id, a: id }, select: () => "a" });
    expect(flow.routeKeys).toEqual(["b", "a"]);
    expect(flow.name).toBe("RouterPrimitive");
    expect(router({ routes: { a: id }, select: () => "a", name: "triage" }).name).toBe("triage");
  });
});

describe("spans", () => {
  let recorder: SpanRecorder | undefined;
  afterEach(() => recorder?.uninstall());

  it("records the chosen route as tta.router.route, and the default key (never the raw unknown key) on fallback", async () => {
    recorder = new SpanRecorder().install();
    const flow = router({
      routes: { code: (s: string) => s, chat: (s: string) => s },
      select: (s) => anyKey<"code" | "chat">(s),
      default: "chat",
    });
    await flow.execute("code");
    await flow.execute("secret-user-text");
    const spans = recorder.spans.filter((s) => s.name === "tta.router");
    expect(spans.map((s) => s.attributes["tta.router.route"])).toEqual(["code", "chat"]);
    expect(spans.map((s) => s.attributes["tta.router.default_used"])).toEqual([false, true]);
    expect(JSON.stringify(recorder.spans.map((s) => s.attributes))).not.toContain("secret-user-text");
  });

  it("the chosen route's span nests under the router's span", async () => {
    recorder = new SpanRecorder().install();
    await router({ routes: { a: (n: number) => n }, select: () => "a" }).execute(1);
    expect(recorder.tree()).toBe("tta.router\n  tta.lambda");
  });
});
