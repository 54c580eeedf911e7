#!/usr/bin/env bash
# The kb benchmark: builds the shipped site and generated sites of 1k, 10k and 100k articles,
# and reports the median wall time, CPU time (user + system) and peak memory (max RSS) over
# several runs. Where `hugo` is on the PATH it builds the same corpora with Hugo in the same run
# and reports kb's time as a fraction of Hugo's. See BENCHMARKS.md for the method and results.
#
#   benches/run.sh                      # everything (the 100k runs take a few minutes)
#   benches/run.sh --sizes "1000 10000" --runs 3 --no-hugo
#
# Options (or environment variables):
#   --sizes "N ..."   corpus sizes in articles            (KB_BENCH_SIZES, default "1000 10000 100000")
#   --runs N          timed runs per measurement          (KB_BENCH_RUNS, default 5; 3 at 100k)
#   --hugo-max N      largest size built with Hugo        (KB_BENCH_HUGO_MAX, default 10000)
#   --no-hugo         skip Hugo even when it is installed
#   --serve-edits N   edits timed by the kb serve latency benchmark on the 10k corpus
#                     (KB_BENCH_SERVE_EDITS, default 10; 0 skips it)
#   --install-hugo    install Debian's hugo with apt when it is missing
#   --dir DIR         work folder, on tmpfs if possible   (KB_BENCH_DIR, default /dev/shm/kb-bench)
#
# Every output goes to the work folder, so disk speed does not count. Each timed run starts
# from an empty output folder (removed before the clock starts) after one untimed warm-up run.
set -euo pipefail
cd "$(dirname "$0")/.."

sizes=${KB_BENCH_SIZES:-"1000 10000 100000"}
runs=${KB_BENCH_RUNS:-5}
hugo_max=${KB_BENCH_HUGO_MAX:-10000}
serve_edits=${KB_BENCH_SERVE_EDITS:-10}
use_hugo=1
install_hugo=0
if [ -d /dev/shm ] && [ -w /dev/shm ]; then default_dir=/dev/shm/kb-bench; else default_dir=${TMPDIR:-/tmp}/kb-bench; fi
work=${KB_BENCH_DIR:-$default_dir}

while [ $# -gt 0 ]; do
  case "$1" in
    --sizes) sizes=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --hugo-max) hugo_max=$2; shift 2 ;;
    --no-hugo) use_hugo=0; shift ;;
    --serve-edits) serve_edits=$2; shift 2 ;;
    --install-hugo) install_hugo=1; shift ;;
    --dir) work=$2; shift 2 ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

if [ ! -x /usr/bin/time ]; then
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time
fi
if [ "$use_hugo" = 1 ] && [ "$install_hugo" = 1 ] && ! command -v hugo >/dev/null; then
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq hugo
fi
if [ "$use_hugo" = 1 ] && ! command -v hugo >/dev/null; then use_hugo=0; hugo_note="hugo not on PATH: skipped"; fi
zola_note="zola: not on PATH (not packaged by Debian), skipped"
if command -v zola >/dev/null; then zola_note="zola is on PATH, but gen_corpus has no Zola flavour yet: skipped"; fi

cargo build --release --quiet --bin kb --example gen_corpus
# Where cargo put them: CARGO_TARGET_DIR when it is set (a stale target/ would be measured otherwise).
target_dir=${CARGO_TARGET_DIR:-$PWD/target}
kb=$target_dir/release/kb
gen=$target_dir/release/examples/gen_corpus
mkdir -p "$work"

# corpus FORMAT N: generates (once per generator binary) and prints the corpus folder.
corpus() {
  local format=$1 n=$2 dir="$work/$1-$2" stamp
  stamp=$(sha256sum "$gen" | cut -c1-16)
  if [ "$(cat "$dir/.stamp" 2>/dev/null)" != "$stamp" ]; then
    rm -rf "$dir"
    "$gen" --articles "$n" --out "$dir" --format "$format" >/dev/null
    echo "$stamp" >"$dir/.stamp"
  fi
  echo "$dir"
}

# measure RUNS OUT CMD...: prints "wall_s cpu_s rss_mib" medians over RUNS timed runs.
measure() {
  local n=$1 out=$2; shift 2
  local samples="$work/samples" i start end
  rm -rf "$out"; "$@" >/dev/null 2>"$work/stderr" || { cat "$work/stderr" >&2; return 1; }
  : >"$samples"
  for ((i = 0; i < n; i++)); do
    rm -rf "$out"
    start=$EPOCHREALTIME
    /usr/bin/time -f "%U %S %M" -o "$work/time" "$@" >/dev/null 2>"$work/stderr" \
      || { cat "$work/stderr" >&2; return 1; }
    end=$EPOCHREALTIME
    echo "$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.4f", e - s }') $(tail -n 1 "$work/time")" >>"$samples"
  done
  # Wall from the shell's clock (1 µs resolution); CPU and peak RSS from /usr/bin/time.
  echo "$(awk '{ print $1 }' "$samples" | median) $(awk '{ print $2 + $3 }' "$samples" | median) \
    $(awk '{ printf "%.0f\n", $4 / 1024 }' "$samples" | median)"
}

median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

cpu_model=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
mem_total=$(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
echo "# kb benchmark, $(date -u +%Y-%m-%d)"
echo
echo "Machine: $(nproc) CPUs ($cpu_model), $mem_total RAM, $(uname -sr); outputs on $(df --output=fstype "$work" | tail -n 1) ($work)."
echo "kb $("$kb" --version | cut -d' ' -f2) at $(git rev-parse --short HEAD 2>/dev/null || echo '?'); $( [ "$use_hugo" = 1 ] && hugo version | cut -d' ' -f1-2 || echo "${hugo_note:-}"); $zola_note."
# Free memory matters too: with the page cache filling memory, the kernel reclaims pages for
# every file written to tmpfs and every fresh page of the build (see BENCHMARKS.md).
mem_free=$(awk '/MemFree/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
echo "Medians of $runs runs (3 at 100k articles and more), each after a warm-up run; load average at start: $(cut -d" " -f1-3 /proc/loadavg); free memory at start: $mem_free."
echo
echo "| Site | Tool | Wall (s) | CPU (s) | Peak RSS (MiB) | kb / Hugo wall |"
echo "|---|---|---:|---:|---:|---:|"

read -r wall cpu rss < <(measure "$runs" "$work/out-shipped" "$kb" build --root . --output "$work/out-shipped")
echo "| shipped site ($(find content -name '*.md' ! -name _index.md | wc -l) articles) | kb | $wall | $cpu | $rss | |"

declare -A kb_wall kb_cpu
for n in $sizes; do
  r=$runs; [ "$n" -ge 100000 ] && [ "$r" -gt 3 ] && r=3
  dir=$(corpus kb "$n")
  read -r wall cpu rss < <(measure "$r" "$work/out-kb-$n" "$kb" build --root "$dir" --output "$work/out-kb-$n")
  kb_wall[$n]=$wall
  kb_cpu[$n]=$cpu
  echo "| $n articles | kb | $wall | $cpu | $rss | |"
  if [ "$use_hugo" = 1 ] && [ "$n" -le "$hugo_max" ]; then
    dir=$(corpus hugo "$n")
    read -r hwall hcpu hrss < <(measure "$r" "$work/out-hugo-$n" hugo --quiet --source "$dir" --destination "$work/out-hugo-$n")
    ratio=$(awk -v k="$wall" -v h="$hwall" -v kc="$cpu" -v hc="$hcpu" \
      'BEGIN { printf "%.3f (%.1f× faster; CPU %.1f× less)", k / h, h / k, hc / kc }')
    echo "| $n articles | Hugo | $hwall | $hcpu | $hrss | $ratio |"
  fi
done

set -- $sizes
if [ $# -ge 2 ]; then
  echo
  prev=""
  for n in $sizes; do
    if [ -n "$prev" ]; then
      awk -v a="${kb_wall[$prev]}" -v b="${kb_wall[$n]}" -v ac="${kb_cpu[$prev]}" -v bc="${kb_cpu[$n]}" \
        -v p="$prev" -v n="$n" 'BEGIN { printf "Growth %s → %s articles: %.1f× the wall time and %.1f× the CPU time for %.0f× the articles.\n", p, n, b / a, bc / ac, n / p }'
    fi
    prev=$n
  done
fi

# kb serve: save-to-reload latency of one-article edits on the 10k corpus (benches/serve_latency.rs).
if [ "$serve_edits" -gt 0 ]; then
  echo
  echo "kb serve on the 10000-article corpus, save → reload event (cargo bench --bench serve_latency):"
  echo
  cargo bench --quiet --bench serve_latency -- "$(corpus kb 10000)" --edits "$serve_edits" 2>/dev/null \
    | grep -E '^(body|title)' | sed 's/^/- /'
fi
