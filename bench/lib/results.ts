/** The benchmark's output: one row per figure, printed as a table and written to bench/results/latest.json. */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { round } from './stats.ts';

export interface ResultRow {
  readonly name: string;
  readonly value: number | null;
  readonly unit: string;
  /** The same-run platform figure this one is compared with, where one applies. */
  readonly baseline?: number | null;
  /** The budget, in words ("≤ 1.3 × baseline p95", "≤ 400 ms"). */
  readonly budget?: string | null;
  /** true / false when a budget applies, null otherwise (or when the figure could not be taken). */
  readonly ok: boolean | null;
  /** What the figure means or why it is missing. */
  readonly note?: string;
}

export class Results {
  readonly rows: ResultRow[] = [];

  add(row: ResultRow): void {
    const clean: ResultRow = {
      ...row,
      value: row.value === null ? null : round(row.value, 3),
      ...(row.baseline === undefined ? {} : { baseline: row.baseline === null ? null : round(row.baseline, 3) }),
    };
    this.rows.push(clean);
    const mark = clean.ok === null ? ' ' : clean.ok ? '✓' : '✗';
    const base = clean.baseline === undefined || clean.baseline === null ? '' : `  (baseline ${clean.baseline} ${clean.unit})`;
    console.log(`  ${mark} ${clean.name}: ${clean.value ?? '—'} ${clean.unit}${base}${clean.budget ? `  budget ${clean.budget}` : ''}`);
  }

  table(): string {
    const header = ['', 'name', 'value', 'unit', 'baseline', 'budget'];
    const lines = this.rows.map((r) => [
      r.ok === null ? ' ' : r.ok ? 'ok' : 'MISS',
      r.name,
      r.value === null ? '—' : String(r.value),
      r.unit,
      r.baseline === undefined || r.baseline === null ? '' : String(r.baseline),
      r.budget ?? '',
    ]);
    const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
    const fmt = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
    return [fmt(header), fmt(widths.map((w) => '-'.repeat(w))), ...lines.map(fmt)].join('\n');
  }

  async write(path: string, meta: Record<string, unknown>): Promise<void> {
    await mkdir(dirname(path), { recursive: true });
    const list = this.rows.map((r) => ({
      name: r.name,
      value: r.value,
      unit: r.unit,
      baseline: r.baseline ?? null,
      budget: r.budget ?? null,
      ok: r.ok,
      ...(r.note ? { note: r.note } : {}),
    }));
    await writeFile(path, `${JSON.stringify(list, null, 2)}\n`);
    await writeFile(path.replace(/\.json$/, '-meta.json'), `${JSON.stringify(meta, null, 2)}\n`);
  }
}
