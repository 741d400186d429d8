import { on, rule } from '../rule';

export default rule({
  id: 'ENV-ALERT-EMAIL',
  explanation: 'The alert e-mail is an address SNS can subscribe.',
  fact: { limit: 'email protocol endpoint: an e-mail address', page: 'Amazon SNS API Reference: Subscribe (Endpoint)' },
  *check({ plan }) {
    const e = plan.catalog.alertEmail;
    if (e !== undefined && !/^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[^\s@]+\.[^\s@]+$/.test(e))
      yield on('environment', `alertEmail "${e}" is not an e-mail address`, 'use an address such as platform-alerts@example.com');
  },
});
