/**
 * What `main.ts` does, testable: synthesize, or print one line per catalog problem and return
 * exit code 1 with nothing written. No stack trace reaches the user for any catalog input; an
 * unexpected error (a bug of ours) is reported in one line too, with the trace only on request.
 */
import { type BuildOptions, synthApp } from './app';
import { environmentReport, reportSummary } from '../report/report';
import { GuardrailError } from '../catalogs/violation';

export function runSynth(
  inputs: readonly unknown[],
  opts: BuildOptions = {},
  log: (line: string) => void = (l) => console.error(l),
  debug = !!process.env.SECRETS_PLATFORM_DEBUG,
  print: (text: string) => void = (t) => console.log(t),
): number {
  try {
    const { stacks } = synthApp(inputs, opts);
    // One screen after a successful synth: per environment, what it holds and what it costs.
    print(reportSummary(stacks.map((s) => environmentReport(s.plan))));
    return 0;
  } catch (e) {
    if (e instanceof GuardrailError) {
      for (const line of e.message.split('\n')) log(line);
    } else {
      log(`Synth failed: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
      log(
        'This is a bug of the secrets platform, not of your catalog; please report it (SECRETS_PLATFORM_DEBUG=1 shows where it happened).',
      );
      if (debug && e instanceof Error && e.stack) log(e.stack);
    }
    return 1;
  }
}
