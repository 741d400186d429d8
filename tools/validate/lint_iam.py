"""Lints IAM policies with parliament (pinned in tools/validate/index.ts): unknown actions,
condition keys that do not apply, resources that cannot match an action. Reads a JSON object
{name: policy text} on stdin, prints one JSON finding per line."""
import json
import sys

from parliament import analyze_policy_string

for name, text in json.load(sys.stdin).items():
    for f in analyze_policy_string(text).findings:
        print(json.dumps({"file": name, "issue": f.issue, "severity": f.severity, "detail": f.detail}, default=str))
