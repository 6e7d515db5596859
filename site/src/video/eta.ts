/** Time left for a run of `count` steps, from the pace so far. */
export function etaText(done: number, count: number, elapsedMs: number): string {
  if (done === 0) return "";
  const seconds = Math.round(((count - done) * elapsedMs) / done / 1000);
  if (seconds < 60) return `about ${seconds} s left`;
  return `about ${Math.floor(seconds / 60)} min ${String(seconds % 60).padStart(2, "0")} s left`;
}
