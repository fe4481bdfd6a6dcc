import { remote } from "@tta/redis";

interface Payment {
  readonly orderId: string;
  readonly amountUsd: number;
}
interface Receipt {
  readonly orderId: string;
  readonly chargeId: string;
}

export function chargeCall(redisUrl: string) {
  return remote<Payment, Receipt>("payments", {
    connection: redisUrl,
    idempotencyKey: (p) => p.orderId, // one job per order: a repeated call gets the stored result
  });
}
