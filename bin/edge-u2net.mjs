#!/usr/bin/env node
/**
 * edge-u2net: background removal with the product's own pipeline on every core, or through a
 * deployed service (`--host`). The code is TypeScript shared with the workers (core/); it is
 * bundled into dist/cli/ on first run and whenever its sources change (bin/build.mjs).
 * `edge-u2net --help`, `edge-u2net <command> --help`.
 */
import { pathToFileURL } from "node:url";
import { ensureBuilt } from "./build.mjs";

await import(pathToFileURL(await ensureBuilt()).href);
