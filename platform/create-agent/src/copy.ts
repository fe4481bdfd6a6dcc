/**
 * Copies a folder into a new folder, all or nothing: the files go to a staging folder beside the
 * target, which is renamed to the target only once everything is written. A failure midway removes
 * the staging folder (and any parent folder the copy created), so nothing is left behind.
 *
 * @packageDocumentation
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { mkdir, readFile, readdir, rename, rm, rmdir, stat, writeFile } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { CreateAgentError, isCreateAgentError } from "./errors.js";

/**
 * How {@link copyIntoNewFolder} copies.
 * @since 0.1.0
 */
export interface CopyOptions {
  /** Leaves an entry out; `path` is relative to the source, with `/` separators. @defaultValue nothing is skipped */
  readonly skip?: ((path: string, isDirectory: boolean) => boolean) | undefined;
  /** The name an entry is written under (`_gitignore` → `.gitignore`). @defaultValue the same name */
  readonly rename?: ((name: string) => string) | undefined;
  /** A file's new content; `path` is its written path relative to the target. @defaultValue unchanged */
  readonly transform?: ((path: string, content: Buffer) => Buffer | string) | undefined;
}

/**
 * Checks that `target` can become a new project folder: it does not exist, or it is an empty folder.
 *
 * @throws CreateAgentError `TARGET_NOT_EMPTY` when it is a file or a folder with anything in it
 * @since 0.1.0
 */
export function assertUsableTarget(target: string): void {
  if (!existsSync(target)) return;
  if (!statSync(target).isDirectory())
    throw new CreateAgentError("TARGET_NOT_EMPTY", `${target} exists and is not a folder; choose another name`);
  const entries = readdirSync(target);
  if (entries.length > 0) {
    const shown = entries.slice(0, 3).join(", ") + (entries.length > 3 ? ", …" : "");
    throw new CreateAgentError(
      "TARGET_NOT_EMPTY",
      `${target} is not empty (${entries.length} ${entries.length === 1 ? "entry" : "entries"}: ${shown}); choose a new or empty folder`,
    );
  }
}

/** The top-most missing folder on the way to `dir`, or undefined when `dir` exists. */
function firstMissingAncestor(dir: string): string | undefined {
  let missing: string | undefined;
  for (let current = resolve(dir); !existsSync(current); current = dirname(current)) {
    missing = current;
    if (dirname(current) === current) break;
  }
  return missing;
}

/** Copies `from` into the existing folder `to`; returns the written paths relative to `root` of the target. */
async function copyTree(from: string, to: string, prefix: string, options: CopyOptions): Promise<string[]> {
  const written: string[] = [];
  const entries = (await readdir(from, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
  for (const entry of entries) {
    const sourcePath = `${prefix}${entry.name}`;
    const isDirectory = entry.isDirectory();
    if (!isDirectory && !entry.isFile()) continue; // symbolic links, sockets…: templates have none
    if (options.skip?.(sourcePath, isDirectory) === true) continue;
    const name = options.rename?.(entry.name) ?? entry.name;
    const targetPath = `${prefix}${name}`;
    if (isDirectory) {
      await mkdir(join(to, name));
      written.push(...(await copyTree(join(from, entry.name), join(to, name), `${targetPath}/`, options)));
      continue;
    }
    const content = await readFile(join(from, entry.name));
    const { mode } = await stat(join(from, entry.name));
    await writeFile(join(to, name), options.transform?.(targetPath, content) ?? content, { mode: mode & 0o777 });
    written.push(targetPath);
  }
  return written;
}

/**
 * Copies the folder `source` into `target`, which must not exist or be empty, all or nothing (see the
 * module's description). Missing parent folders are created, and removed again if the copy fails.
 *
 * @returns the written files, relative to `target`, with `/` separators, sorted by folder then name
 * @throws CreateAgentError `TARGET_NOT_EMPTY` (before writing anything), or `COPY_FAILED` with the
 *   original error as `cause` once everything written was removed
 * @since 0.1.0
 */
export async function copyIntoNewFolder(source: string, target: string, options: CopyOptions = {}): Promise<string[]> {
  const destination = resolve(target);
  assertUsableTarget(destination);
  const parent = dirname(destination);
  const createdParent = firstMissingAncestor(parent);
  let staging: string | undefined;
  let removedEmptyTarget = false;
  try {
    await mkdir(parent, { recursive: true });
    // Not mkdtemp: its 0700 mode would become the project's. mkdir fails if the name is taken.
    const candidate = join(parent, `.${basename(destination)}.create-agent-${randomBytes(4).toString("hex")}`);
    await mkdir(candidate);
    staging = candidate;
    const files = await copyTree(resolve(source), staging, "", options);
    if (existsSync(destination)) {
      await rmdir(destination); // empty (checked above); rename() cannot replace a folder everywhere
      removedEmptyTarget = true;
    }
    await rename(staging, destination);
    return files;
  } catch (error) {
    if (staging !== undefined) await rm(staging, { recursive: true, force: true });
    if (removedEmptyTarget && !existsSync(destination)) await mkdir(destination).catch(() => undefined);
    if (createdParent !== undefined) await rm(createdParent, { recursive: true, force: true });
    if (isCreateAgentError(error)) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new CreateAgentError("COPY_FAILED", `could not create ${destination}: ${reason} (nothing was written)`, {
      cause: error,
    });
  }
}
