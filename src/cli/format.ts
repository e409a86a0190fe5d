import type { CliIo } from './command';

/** `42 s`, `3 min 5 s`, `2 h 10 min`. */
export function duration(ms: number): string {
  const s = Math.round(Math.max(0, ms) / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ''}`;
  const m = Math.floor(s / 60);
  return `${Math.floor(m / 60)} h${m % 60 ? ` ${m % 60} min` : ''}`;
}

/** Aligned columns; the first row is the header. */
export function table(rows: (string | number)[][], indent = '  '): string {
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => String(r[c] ?? '').length))) ?? [];
  return rows
    .map(
      (r) =>
        indent +
        r
          .map((cell, c) =>
            c === 0 ? String(cell).padEnd(widths[c] ?? 0) : String(cell).padStart(widths[c] ?? 0),
          )
          .join('  '),
    )
    .join('\n');
}

/**
 * Progress output: on a TTY one line redrawn in place, otherwise a plain line at most every
 * `everyMs`. Call `done()` to end the live line.
 */
export function progressLine(io: CliIo, tty: boolean, everyMs = 5000) {
  const live = tty ? io.live : undefined;
  let last = 0;
  let shown = false;
  return {
    show(line: string, force = false) {
      const now = Date.now();
      if (live) live(line);
      else if (force || now - last >= everyMs) io.err(line);
      else return;
      last = now;
      shown = true;
    },
    done() {
      if (live && shown) live('');
      shown = false;
    },
  };
}
