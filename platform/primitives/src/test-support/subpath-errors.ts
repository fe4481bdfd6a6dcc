/**
 * Which error classes of `core/errors.ts` a subpath's modules use (import or construct), read from their
 * source: the drift guard behind "subpaths re-export every class they throw" (DESIGN §3.3).
 *
 * @packageDocumentation
 */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";
import * as errors from "../core/errors.js";

const SRC = fileURLToPath(new URL("..", import.meta.url));

/** The exported error classes of `core/errors.ts`, by name. */
export const CORE_ERROR_CLASSES: ReadonlyMap<string, unknown> = new Map(
  Object.entries(errors).filter(
    ([, value]) => typeof value === "function" && (value as { prototype?: unknown }).prototype instanceof Error,
  ),
);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    const isSource = entry.name.endsWith(".ts") && !/\.test(-d)?\.ts$/.test(entry.name) && entry.name !== "index.ts";
    return isSource ? [path] : [];
  });
}

/** Names of core error classes that the modules under `src/<subpath>/` import or construct with `new`. */
export function errorClassesUsedBy(subpath: string): string[] {
  const used = new Set<string>();
  for (const file of sourceFiles(join(SRC, subpath))) {
    const text = readFileSync(file, "utf8");
    for (const [, names] of text.matchAll(/import\s*\{([^}]*)\}\s*from\s*"[./]*\/core\/(?:errors|index)\.js"/g))
      for (const name of (names ?? "").split(",").map((n) => n.trim()))
        if (CORE_ERROR_CLASSES.has(name)) used.add(name);
    for (const [, name] of text.matchAll(/\bnew\s+(\w+)\s*\(/g))
      if (name !== undefined && CORE_ERROR_CLASSES.has(name)) used.add(name);
  }
  return [...used].sort();
}

/** The error a promise rejects with (or what a function throws); fails when it does neither. */
export async function errorOf(run: () => unknown): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection");
}

/** An assertion that `error`'s class is exported by `subpath` under its own name, as the same object. */
export function exportedBy(subpath: Readonly<Record<string, unknown>>): (error: unknown, name: string) => void {
  return (error, name) => {
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).constructor.name).toBe(name);
    expect(subpath[name]).toBe((error as Error).constructor);
  };
}
