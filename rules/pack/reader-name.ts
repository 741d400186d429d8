import { on, rule } from '../rule';

export default rule({
  id: 'READER-NAME',
  explanation: 'Reader names become Terraform construct and output names: letters, digits, "-" and "_".',
  fact: { limit: 'Terraform identifiers', page: 'Terraform language: Output Values' },
  *check({ plan }) {
    for (const name of Object.keys(plan.catalog.readers)) {
      if (!/^[A-Za-z0-9_-]{1,64}$/.test(name))
        yield on(
          `reader ${name}`,
          `reader name "${name}" must be 1-64 letters, digits, "-" or "_"`,
          `rename it, e.g. "${name.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 64) || 'reader'}"`,
        );
    }
  },
});
