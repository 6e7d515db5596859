/** vitest global setup: makes the camera-sized test photos once (cached on disk between runs). */
import { prepareLarge } from "./large.ts";

export default async function setup(): Promise<void> {
  const started = Date.now();
  await prepareLarge();
  console.log(`large test photos ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
