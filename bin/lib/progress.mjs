/**
 * A progress bar on stderr: redrawn in place on a terminal, a line every 10% otherwise
 * (logs and CI).
 */
export function progressBar(total, stream = process.stderr) {
  const started = Date.now();
  let done = 0;
  let failed = 0;
  let lastDecile = -1;
  const line = () => {
    const width = 30;
    const filled = total ? Math.round((done / total) * width) : width;
    const rate = done / Math.max(0.001, (Date.now() - started) / 1000);
    return `[${"#".repeat(filled)}${".".repeat(width - filled)}] ${done}/${total}${failed ? ` (${failed} failed)` : ""} ${rate.toFixed(1)} img/s`;
  };
  return {
    tick(ok) {
      done++;
      if (!ok) failed++;
      if (stream.isTTY) stream.write(`\r${line()}`);
      else if (Math.floor((done / total) * 10) > lastDecile) {
        lastDecile = Math.floor((done / total) * 10);
        stream.write(line() + "\n");
      }
    },
    end() {
      if (stream.isTTY) stream.write("\n");
    },
  };
}
