import { createContext, subscribe } from "@tta/primitives";
import { model } from "@tta/primitives/orchestration";
import { MockLanguageModel } from "@tta/primitives/testing";
import { describe, expect, it } from "vitest";
import { type Lane, createClassifier, createDesks, laneOf } from "./desks.js";
import { TICKETS, type TicketTopic, orderIdIn, ticketAt } from "./tickets.js";

/** The lane each ticket should land in: order questions go to the order desk, defects to engineering. */
const EXPECTED: Record<string, Lane> = {
  "T-1001": "orders",
  "T-1002": "orders",
  "T-1003": "general",
  "T-1004": "technical",
  "T-1005": "orders",
  "T-1006": "orders",
  "T-1007": "general",
  "T-1008": "technical",
  "T-1009": "orders",
  "T-1010": "general",
  "T-1011": "orders",
  "T-1012": "general",
};

describe("classification lanes", () => {
  it.each(TICKETS.map((ticket) => [ticket.id, ticket.topic, ticket] as const))(
    "%s (%s) goes to its lane",
    async (id, _topic, ticket) => {
      const classification = await createClassifier().execute(ticket.text, createContext());
      expect(laneOf(classification)).toBe(EXPECTED[id]);
    },
  );

  it("every ticket that names an order goes to the order desk", async () => {
    const classifier = createClassifier();
    for (const ticket of TICKETS.filter((t) => orderIdIn(t.text) !== undefined))
      expect(laneOf(await classifier.execute(ticket.text))).toBe("orders");
  });

  it("serves a repeated ticket from the cache", async () => {
    const classifier = createClassifier();
    for (let n = 0; n < TICKETS.length * 2; n++) await classifier.execute(ticketAt(n).text);
    expect(classifier.stats()).toMatchObject({ hits: TICKETS.length, misses: TICKETS.length, hitRate: 0.5 });
  });
});

describe("the order lookup", () => {
  const desks = (orderFailureEvery: number) =>
    createDesks({ model: model(new MockLanguageModel()), orderLatencyMs: 0, orderFailureEvery });

  it("retries a transient failure of the order system, then caches the order", async () => {
    const { orderCache } = desks(2); // every second read fails once
    const retries: number[] = [];
    const stop = subscribe((e) => void (e.type === "retry" && retries.push(e.attempt)));
    try {
      expect(await orderCache.execute("A-1042")).toMatchObject({ status: "shipped" }); // read 1
      expect(await orderCache.execute("A-1187")).toMatchObject({ status: "refunded" }); // read 2 fails, read 3
      expect(await orderCache.execute("A-1042")).toMatchObject({ status: "shipped" }); // from the cache
    } finally {
      stop();
    }
    expect(retries).toEqual([1]);
    expect(orderCache.stats()).toMatchObject({ hits: 1, misses: 2 });
  });

  it("falls back to the replica when the order system stays busy longer than the retry waits", async () => {
    const { orderCache } = desks(1); // every read fails until the third failure's busy spell ends
    const events: string[] = [];
    const stop = subscribe((e) => {
      if (e.type === "retry" || e.type === "fallback") events.push(e.type);
    });
    try {
      // failureEvery 1: reads 1, 2 fail; read 3 is the third failure, which keeps the system busy for
      // two more reads: the retry (3 attempts) gives up and the replica answers.
      expect(await orderCache.execute("A-1042")).toMatchObject({ status: "shipped" });
    } finally {
      stop();
    }
    expect(events).toEqual(["retry", "retry", "fallback"]);
  });

  it("does not retry an unknown order", async () => {
    const { orderCache } = desks(0);
    const retries: unknown[] = [];
    const stop = subscribe((e) => void (e.type === "retry" && retries.push(e)));
    await expect(orderCache.execute("A-9999")).rejects.toThrow("unknown order id");
    stop();
    expect(retries).toEqual([]);
  });
});

describe("tickets", () => {
  it("cycle through the fixed list and cover every topic", () => {
    expect(ticketAt(0)).toBe(TICKETS[0]);
    expect(ticketAt(TICKETS.length + 2)).toBe(TICKETS[2]);
    const topics = new Set<TicketTopic>(TICKETS.map((t) => t.topic));
    expect([...topics].sort()).toEqual(["account", "billing", "bug", "refund", "shipping"]);
  });

  it("rejects a negative or fractional index", () => {
    expect(() => ticketAt(-1)).toThrow(RangeError);
    expect(() => ticketAt(1.5)).toThrow(/integer/);
  });
});
