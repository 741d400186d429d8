import { on, rule } from '../rule';
import { badCharacters } from '../support';

export default rule({
  id: 'ECS-SERVICE-NAME',
  explanation: 'ECS service names are up to 255 letters, digits, "-" and "_"; they also name IAM roles and Terraform outputs.',
  fact: { limit: 'serviceName: up to 255 letters, numbers, underscores and hyphens', page: 'Amazon ECS API Reference: CreateService' },
  *check({ plan }) {
    for (const e of plan.ecsServices) {
      if (!/^[A-Za-z0-9_-]{1,255}$/.test(e.service))
        yield on(
          `ECS service ${e.service}`,
          `ECS service name "${e.service}" contains ${badCharacters(e.service, /[A-Za-z0-9_-]/) || 'nothing'}; ECS allows letters, digits, "-" and "_"`,
          'use the service name as ECS knows it',
        );
    }
  },
});
