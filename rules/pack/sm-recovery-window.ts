import { isProduction, on, onSecret, rule } from '../rule';

export default rule({
  id: 'SM-RECOVERY-WINDOW',
  explanation: 'Deleted secrets stay recoverable 7 to 30 days; 0 deletes at once and is allowed in dev only, production keeps 30.',
  fact: { limit: 'RecoveryWindowInDays: 7-30 (ForceDeleteWithoutRecovery otherwise)', page: 'Secrets Manager API Reference: DeleteSecret' },
  *check({ plan }) {
    const check = (days: number) => {
      if (days === 0)
        return plan.environment === 'dev'
          ? undefined
          : ['recovery window 0 deletes the secret immediately, allowed in dev only', 'set recoveryWindowDays between 7 and 30'];
      if (!Number.isInteger(days) || days < 7 || days > 30)
        return [`recovery window ${days} is outside 7..30 days`, 'set recoveryWindowDays between 7 and 30'];
      if (isProduction(plan) && days < 30)
        return [
          `production recovery window is ${days} days; deleted production secrets must stay recoverable for 30`,
          'set recoveryWindowDays to 30',
        ];
      return undefined;
    };
    const envProblem = check(plan.catalog.recoveryWindowDays);
    if (envProblem) yield on('environment', `the environment's ${envProblem[0]}`, envProblem[1]);
    for (const s of plan.secrets) {
      const p = s.spec.recoveryWindowDays !== undefined ? check(s.spec.recoveryWindowDays) : undefined;
      if (p) yield onSecret(s, p[0], p[1]);
    }
  },
});
