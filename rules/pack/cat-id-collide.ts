import { on, onSecret, rule } from '../rule';

export default rule({
  id: 'CAT-ID-COLLIDE',
  explanation:
    "Distinct catalog names that normalise to the same Terraform identifier (secret ids, ECS services, readers) crash cdktf or overwrite each other's outputs.",
  fact: {
    limit: 'Terraform identifiers are unique per block type; cdktf maps "-" and "." to "_" in output and variable names',
    page: 'Terraform language: Output Values / Input Variables',
  },
  *check({ plan }) {
    const groups: Array<[string, Array<[string, string | undefined]>, (n: string) => string]> = [
      ['secret id', plan.secrets.map((s) => [s.id, s.id] as [string, string]), (n) => n.replace(/[^A-Za-z0-9_]/g, '_').toLowerCase()],
      [
        'ECS service',
        plan.ecsServices.map((e) => [e.service, undefined] as [string, undefined]),
        (n) => n.replace(/[^A-Za-z0-9_]/g, '_').toLowerCase(),
      ],
      [
        'reader',
        Object.keys(plan.catalog.readers).map((r) => [r, undefined] as [string, undefined]),
        (n) => n.replace(/[^A-Za-z0-9_]/g, '_').toLowerCase(),
      ],
    ];
    for (const [what, names, norm] of groups) {
      const first = new Map<string, string>();
      for (const [n, secretId] of names) {
        const key = norm(n);
        const other = first.get(key);
        if (other !== undefined && other !== n) {
          const message = `${what} "${n}" and "${other}" both become "${key}" in Terraform names`;
          const fix = `rename one of them so they differ in more than case, "-", "." or "_"`;
          yield secretId !== undefined ? onSecret({ id: secretId }, message, fix) : on(`${what} ${n}`, message, fix);
        } else if (other === undefined) first.set(key, n);
      }
    }
  },
});
