#!/bin/sh
# A nightly plan-vs-actual review (docs/scheduled-review.md): count the dossier records in
# PostgreSQL, keep the results (JSON for the digest, Parquet for BI), post what changed
# since the last run, publish the month's report. Exit 0 nothing got worse, 1 something
# got worse, 2 fix the input (the problems file says what), 75 the database could not be
# reached (EX_TEMPFAIL: a scheduler tries again later). Every setting comes from the
# environment; no password is ever on a command line (PGPASSWORD, ~/.pgpass or service=).
set -u

CCHC=${CCHC:-cchc}
RULESET=${RULESET:-rulesets/national/qd766-records.yaml}
UNITS=${UNITS:-examples/records/units.csv}
RECORDS=${RECORDS:?"RECORDS=dossiers=postgresql://?service=NAME&table=T"}
STATE=${STATE:-/var/lib/cchc-review}          # results of every run, and their problems
CACHE=${CACHE:-$STATE/cache.parquet}          # closed periods' counted figures, reused
PUBLISH=${PUBLISH:-/var/www/cchc}             # where the report is published
PERIOD=${PERIOD:-$(date -d yesterday +%Y-%m)} # the month the report is about
STAMP=${STAMP:-$(date +%Y-%m-%dT%H%M)}
WEBHOOK=${WEBHOOK:-}                          # a chat webhook taking {"text": …}; none: no post
LANGUAGE=${LANGUAGE:-vi}

mkdir -p "$STATE/runs" "$PUBLISH" || exit 2
RUN="$STATE/runs/$STAMP"
PREVIOUS=$(ls "$STATE"/runs/*.json 2>/dev/null | sort | tail -n 1)

count() {  # $1: format, $2: output; exit code as cchc evaluate's (0, 1, 2, 3)
    $CCHC evaluate "$RULESET" --units "$UNITS" --records "$RECORDS" --lang "$LANGUAGE" \
        --cache "$CACHE" --format "$1" --output "$2" \
        --problems-format json --problems-file "$RUN.problems.jsonl"
}

count json "$RUN.json"
status=$?
case $status in
    0|1) ;;                          # counted: failing targets are content, not an error
    3) echo "cchc: the records database cannot be reached; try again later" >&2
       rm -f "$RUN.json"; exit 75 ;;
    *) rm -f "$RUN.json"; exit 2 ;;
esac
count parquet "$RUN.parquet" || [ $? -eq 1 ] || exit 2

$CCHC report "$RULESET" --units "$UNITS" --records "$RECORDS" --lang "$LANGUAGE" \
    --period "$PERIOD" --cache "$CACHE" --format html --output "$PUBLISH/index.html" \
    --problems-file "$RUN.report-problems.txt" || [ $? -eq 1 ] || exit 2

worse=0
if [ -n "$PREVIOUS" ]; then
    $CCHC diff "$PREVIOUS" "$RUN.json" --format markdown --lang "$LANGUAGE" \
        --output "$RUN.digest.md"
    worse=$?
    [ "$worse" -le 1 ] || exit 2
    if [ -n "$WEBHOOK" ]; then
        jq -Rs '{text: .}' "$RUN.digest.md" |
            curl -fsS -H 'Content-Type: application/json' --data-binary @- "$WEBHOOK" \
            >/dev/null || echo "cchc: the digest could not be posted" >&2
    fi
fi
exit "$worse"
