/** CLI of `npm run access:diff` (see diff.ts). */
import { accessDiff, loadReports } from './diff';

const [base, head] = process.argv.slice(2);
if (!base || !head) {
  console.error('usage: npm run access:diff -- <base report.json | cdktf.out> <head report.json | cdktf.out>');
  process.exit(2);
}
process.stdout.write(accessDiff(loadReports(base), loadReports(head)).markdown);
