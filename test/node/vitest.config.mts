import { defineConfig } from "vitest/config";

/**
 * The core pipeline run in plain Node (no workerd, no model), where
 * `process.memoryUsage().arrayBuffers` can be read after a forced GC, to cross-check the
 * pipeline's own Ledger. `--expose-gc` gives the tests `global.gc`.
 *
 *   npx vitest run -c test/node/vitest.config.mts
 */
export default defineConfig({
  test: {
    environment: "node",
    include: ["test/node/**/*.test.ts"],
    pool: "forks",
    // Array buffers swept at once by a forced GC, so arrayBuffers is exact right after it.
    execArgv: ["--expose-gc", "--no-concurrent-array-buffer-sweeping"],
    // Camera-sized photos, a forced GC at every sample: minutes, not seconds.
    testTimeout: 1_800_000,
    hookTimeout: 1_800_000,
    fileParallelism: false,
  },
});
