/** CLI of `npm run access:diff` (see diff.ts). */
import { accessDiff, loadReports, NO_BASE } from './diff';

const [base, head] = process.argv.slice(2);
if (!base || !head || head === NO_BASE) {
  console.error(`usage: npm run access:diff -- <base report.json | cdktf.out | ${NO_BASE}> <head report.json | cdktf.out>`);
  process.exit(2);
}
try {
  const diff = accessDiff(loadReports(base), loadReports(head));
  process.stdout.write(
    base === NO_BASE
      ? diff.markdown.replace(
          '\n\n',
          '\n\nNo base to compare with (the base branch did not synthesize): every grant is listed as gained.\n\n',
        )
      : diff.markdown,
  );
} catch (e) {
  console.error(`access:diff: ${(e as Error).message}`);
  process.exit(2);
}
