/** One line of the `npm run bench` table. `ratio` is value / baseline, both measured in the same run. */
export interface BenchRow {
  group: string;
  name: string;
  value: number;
  unit: string;
  baseline?: number;
  baselineName?: string;
  ratio?: number;
  note?: string;
}
