import { onSecret, rule } from '../rule';

export default rule({
  id: 'ROT-FIRST-PASSWORD',
  explanation:
    'Single-user rotation logs in with the current password; a generated first password reaches the database only if someone reads the secret and sets it there.',
  fact: {
    limit:
      'single-user rotation changes the password as the user itself (it must already log in); the pipeline and operators never read values (GetSecretValue denied)',
    page: 'Secrets Manager User Guide: Rotation strategies (single user); docs/values.md (first database passwords)',
  },
  *check({ plan }) {
    for (const s of plan.secrets) {
      const r = s.spec.rotation;
      const v = s.spec.value;
      if (r?.kind !== 'database' || r.strategy !== 'single-user') continue;
      const generated = v.kind === 'generated' || (v.kind === 'json' && Object.hasOwn(v.generated ?? {}, 'password'));
      if (generated) {
        yield onSecret(
          s,
          'its single-user rotation logs in with the current password, but the first password is generated and can reach the database only if someone reads the secret',
          'supply the database\'s current password at deploy time (move "password" from value.generated to value.deployTime), or rotate with strategy "admin" or "alternating-users", whose first rotation sets the password through the admin secret',
        );
      }
    }
  },
});
