/**
 * The progress bar on stderr: `[####......] 12/40 (1 failed) 3.4 img/s ETA 8s`, redrawn in
 * place on a terminal, a line every 10 % otherwise (logs and CI).
 */
export interface Progress {
  tick(ok: boolean): void;
  /** Grows the total (--watch finds new files). */
  add(count: number): void;
  end(): void;
}

const seconds = (s: number) => (s >= 3600 ? `${Math.floor(s / 3600)}h${Math.round((s % 3600) / 60)}m` : s >= 60 ? `${Math.floor(s / 60)}m${Math.round(s % 60)}s` : `${Math.round(s)}s`);

export function progressBar(total: number, stream: NodeJS.WriteStream = process.stderr, quiet = false): Progress {
  const started = Date.now();
  let done = 0;
  let failed = 0;
  let lastDecile = -1;
  const line = () => {
    const width = 30;
    const filled = total ? Math.round((done / total) * width) : width;
    const rate = done / Math.max(0.001, (Date.now() - started) / 1000);
    const eta = rate > 0 && done < total ? ` ETA ${seconds((total - done) / rate)}` : "";
    return `[${"#".repeat(filled)}${".".repeat(width - filled)}] ${done}/${total}${failed ? ` (${failed} failed)` : ""} ${rate.toFixed(1)} img/s${eta}`;
  };
  return {
    tick(ok) {
      done++;
      if (!ok) failed++;
      if (quiet) return;
      if (stream.isTTY) stream.write(`\r${line()}`);
      else if (Math.floor((done / total) * 10) > lastDecile) {
        lastDecile = Math.floor((done / total) * 10);
        stream.write(line() + "\n");
      }
    },
    add(count) {
      total += count;
      lastDecile = Math.floor((done / Math.max(1, total)) * 10) - 1;
    },
    end() {
      if (!quiet && stream.isTTY) stream.write("\n");
    },
  };
}
