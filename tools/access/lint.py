#!/usr/bin/env python3
"""Lints every policy document of the synthesized stacks with parliament (PyPI).

Input: the JSON file `npm run access` writes (a list of {stack, where, kind, policy}).
Every finding must be suppressed, with its reason, in security/parliament-suppressions.json;
any other finding fails. `--self-test` plants known-bad documents and requires that each is
reported, so a lint that silently stopped working fails too.
"""
import json
import os
import re
import sys

try:
    import parliament
except ImportError:  # pragma: no cover
    sys.exit("parliament is not installed; run: python3 -m venv .build/access-venv && .build/access-venv/bin/pip install parliament==1.6.3 cloudsplaining==0.9.1")

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def load_suppressions():
    with open(os.path.join(ROOT, "security", "parliament-suppressions.json")) as f:
        rules = json.load(f)["suppressions"]
    for r in rules:
        if not r.get("reason"):
            sys.exit(f"suppression {r} has no reason")
    return rules


def findings(doc):
    result = parliament.analyze_policy_string(json.dumps(doc["policy"]), include_community_auditors=True)
    for f in result.findings:
        yield f.issue, str(f.detail)


def suppressed(rules, doc, issue, detail):
    for r in rules:
        if r["issue"] != issue or doc["kind"] not in r.get("kinds", [doc["kind"]]):
            continue
        if "detail" in r and r["detail"] not in detail:
            continue
        if "where" in r and not re.search(r["where"], doc["where"]):
            continue
        return r
    return None


def lint(docs, rules):
    bad, used = [], set()
    for doc in docs:
        for issue, detail in findings(doc):
            r = suppressed(rules, doc, issue, detail)
            if r is None:
                bad.append(f"[{doc['stack']}] {doc['where']}: {issue} {detail}")
            else:
                used.add(id(r))
    return bad, used


def self_test(rules):
    planted = [
        {"stack": "self-test", "where": "unknown action", "kind": "identity",
         "policy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "secretsmanager:GetSecretValues", "Resource": "arn:aws:secretsmanager:us-east-1:123456789012:secret:x-AbCdEf"}]}},
        {"stack": "self-test", "where": "bad condition key", "kind": "resource",
         "policy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:root"}, "Action": "secretsmanager:GetSecretValue", "Resource": "*", "Condition": {"StringEquals": {"secretsmanager:VersionStages": "AWSCURRENT"}}}]}},
        {"stack": "self-test", "where": "malformed ARN", "kind": "identity",
         "policy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "arn:aws:kms:us-east-1:123456789012:alias"}]}},
    ]
    bad, _ = lint(planted, rules)
    reported = {b.split(":")[0] + ":" + b.split(":")[1] for b in bad}
    missing = [p["where"] for p in planted if not any(p["where"] in b for b in bad)]
    if missing:
        sys.exit(f"parliament self-test: not reported: {missing}")
    print(f"parliament self-test: {len(planted)} planted documents, each reported ({len(reported)} finding groups)")


def main():
    rules = load_suppressions()
    if sys.argv[1:] == ["--self-test"]:
        self_test(rules)
        return
    with open(sys.argv[1]) as f:
        docs = json.load(f)
    bad, used = lint(docs, rules)
    unused = [r["issue"] + " " + r.get("detail", "") for r in rules if id(r) not in used]
    print(f"parliament: {len(docs)} policy documents, {len(bad)} unsuppressed finding(s), {len(rules) - len(unused)} of {len(rules)} suppressions in use")
    for b in bad:
        print(f"  {b}")
    for u in unused:
        print(f"  suppression no longer needed (remove it): {u}")
    if bad or unused:
        sys.exit(1)


if __name__ == "__main__":
    main()
