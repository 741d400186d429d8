import { ENVIRONMENTS } from './catalogs';
import { runSynth } from './app/cli';

// One stack per environment (`cdktf deploy production`), one state-backend and one CI-access
// stack per environment account (bootstrap, once, first). A bad catalog prints one line per
// problem and exits 1 with nothing written (app/cli.ts).
process.exitCode = runSynth(ENVIRONMENTS);
