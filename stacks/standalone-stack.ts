import { Construct } from 'constructs';
import { TerraformStack } from 'cdktf';

/**
 * A stack that references nothing in another stack (each of ours has its own account, state and
 * provider). cdktf resolves every token twice: a preparing pass that exists to add the outputs
 * and remote state of cross-stack references, then the real one. Here the first pass only costs
 * time (a third of a 1,000-secret synth), so it is skipped; a unit test synthesizes the whole
 * app both ways and proves the output identical.
 */
export class StandaloneStack extends TerraformStack {
  /**
   * @param fullPrepare run cdktf's preparing pass anyway (tests compare both outputs)
   */
  constructor(scope: Construct, id: string, private readonly fullPrepare = false) {
    super(scope, id);
  }

  prepareStack(): void {
    if (this.fullPrepare) super.prepareStack();
    else this.ensureBackendExists();
  }
}
