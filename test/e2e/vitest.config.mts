import { defineConfig } from "vitest/config";

/**
 * End-to-end tests: plain Node (not workerd), the product served by Miniflare as `npm start`
 * serves it, driven through Debian's Chromium with playwright-core.
 */
export default defineConfig({
  test: {
    include: ["test/e2e/**/*.e2e.ts"],
    globalSetup: ["test/e2e/global-setup.ts"],
    testTimeout: 240_000,
    hookTimeout: 120_000,
    // One file at a time: the model runs take both cores.
    fileParallelism: false,
  },
});
