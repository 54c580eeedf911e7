#!/usr/bin/env bash
# CI guard against builds that grow faster than the site: fails when some step of kb has become
# quadratic (a page, index or link step that looks at every article for every article).
#
# It runs `kb check` (everything `kb build` does but write the files, one write per page: linear
# by construction, and on a CI disk mostly noise) on generated sites of 1,000, 2,000 and 4,000
# articles (benches/README.md) and compares what each extra article costs:
#
#     growth = (I(4k) - I(2k)) / (2 * (I(2k) - I(1k)))
#
# is 1.0 when the work is linear in the number of articles and 2.0 when it is quadratic;
# differences cancel the fixed start-up cost. I is the instruction count under Valgrind's
# cachegrind (one rayon thread): exact, and the same on a slow or busy machine, so the limit can
# be tight. Today's kb measures about 1.01; the limit, 1.06, is crossed by a quadratic step that
# costs about 5% of the work at 4,000 articles, which would be most of the work at 100,000.
# (A quadratic step much cheaper than that, say a scan of every article's related list for every
# article, stays under it: it shows at 4,000 articles as +2%.) Without Valgrind it falls back to
# CPU time (the least of three runs) and a loose limit of 1.5.
#
#   benches/scaling_check.sh      # exit 1 when growth is above the limit (KB_SCALING_MAX)
set -euo pipefail
cd "$(dirname "$0")/.."

sizes=(1000 2000 4000)

cargo build --release --quiet --bin kb --example gen_corpus
# Where cargo put them: CARGO_TARGET_DIR when it is set (a stale target/ would be measured otherwise).
target_dir=${CARGO_TARGET_DIR:-$PWD/target}
kb=$target_dir/release/kb
gen=$target_dir/release/examples/gen_corpus
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if command -v valgrind >/dev/null; then
  unit="instructions"
  max=${KB_SCALING_MAX:-1.06}
  # cost SITE: instructions executed by `kb check` on SITE.
  cost() {
    RAYON_NUM_THREADS=1 valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null \
      --log-file="$work/valgrind" "$kb" check --root "$1" >/dev/null 2>"$work/stderr" \
      || { cat "$work/stderr" >&2; exit 1; }
    awk '/I *refs:/ { gsub(",", "", $NF); print $NF }' "$work/valgrind"
  }
else
  unit="s CPU"
  max=${KB_SCALING_MAX:-1.5}
  echo "valgrind not found: measuring CPU time instead of instructions (less exact)"
  # cost SITE: the least CPU time (user + system) of three runs of `kb check` on SITE.
  cost() {
    local best="" t i
    for i in 1 2 3; do
      TIMEFORMAT='%3U %3S'
      { time RAYON_NUM_THREADS=1 "$kb" check --root "$1" >/dev/null 2>"$work/stderr" \
          || { cat "$work/stderr" >&2; exit 1; }; } 2>"$work/time"
      t=$(awk '{ print $1 + $2 }' "$work/time")
      if [ -z "$best" ] || awk -v a="$t" -v b="$best" 'BEGIN { exit !(a < b) }'; then best=$t; fi
    done
    echo "$best"
  }
fi

declare -A measured
for n in "${sizes[@]}"; do
  "$gen" --articles "$n" --out "$work/site-$n" >/dev/null
  measured[$n]=$(cost "$work/site-$n")
  echo "kb check, $n articles: ${measured[$n]} $unit"
done

awk -v c1="${measured[1000]}" -v c2="${measured[2000]}" -v c4="${measured[4000]}" -v max="$max" 'BEGIN {
  if (c2 <= c1) { print "error: 2,000 articles cost no more than 1,000; cannot judge growth"; exit 1 }
  growth = (c4 - c2) / (2 * (c2 - c1))
  printf "growth of the cost of an extra article from 1-2k to 2-4k articles: %.3f (linear: 1, quadratic: 2, limit: %s)\n", growth, max
  if (growth > max) { print "error: kb grows faster than linearly with the number of articles"; exit 1 }
}'
