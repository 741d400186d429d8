// First: defers two libraries cdktf loads at start-up and synth never uses (~50 ms).
import './stacks/defer-unused-deps';
import { ENVIRONMENTS } from './stacks/environments';
import { exitWhenFlushed, runSynth } from './stacks/cli';

// One stack per environment (`cdktf deploy production`) and one state-backend stack per
// environment account (`cdktf deploy state-backend-production`, once, first). A bad catalog
// prints one line per problem and exits 1 with nothing written (stacks/cli.ts).
exitWhenFlushed(runSynth(ENVIRONMENTS));
