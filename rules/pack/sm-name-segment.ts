import { onSecret, rule } from '../rule';

export default rule({
  id: 'SM-NAME-SEGMENT',
  explanation:
    'Every "/"-separated part of a secret name is non-empty: an empty service, component or type (or "//", or a trailing "/") names another secret than the one meant.',
  fact: {
    limit: 'names are matched exactly, "/" included; prefixes such as secret:prod/app/* select by path',
    page: 'Secrets Manager User Guide: Secrets Manager resource ARNs and names (IAM policy resources)',
  },
  *check({ plan }) {
    for (const s of plan.secrets) {
      const parts = s.name.split('/');
      if (!parts.some((p, i) => p === '' && i > 0)) continue;
      const empty =
        s.spec.name === undefined
          ? (['service', 'component', 'type'] as const).filter(
              (f) => s.spec[f].trim() === '' || s.spec[f].endsWith('/') || s.spec[f].startsWith('/'),
            )
          : [];
      yield onSecret(
        s,
        `name "${s.name}" has an empty part${empty.length ? ` (${empty.join(', ')})` : ''}`,
        empty.length
          ? `set ${empty.join(' and ')} to a non-empty value without leading or trailing "/"`
          : 'remove the doubled or trailing "/" from the name',
      );
    }
  },
});
