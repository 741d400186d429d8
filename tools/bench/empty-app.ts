/**
 * The bench's baseline for synth: an app of the same framework with three empty stacks, bundled
 * and run exactly as the real app is (tools/bench/index.ts builds it for cdktf and, through
 * tools/cdktn/bundle.ts, for cdktn). What synth costs beyond this is ours.
 */
import { App, TerraformStack } from 'cdktf';

const app = new App({ outdir: process.env.CDKTF_OUTDIR ?? 'cdktf.out' });
for (const name of ['dev', 'staging', 'production']) new TerraformStack(app, name);
app.synth();
