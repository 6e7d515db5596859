/**
 * The front worker under a configuration of its own (vars or secrets other than
 * wrangler.toml's), called as a deployment with them would run it, and the JSON error check the
 * guard tests share.
 */
import { createExecutionContext, env } from "cloudflare:test";
import { expect } from "vitest";
import worker from "../../worker/front/index";
import { errorCode } from "../helpers";

export async function callWith(url: string, vars: Record<string, string>, init?: RequestInit): Promise<Response> {
  return worker.fetch(new Request(url, init), { ...env, ...vars } as Env, createExecutionContext());
}

export async function expectError(response: Response, status: number, code: string): Promise<void> {
  expect(response.status).toBe(status);
  expect(response.headers.get("content-type")).toContain("application/json");
  expect(await errorCode(response)).toBe(code);
}
