import { GuardrailError } from './modules/guardrails';
import { ENVIRONMENTS } from './stacks/environments';
import { synthApp } from './stacks/app';

// One stack per environment (`cdktf deploy production`) and one state-backend stack per
// environment account (`cdktf deploy state-backend-production`, once, first).
try {
  synthApp(ENVIRONMENTS);
} catch (e) {
  if (e instanceof GuardrailError) {
    console.error(e.message);
    process.exit(1);
  }
  throw e;
}
