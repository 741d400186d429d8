import { onSecret, rule } from '../rule';

/**
 * Environment variables the AWS SDKs read for credentials before they ask the ECS container
 * credentials endpoint for the task role's (the default chain: environment, web identity,
 * shared files, then the container provider), and the container provider's own variables.
 */
const CREDENTIAL_VARIABLES = [
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_SECURITY_TOKEN',
  'AWS_ROLE_ARN',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'AWS_PROFILE',
  'AWS_SHARED_CREDENTIALS_FILE',
  'AWS_CONFIG_FILE',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  'AWS_CONTAINER_AUTHORIZATION_TOKEN',
  'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE',
];

export default rule({
  id: 'ECS-AWS-CREDENTIALS',
  explanation:
    'AWS credentials are never injected into a container: the SDKs prefer credential environment variables to the task role, so the task would act as whoever the injected keys belong to.',
  fact: {
    limit:
      'the default credential provider chain reads environment variables (AWS_ACCESS_KEY_ID, ...) before the container credentials of the task role',
    page: 'AWS SDKs and Tools Reference Guide: Standardized credential providers (credential provider chain); Amazon ECS Developer Guide: Amazon ECS task IAM role',
  },
  *check({ plan }) {
    for (const s of plan.secrets) {
      for (const a of s.spec.ecs ?? []) {
        const bad = (a.inject ?? []).map((i) => i.env).filter((e) => CREDENTIAL_VARIABLES.includes(e));
        if (bad.length > 0) {
          yield onSecret(
            s,
            `${a.service} would get ${bad.join(', ')}, which override the task role for every AWS call the task makes`,
            `remove the injection and grant ${a.service}'s task role the permissions the keys stood for (a task role gets short-lived credentials of its own)`,
          );
        }
      }
    }
  },
});
