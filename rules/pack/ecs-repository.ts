import { on, rule } from '../rule';

/** ECR repository names (CreateRepository, repositoryName): 2-256 characters. */
const REPOSITORY_NAME = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
const REPOSITORY_ARN = /^arn:aws[a-z-]*:ecr:[a-z0-9-]+:\d{12}:repository\/(.+)$/;

export default rule({
  id: 'ECS-REPOSITORY',
  explanation:
    'The repositories an execution role pulls from are ECR repository names (lower case, 2-256) or repository ARNs: never image URIs, tags or wildcards.',
  fact: {
    limit: 'repositoryName: 2-256 characters, (?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*',
    page: 'Amazon ECR API Reference: CreateRepository (repositoryName)',
  },
  *check({ plan }) {
    for (const e of plan.ecsServices) {
      const defaulted = plan.secrets.every((s) =>
        (s.spec.ecs ?? []).every((a) => a.service !== e.service || (a.repositories ?? []).length === 0),
      );
      for (const r of e.repositories) {
        const name = REPOSITORY_ARN.exec(r)?.[1] ?? r;
        if (/[*?]/.test(name))
          yield on(
            `ECS service ${e.service}`,
            `repository "${r}" is a wildcard: the execution role could pull every matching image`,
            'name each repository the service pulls from',
          );
        else if (r.startsWith('arn:') && !REPOSITORY_ARN.test(r))
          yield on(
            `ECS service ${e.service}`,
            `repository "${r}" is not an ECR repository ARN`,
            'write arn:aws:ecr:<region>:<account>:repository/<name>',
          );
        else if (name.length < 2 || name.length > 256 || !REPOSITORY_NAME.test(name)) {
          const why = defaulted ? ` (repositories default to the service name "${e.service}")` : '';
          const hint = /\.dkr\.ecr\.|[:@]/.test(name)
            ? 'give the repository name (the part after the registry host, without :tag or @digest) or its ARN'
            : 'use the ECR repository name (lower case letters, digits, . _ - and /) or its ARN';
          yield on(
            `ECS service ${e.service}`,
            `repository "${r}" is not an ECR repository name${why}`,
            defaulted ? `set repositories on the ecs entry; ${hint}` : hint,
          );
        }
      }
    }
  },
});
