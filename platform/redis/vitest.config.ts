import { defineProject, mergeConfig } from "vitest/config";
import { shared } from "../../vitest.shared.js";

export default mergeConfig(
  shared,
  defineProject({
    test: {
      name: "@tta/redis",
      include: ["src/**/*.test.ts"],
      // Tests share one redis-server and start worker processes: keep files sequential.
      fileParallelism: false,
      // They start redis-server and Node worker processes (TypeScript through module hooks): on a loaded
      // 2-vCPU machine a worker's start-up alone can take seconds, so the default 5 s is too tight.
      testTimeout: 30_000,
      hookTimeout: 30_000,
    },
  }),
);
