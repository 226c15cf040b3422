#!/usr/bin/env bash
# ebpf-query on a trace of QUERY_BENCH_EVENTS events (default ten million,
# over 60 s): the bare reader, a scan without and with a time range (the
# first 10%), the index build rate, and the same query through the index.
# Figures side by side, as ratios to the bare reader.
set -eu
build=${BUILD:-build}
n=${QUERY_BENCH_EVENTS:-10000000}
q=$build/bin/ebpf-query
gen=$build/tests/bench_query_gen
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

secs() { /usr/bin/time -f %e -o "$work/t" "$@" >"$work/out" 2>"$work/err" || { cat "$work/err" >&2; exit 1; }; cat "$work/t"; }

echo "query     generating $n events (opens and syscalls over 60 s)"
"$gen" gen "$work/big.trace" "$n" 60
read -r events read_s _ < <("$gen" read "$work/big.trace")
full_s=$(secs "$q" 'slow opens > 5ms' "$work/big.trace")
rows=$(grep -o '([0-9]* rows)' "$work/out" | tr -dc 0-9)
count_s=$(secs "$q" 'count opens by comm' "$work/big.trace")
range_s=$(secs "$q" 'slow opens > 5ms in first 6s' "$work/big.trace")
"$q" --explain 'slow opens > 5ms in first 6s' "$work/big.trace" | grep '^chunks:' | sed 's/^/query     range scan /'
index_s=$(secs "$q" index "$work/big.trace" --db "$work/big.db")
irows=$(grep -o '[0-9]* rows in' "$work/out" | tr -dc 0-9)
icpu=$(sed -n 's/.*; \([0-9.]*\) s of CPU.*/\1/p' "$work/out")
db_s=$(secs "$q" --db "$work/big.db" 'slow opens > 5ms')
dbrange_s=$(secs "$q" --db "$work/big.db" 'slow opens > 5ms in first 6s')
dbcount_s=$(secs "$q" --db "$work/big.db" 'count opens by comm')

rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.2f", (s > 0 ? n / s / 1e6 : 0) }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2fx", (b > 0 ? a / b : 0) }'; }
printf '%-44s %9s %12s %14s\n' "what ($events events, $rows slow opens)" seconds "M events/s" "vs bare reader"
printf '%-44s %9s %12s %14s\n' "bare reader (trace_reader__next, all types)" "$read_s" "$(rate "$events" "$read_s")" 1.00x
printf '%-44s %9s %12s %14s\n' "scan 'slow opens > 5ms'" "$full_s" "$(rate "$events" "$full_s")" "$(ratio "$full_s" "$read_s")"
printf '%-44s %9s %12s %14s\n' "scan 'count opens by comm'" "$count_s" "$(rate "$events" "$count_s")" "$(ratio "$count_s" "$read_s")"
printf '%-44s %9s %12s %14s\n' "scan '... in first 6s' (10% of the time)" "$range_s" "-" "$(ratio "$range_s" "$read_s")"
printf '%-44s %9s %12s %14s\n' "index build ($irows rows), wall" "$index_s" "$(rate "$irows" "$index_s") Mrow/s" "$(ratio "$index_s" "$read_s")"
printf '%-44s %9s %12s %14s\n' "index build, CPU time of the import" "$icpu" "$(rate "$irows" "$icpu") Mrow/s" "-"
printf '%-44s %9s %12s %14s\n' "index 'slow opens > 5ms'" "$db_s" "-" "$(ratio "$db_s" "$read_s")"
printf '%-44s %9s %12s %14s\n' "index '... in first 6s'" "$dbrange_s" "-" "$(ratio "$dbrange_s" "$read_s")"
printf '%-44s %9s %12s %14s\n' "index 'count opens by comm'" "$dbcount_s" "-" "$(ratio "$dbcount_s" "$read_s")"
echo "query     index file: $(du -h "$work/big.db" | cut -f1), trace: $(du -h "$work/big.trace" | cut -f1); load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs"
