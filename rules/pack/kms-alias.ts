import { on, rule } from '../rule';

export default rule({
  id: 'KMS-ALIAS',
  explanation: 'KMS alias names are alias/ plus up to 250 of [A-Za-z0-9/_-], never alias/aws/.',
  fact: { limit: 'AliasName: 1-256 characters, alias/ prefix, alias/aws/ reserved', page: 'AWS KMS API Reference: CreateAlias' },
  *check({ plan }) {
    for (const k of [...plan.keys, plan.monitoringKey]) {
      if (!/^alias\/[A-Za-z0-9/_-]+$/.test(k.alias) || k.alias.length > 256 || /^alias\/aws\//i.test(k.alias))
        yield on(`key ${k.category}`, `alias "${k.alias}" is not a valid KMS alias`, 'report this as a bug (aliases are derived)');
    }
  },
});
