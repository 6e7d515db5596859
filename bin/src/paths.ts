/**
 * Where the CLI finds the repository's files. The CLI runs from a checkout (`npx edge-u2net`
 * inside it, or its bundle in dist/cli/): both bin/src/ and dist/cli/ sit two folders below
 * the root, so one rule serves the source (tsx, tests) and the bundle.
 */
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/** A path inside the repository. */
export const inRepo = (...parts: string[]) => resolve(ROOT, ...parts);
