import { onSecret, rule } from '../rule';

export default rule({
  id: 'CAT-ID-CHARS',
  explanation:
    'A secret id becomes Terraform resource, variable and output names, which take letters, digits, "_" and "-" and start with a letter.',
  fact: {
    limit: 'Terraform identifiers: letters, digits, underscores and hyphens, starting with a letter or underscore',
    page: 'Terraform language: Resources / Input Variables (Arguments, identifier syntax)',
  },
  *check({ plan }) {
    for (const s of plan.secrets) {
      if (!/^[A-Za-z][A-Za-z0-9_-]*$/.test(s.id))
        yield onSecret(
          s,
          `id "${s.id}" must start with a letter and hold only letters, digits, "_" and "-"`,
          `rename the id, e.g. "${s.id.replace(/[^A-Za-z0-9_-]/g, '_').replace(/^[^A-Za-z]+/, '') || 'my_secret'}"`,
        );
    }
  },
});
