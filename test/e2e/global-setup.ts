/** Starts the product once for every end-to-end test file; the tests read its address with `inject("baseUrl")`. */
import type { TestProject } from "vitest/node";
import { startProduct } from "./product.ts";

declare module "vitest" {
  export interface ProvidedContext {
    baseUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const product = await startProduct();
  project.provide("baseUrl", product.url);
  return () => product.stop();
}
