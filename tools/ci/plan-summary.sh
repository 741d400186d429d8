#!/usr/bin/env bash
# plan-summary.sh PLAN_TXT TITLE ARTIFACT_NAME [ARTIFACT_URL]
#
# Markdown for a GitHub run summary showing a Terraform plan a reviewer approves. GitHub keeps at
# most 1 MiB of summary per step, so a plan larger than that cannot be shown whole; this shows
# its START (the resources in order, as `terraform show` prints them) and says, before and after
# the text, exactly which lines were cut and where the whole plan is (the artifact, uploaded in
# full). Nothing is ever cut silently. The text is HTML-escaped inside <pre>, so nothing in a
# plan (a description, a tag value) can close the block or add markup of its own.
set -euo pipefail
file=$1 title=$2 artifact=$3 url=${4:-}
# Escaped bytes shown at most: below GitHub's 1 MiB per step, with room for the notes.
limit=${PLAN_SUMMARY_LIMIT:-1000000}

escaped=$(mktemp)
trap 'rm -f "$escaped"' EXIT
sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' -e 's/>/\&gt;/g' "$file" > "$escaped"
lines=$(wc -l < "$file")
bytes=$(wc -c < "$file")
where="the artifact \`$artifact\` of this run${url:+ ($url)}"

echo "## $title"
echo
if [ "$(wc -c < "$escaped")" -le "$limit" ]; then
  shown=$lines
  echo "The whole plan ($lines lines) is below; it is also $where."
else
  shown=$(head -c "$limit" "$escaped" | wc -l)
  note="**Cut: this summary shows lines 1-$shown of the plan's $lines lines ($bytes bytes); lines $((shown + 1))-$lines are NOT shown here, because GitHub keeps at most 1 MiB of summary. Read the whole plan in $where before approving.**"
  echo "$note"
fi
echo
echo '<pre>'
head -n "$shown" "$escaped"
echo '</pre>'
if [ "$shown" -lt "$lines" ]; then
  echo
  echo "$note"
fi
