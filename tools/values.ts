/** Entry point of `npm run values -- <env> [--json]` (app/values-command.ts). */
import { ENVIRONMENTS } from '../catalogs';
import { runValuesCommand } from '../app/values-command';

process.exitCode = runValuesCommand(
  process.argv.slice(2),
  ENVIRONMENTS,
  (l) => console.log(l),
  (l) => console.error(l),
);
