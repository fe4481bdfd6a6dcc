#!/usr/bin/env node
/**
 * The `create-agent` bin: `pnpm create @tta/agent my-agent`, `npm create @tta/agent@latest my-agent`.
 *
 * @packageDocumentation
 */
import { run } from "./main.js";

process.exitCode = await run(process.argv.slice(2));
