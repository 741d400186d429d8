import { onSecret, rule } from '../rule';

export default rule({
  id: 'VALUE-VERSION',
  explanation: 'A value version is a whole number from 1; the values step writes again when it rises above the version it wrote.',
  fact: {
    limit: 'versions 1 to 1,000,000,000 (tools/ci/values.cjs); a tag value holds the number as text',
    page: 'docs/values.md (value versions)',
  },
  *check({ plan }) {
    for (const s of plan.secrets) {
      const v = s.spec.value;
      const version = 'version' in v ? v.version : undefined;
      if (version !== undefined && (!Number.isInteger(version) || version < 1 || version > 1e9)) {
        yield onSecret(
          s,
          `value version ${version} is not a whole number from 1 to 1000000000`,
          'use 1 for the first value and raise it by one to write a new value',
        );
      }
    }
  },
});
