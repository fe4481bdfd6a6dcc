import { describe, expect, it } from "vitest";
import {
  PACKAGE_MANAGERS,
  detectPackageManager,
  installCommand,
  isPackageManager,
  runScriptCommand,
} from "./package-manager.js";

describe("detectPackageManager", () => {
  it.each([
    ["pnpm/12.4.2 npm/? node/v20.20.2 linux x64", "pnpm"],
    ["npm/10.8.2 node/v20.20.2 linux x64 workspaces/false", "npm"],
    ["yarn/1.22.22 npm/? node/v20.20.2 linux x64", "yarn"],
    ["yarn/4.5.0 npm/? node/v22.0.0 darwin arm64", "yarn"],
    ["bun/1.1.0 npm/? node/v22.0.0 linux x64", "npm"],
    ["", "npm"],
    [undefined, "npm"],
  ])("%j → %s", (userAgent, expected) => {
    expect(detectPackageManager(userAgent)).toBe(expected);
  });
});

describe("commands", () => {
  it("knows npm, pnpm and yarn", () => {
    expect(PACKAGE_MANAGERS).toEqual(["npm", "pnpm", "yarn"]);
    expect(PACKAGE_MANAGERS.every(isPackageManager)).toBe(true);
    expect(isPackageManager("bun")).toBe(false);
  });

  it("installs with `<pm> install`", () => {
    expect(installCommand("npm")).toEqual(["npm", "install"]);
    expect(installCommand("pnpm")).toEqual(["pnpm", "install"]);
    expect(installCommand("yarn")).toEqual(["yarn", "install"]);
  });

  it("runs scripts the way each one spells it", () => {
    expect(runScriptCommand("npm", "start")).toBe("npm start");
    expect(runScriptCommand("npm", "test")).toBe("npm test");
    expect(runScriptCommand("npm", "typecheck")).toBe("npm run typecheck");
    expect(runScriptCommand("pnpm", "typecheck")).toBe("pnpm typecheck");
    expect(runScriptCommand("yarn", "start")).toBe("yarn start");
  });
});
