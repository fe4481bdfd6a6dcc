import { ProviderError } from "@tta/primitives";
import { describe, expect, it } from "vitest";
import { DEFAULT_OUTAGE, inOutage, startDemoProviders } from "./providers.js";

const ask = { messages: [{ role: "user" as const, content: "How do I change my email address?" }] };
const call = { signal: new AbortController().signal };

describe("the simulated providers", () => {
  it("the default outage covers tickets 8–13 of every 40", () => {
    const down = Array.from({ length: 80 }, (_, n) => n).filter((n) => inOutage(n, DEFAULT_OUTAGE));
    expect(down).toEqual([8, 9, 10, 11, 12, 13, 48, 49, 50, 51, 52, 53]);
  });

  it("the primary answers 503 (no Retry-After) during its outage, and recovers after it", async () => {
    const providers = await startDemoProviders({ speedup: 50, rate429: 0 });
    try {
      expect(providers.kind).toBe("simulated");
      expect((await providers.primary.generate(ask, call)).text).toContain("Settings → Profile → Email");
      providers.beforeTicket(8);
      const error = await providers.primary.generate(ask, call).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ProviderError);
      expect(error).toMatchObject({ status: 503, retryable: true, retryAfterMs: undefined });
      expect((await providers.backup.generate(ask, call)).model).toBe("sim-backup"); // the backup stays up
      providers.beforeTicket(14);
      expect((await providers.primary.generate(ask, call)).model).toBe("sim-primary");
      // The backup is the pricier of the two.
      const [primary, backup] = ["sim-primary", "sim-backup"].map((id) => providers.catalog.get(id)?.pricing);
      expect(backup!.inputPerMillion).toBeGreaterThan(primary!.inputPerMillion);
    } finally {
      await providers.close();
    }
  });

  it("rejects a bad outage window or speed-up", async () => {
    await expect(startDemoProviders({ outage: { every: 10, from: 5, to: 11 } })).rejects.toThrow(/outage/);
    await expect(startDemoProviders({ speedup: 0.5 })).rejects.toThrow(/speedup/);
  });
});

describe("real providers (constructed only: nothing is sent)", () => {
  it("uses OPENAI_BASE_URL with the two TTA_DEMO_MODELS, unpriced when the catalogue lacks them", async () => {
    const providers = await startDemoProviders({
      env: {
        OPENAI_BASE_URL: "http://127.0.0.1:9/v1?key=abc",
        OPENAI_API_KEY: "sk-test-0000",
        TTA_DEMO_MODELS: "gpt-4o-mini, my-local-model",
      },
    });
    expect(providers.kind).toBe("openai");
    expect([providers.primary.modelId, providers.backup.modelId]).toEqual(["gpt-4o-mini", "my-local-model"]);
    expect(providers.catalog.get("my-local-model")?.pricing).toEqual({ inputPerMillion: 0, outputPerMillion: 0 });
    expect(providers.description).toEqual([
      "real providers, since OPENAI_BASE_URL is set (these calls may cost money; unset it for the simulated ones)",
      "primary  gpt-4o-mini at http://127.0.0.1:9/v1",
      "backup   my-local-model at http://127.0.0.1:9/v1",
      "(not in the default catalogue, so unpriced: my-local-model)",
    ]);
    expect(providers.description.join("\n")).not.toMatch(/sk-test|key=/);
    providers.beforeTicket(8); // no outage to inject
    await providers.close();
  });

  it("defaults to gpt-4o-mini and gpt-4.1-mini", async () => {
    const providers = await startDemoProviders({ env: { OPENAI_BASE_URL: "http://127.0.0.1:9/v1" } });
    expect([providers.primary.modelId, providers.backup.modelId]).toEqual(["gpt-4o-mini", "gpt-4.1-mini"]);
  });
});
