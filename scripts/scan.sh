#!/usr/bin/env bash
# `npm run scan`: synthesizes every stack and runs checkov over each with the Terraform JSON
# framework. Installs checkov into .scan/venv when it is not on PATH. Skipped checks and their
# reasons live in security/checkov-skips.json (checkov ignores in-file "//" skips in JSON).
set -euo pipefail
cd "$(dirname "$0")/.."
CHECKOV_VERSION=3.3.30

if command -v checkov >/dev/null 2>&1; then
  CHECKOV=checkov
else
  if [ ! -x .scan/venv/bin/checkov ]; then
    echo "scan: installing checkov ${CHECKOV_VERSION} into .scan/venv" >&2
    python3 -m venv .scan/venv
    .scan/venv/bin/pip install --quiet --disable-pip-version-check "checkov==${CHECKOV_VERSION}" >&2
  fi
  CHECKOV=.scan/venv/bin/checkov
fi
# `scan.sh --print-checkov`: install if needed and print the command (npm run validate uses it).
if [ "${1:-}" = "--print-checkov" ]; then echo "$CHECKOV"; exit 0; fi

node tools/synth.mjs

# checkov crashes on terraform.required_version in JSON: scan copies without it.
rm -rf .scan/stacks && mkdir -p .scan/stacks
node -e '
const fs = require("fs"), path = require("path");
for (const stack of fs.readdirSync("cdktf.out/stacks")) {
  const j = JSON.parse(fs.readFileSync(path.join("cdktf.out/stacks", stack, "cdk.tf.json"), "utf8"));
  delete j.terraform.required_version;
  fs.mkdirSync(path.join(".scan/stacks", stack), { recursive: true });
  fs.writeFileSync(path.join(".scan/stacks", stack, "main.tf.json"), JSON.stringify(j, null, 1));
}'
SKIPS=$(node -e 'console.log(require("./security/checkov-skips.json").map(s => s.id).join(","))')

status=0
for dir in .scan/stacks/*/; do
  stack=$(basename "$dir")
  failed=0
  "$CHECKOV" -d "$dir" --framework terraform_json ${SKIPS:+--skip-check "$SKIPS"} --compact --quiet --skip-download \
    --output cli --output json --output-file-path console,".scan/${stack}.json" >".scan/${stack}.txt" 2>&1 || failed=1
  node -e '
const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
const results = (Array.isArray(r) ? r : [r]).map(x => x.summary || { passed: 0, failed: 0 });
const sum = k => results.reduce((n, s) => n + (s[k] || 0), 0);
console.log(`checkov ${process.argv[2]}: ${sum("passed")} passed, ${sum("failed")} failed`);
process.exit(sum("failed") > 0 ? 1 : 0);
' ".scan/${stack}.json" "$stack" || failed=1
  if [ "$failed" -ne 0 ]; then cat ".scan/${stack}.txt"; status=1; fi
done
exit $status
