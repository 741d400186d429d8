import { type PolicyDocument, renderPolicy } from '../plan/policy';

/**
 * Renders documents computed with literal (estimated) ARNs, replacing each ARN that a construct
 * has bound with its Terraform reference. The plan computes every policy once, with ARNs of
 * the final length; the size guardrails measure that document and the stack renders that same
 * document with references, so what is measured is what is written.
 *
 * An ARN is recognised from `arn:` to the end of the JSON string (or text); the longest bound
 * prefix ending at a `:` or at the end wins, so `<secret ARN>:<json key>::` (ECS `valueFrom`)
 * and `<log group ARN>:*` resolve too.
 */
export class ArnResolver {
  private readonly refs = new Map<string, string>();

  bind(estimated: string, reference: string): void {
    const known = this.refs.get(estimated);
    if (known !== undefined && known !== reference)
      throw new Error(`ARN ${estimated} is bound to two resources; estimated ARNs must be unique`);
    this.refs.set(estimated, reference);
  }

  has(estimated: string): boolean {
    return this.refs.has(estimated);
  }

  /** The text with every bound ARN replaced by its reference. */
  resolve(text: string): string {
    return text.replace(/arn:[^"\s]*/g, (candidate) => {
      for (let end = candidate.length; end > 0; end = candidate.lastIndexOf(':', end - 1)) {
        const ref = this.refs.get(candidate.slice(0, end));
        if (ref !== undefined) return ref + candidate.slice(end);
      }
      return candidate;
    });
  }

  render(doc: PolicyDocument): string {
    return this.resolve(renderPolicy(doc));
  }
}
