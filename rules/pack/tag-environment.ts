import { on, onSecret, rule } from '../rule';
import { tagSets } from '../tags';

export default rule({
  id: 'TAG-ENVIRONMENT',
  explanation:
    "The Environment tag is the platform's: every resource carries Environment=<its environment>, and a catalog tag that says another environment would make policies and reviews treat it as that one.",
  fact: {
    limit: 'aws:ResourceTag/<key> conditions match the tag on the resource; condition key names are case-insensitive',
    page: 'IAM User Guide: Controlling access to AWS resources using tags; IAM JSON policy elements: Condition (condition keys are not case-sensitive)',
  },
  *check({ plan }) {
    for (const [where, tags, secretId] of tagSets(plan)) {
      for (const [k, v] of Object.entries(tags)) {
        if (k.toLowerCase() !== 'environment' || v === plan.environment) continue;
        const message = `${where} tag ${k}=${v} says another environment than ${plan.environment}`;
        const fix = `remove the tag: the platform tags every resource Environment=${plan.environment}`;
        yield secretId ? onSecret({ id: secretId }, message, fix) : on('tags', message, fix);
      }
    }
  },
});
