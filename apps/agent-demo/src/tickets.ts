/**
 * The support tickets the demo works through: a fixed list, cycled, and the order records its
 * `lookup_order` tool reads. All of it is made up; nothing here is a real customer.
 *
 * @packageDocumentation
 */

/** What a ticket is about (the demo's own label; the agent classifies the text itself). */
export type TicketTopic = "billing" | "refund" | "shipping" | "account" | "bug";

/** One support ticket. */
export interface Ticket {
  /** Stable id of the ticket in {@link TICKETS}, e.g. `"T-1001"`. */
  readonly id: string;
  readonly topic: TicketTopic;
  /** What the customer wrote. */
  readonly text: string;
}

/** An order as the order system knows it (what `lookup_order` returns). */
export interface OrderRecord {
  readonly orderId: string;
  readonly status: "processing" | "shipped" | "delivered" | "refunded" | "cancelled";
  readonly totalUsd: number;
  readonly carrier?: string;
  readonly etaDays?: number;
  readonly note?: string;
}

/** Twelve tickets, cycled by {@link ticketAt}: billing, refunds, shipping, account questions and bugs. */
export const TICKETS: readonly Ticket[] = Object.freeze([
  { id: "T-1001", topic: "shipping", text: "Where is my order A-1042? It was supposed to arrive on Monday." },
  { id: "T-1002", topic: "refund", text: "I returned order A-1187 two weeks ago and still have no refund." },
  { id: "T-1003", topic: "account", text: "How do I change the email address on my account?" },
  {
    id: "T-1004",
    topic: "bug",
    text: "The mobile app crashes with a blank screen every time I open my invoices. Is this a known bug?",
  },
  { id: "T-1005", topic: "billing", text: "I was charged twice for order A-1203, please fix it." },
  {
    id: "T-1006",
    topic: "shipping",
    text: "Can you deliver order A-1042 to my office instead? The tracking has not moved since Friday.",
  },
  { id: "T-1007", topic: "account", text: "Please close my account and delete my saved addresses." },
  {
    id: "T-1008",
    topic: "bug",
    text: "The checkout page shows an error 500 when I apply a discount code. Looks like a bug on your side.",
  },
  { id: "T-1009", topic: "refund", text: "Order A-1420 arrived damaged. I would like a refund, not a replacement." },
  { id: "T-1010", topic: "billing", text: "What payment methods do you accept for business accounts?" },
  { id: "T-1011", topic: "shipping", text: "Order A-1502 says delivered but the parcel is not here." },
  { id: "T-1012", topic: "account", text: "I forgot my password and the reset email never arrives." },
]);

/** The `n`-th ticket of the endless stream (0-based): {@link TICKETS} cycled. */
export function ticketAt(n: number): Ticket {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`ticketAt: n must be an integer ≥ 0, got ${n}`);
  return TICKETS[n % TICKETS.length] as Ticket;
}

/** The orders the tickets mention, keyed by order id. */
export const ORDERS: ReadonlyMap<string, OrderRecord> = new Map(
  (
    [
      { orderId: "A-1042", status: "shipped", totalUsd: 84.5, carrier: "DHL", etaDays: 2 },
      { orderId: "A-1187", status: "refunded", totalUsd: 39.9, note: "refund issued, 3-5 business days" },
      { orderId: "A-1203", status: "delivered", totalUsd: 129, note: "second charge is a pre-authorisation" },
      { orderId: "A-1420", status: "delivered", totalUsd: 249, note: "eligible for refund" },
      { orderId: "A-1502", status: "delivered", totalUsd: 61.75, carrier: "UPS", note: "left at reception" },
    ] satisfies OrderRecord[]
  ).map((order) => [order.orderId, Object.freeze(order)] as const),
);

/** The first order id (`A-` and four digits) in a text, if any. */
export function orderIdIn(text: string): string | undefined {
  return /\bA-\d{4}\b/.exec(text)?.[0];
}
