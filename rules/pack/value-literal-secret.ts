import { on, onSecret, rule } from '../rule';
import { assignedCredential, embeddedCredential, looksLikeCredential, looksSecretKey } from '../values';
import { scanText } from '../scanner/secret-scan';
import type { SecretPlan } from '../../plan/types';

/** The texts of a secret's catalog entry that land in git and in the synthesized stack, with where they are. */
function texts(s: SecretPlan): Array<[string, string, string]> {
  const out: Array<[string, string, string]> = [['description', 'description', s.spec.description]];
  const v = s.spec.value;
  if (v.kind === 'json') for (const [k, x] of Object.entries(v.fields)) if (typeof x === 'string') out.push([`field "${k}"`, k, x]);
  for (const [k, x] of Object.entries(s.spec.tags ?? {})) out.push([`tag "${k}"`, k, x]);
  if (s.spec.noRotationReason) out.push(['noRotationReason', 'noRotationReason', s.spec.noRotationReason]);
  const r = s.spec.rotation;
  if (r?.kind === 'database' && r.tlsReason) out.push(['tlsReason', 'tlsReason', r.tlsReason]);
  for (const a of s.spec.ecs ?? [])
    if (a.rotatedInjectionReason) out.push([`rotatedInjectionReason of ${a.service}`, 'rotatedInjectionReason', a.rotatedInjectionReason]);
  return out;
}

/**
 * A credential written as an assignment in free text (`password=Summer2024!xyz`, `API key: ...`),
 * or a tag named like a secret whose value looks like one; returns the key and operator found.
 */
function assigned(where: string, key: string, text: string): string | undefined {
  return (
    assignedCredential(text) ?? (where.startsWith('tag') && looksSecretKey(key) && looksLikeCredential(text.trim()) ? `${key}=` : undefined)
  );
}

const assignedMessage = (where: string, found: string) =>
  `${where} writes what looks like a credential after "${found}"; it would be committed to git and written into the stack`;
const assignedFix = (where: string) =>
  `remove the value from the ${where.split(' ')[0]} (say where it is kept instead, e.g. "password=<set by rotation>") and revoke the exposed credential`;

export default rule({
  id: 'VALUE-LITERAL-SECRET',
  explanation:
    "A credential written into the catalog (a literal JSON field, a description, a tag, a reason) lands in git and in the synthesized stack; gitleaks' rule set decides what looks like one, and literal fields named like a secret or embedding a password, and free text that writes a credential-like value after a secret word (password=..., API key: ...), are refused too.",
  fact: {
    limit:
      'values reach Secrets Manager only through the values job or rotation, never as catalog text; descriptions and tags are readable by anyone with DescribeSecret',
    page: 'Secrets Manager User Guide: Security best practices (avoid secrets in code and configuration); gitleaks default rule set (config/gitleaks.toml)',
  },
  *check({ plan }) {
    // gitleaks' path allowlists never match a catalog file; one name lets environments share scans.
    const file = 'catalogs/catalog.ts';
    for (const s of plan.secrets) {
      for (const [where, key, text] of texts(s)) {
        if (text === '') continue;
        const isField = where.startsWith('field');
        const hit = scanText(`${JSON.stringify(key)}: ${JSON.stringify(text)}`, file)[0];
        const embedded = isField ? embeddedCredential(text) : undefined;
        const found = assigned(where, key, text);
        const move = 'move it to value.deployTime (supplied by the values job) or value.generated';
        if (hit)
          yield onSecret(
            s,
            `${where} holds what gitleaks rule ${hit.ruleId} recognises as a credential; it would be committed to git and written into the stack`,
            isField
              ? `${move}, and revoke the exposed credential`
              : `remove it from the ${where.split(' ')[0]} and revoke the exposed credential`,
          );
        else if (embedded)
          yield onSecret(
            s,
            `${where} embeds a credential (${embedded}); it would be committed to git and written into the stack`,
            `keep the connection's parts without the password as fields and ${move.replace('move it to', 'put the password in')}`,
          );
        else if (found)
          yield onSecret(s, assignedMessage(where, found), isField ? `${move}, and revoke the exposed credential` : assignedFix(where));
        else if (isField && looksSecretKey(key))
          yield onSecret(
            s,
            `${where} is a literal, and its name says it holds a secret; it would be committed to git and written into the stack`,
            `${move}; if the value is not secret, give the field a name that does not say password, secret, token or key`,
          );
      }
    }
    // The environment's own texts: its tags (on every resource) and its readers' descriptions.
    const envTexts: Array<[string, string, string, string]> = [
      ...Object.entries(plan.catalog.tags ?? {}).map(([k, x]): [string, string, string, string] => ['tags', `tag "${k}"`, k, x]),
      ...Object.entries(plan.catalog.readers).flatMap(
        ([n, r]): Array<[string, string, string, string]> =>
          r.description ? [[`reader ${n}`, 'description', 'description', r.description]] : [],
      ),
    ];
    for (const [subject, where, key, text] of envTexts) {
      const hit = text === '' ? undefined : scanText(`${JSON.stringify(key)}: ${JSON.stringify(text)}`, file)[0];
      const found = hit ? undefined : assigned(where, key, text);
      if (hit)
        yield on(
          subject,
          `${where} holds what gitleaks rule ${hit.ruleId} recognises as a credential; it would be committed to git and written into the stack`,
          `remove it from the ${where.split(' ')[0]} and revoke the exposed credential`,
        );
      else if (found) yield on(subject, assignedMessage(where, found), assignedFix(where));
    }
  },
});
