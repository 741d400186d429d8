/** One line of the `npm run bench` table. `ratio` is value / baseline, both measured in the same run. */
export interface BenchRow {
  group: string;
  name: string;
  value: number;
  unit: string;
  baseline?: number;
  baselineName?: string;
  ratio?: number;
  /** What the figure should be, e.g. `≤ 2x` (on the ratio) or `≤ 90 s` (on the value). */
  aim?: string;
  /** Whether this run met the aim. */
  met?: boolean;
  note?: string;
}

/** A whole bench run as written to tools/bench/results/latest(.local).json. */
export interface BenchRecord {
  date: string;
  node: string;
  /** Logical CPUs of the machine, and the 1-minute load average when the run started and ended. */
  cpus?: number;
  loadavg?: { start: number; end: number };
  /** The commit measured, and the files that differed from it (uncommitted changes). */
  tree?: { commit: string; uncommitted: string[] };
  sections: string[];
  /** Sections that failed in this run, with the first line of their error (their rows are missing). */
  failures?: Array<{ section: string; error: string }>;
  rows: BenchRow[];
}
