/**
 * The fake internet of the workerd tests (test/origin/image-origin.ts), reused here. Loaded by
 * a computed specifier so this project does not type-check it a second time: test/tsconfig.json
 * checks it against the workers' types, and the DOM library used here (for page.evaluate code)
 * types response bodies more narrowly.
 */
const ORIGIN_MODULE: string = "../origin/image-origin.ts";

export const { imageOrigin } = (await import(ORIGIN_MODULE)) as { imageOrigin: (request: Request) => Promise<Response> };
