#!/usr/bin/env bash
# The recorder against its peers, on the same workloads and tracepoints:
#   an open/close loop (OPENS iterations: an openat enter and exit each), and
#   a loopback TCP connect loop (CONNS connections, 64 bytes each way).
# Per tracer: the workload's slowdown (its wall time over the untraced run's,
# median of RUNS paired runs), the same over the floor's (a BPF program that
# only counts on those tracepoints), events captured vs expected, events
# lost, bytes on disk per workload operation, and the tracer's own CPU
# (user+system, whole process) per event it captured.
#
# Environment: BUILD (build), RUNS (5), OPENS (2000000), CONNS (20000),
# TRACERS (all of: floor record perf trace-cmd), WORKLOADS (opens tcp). Needs root; installs
# linux-perf and trace-cmd from Debian when missing.
set -eu

BUILD=${BUILD:-build}
RUNS=${RUNS:-5}
OPENS=${OPENS:-2000000}
CONNS=${CONNS:-20000}
TRACERS=${TRACERS:-"floor record perf trace-cmd"}
WORKLOADS=${WORKLOADS:-"opens tcp"}
REC=$BUILD/bin/ebpf-record
FLOOR=$BUILD/bench/bench_record_floor
COUNT=$BUILD/bench/bench_record_count
WL=$BUILD/samples/workloads

die() { echo "bench_record: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "needs root (it loads BPF programs): run 'sudo make bench'"
for b in "$REC" "$FLOOR" "$COUNT" "$WL/wl_opens" "$WL/wl_tcp"; do
	[ -x "$b" ] || die "$b is not built: run 'make' first"
done
missing=()
command -v perf >/dev/null || missing+=(linux-perf)
command -v trace-cmd >/dev/null || missing+=(trace-cmd)
[ -x /usr/bin/time ] || missing+=(time)
if [ ${#missing[@]} -ne 0 ]; then
	echo "bench_record: installing ${missing[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
		die "cannot install ${missing[*]}"
fi

tmp=$(mktemp -d /tmp/ebt-bench-XXXXXX)
tracer_pid=
cleanup() {
	[ -n "$tracer_pid" ] && kill -INT "$tracer_pid" 2>/dev/null && wait "$tracer_pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
target=$tmp/target
: > "$target"

now() { date +%s.%N; }

# Waits until FILE contains TEXT (at most 30 s).
wait_for() {
	for _ in $(seq 300); do
		grep -q "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	die "tracer not ready: $(cat "$1")"
}

# Starts tracer $1 for workload $2 under /usr/bin/time; waits until it traces.
start_tracer() {
	local name=$1 wl=$2 out=$tmp/$1.out
	rm -f "$out" "$out".cpu* "$tmp/$name.err" "$tmp/$name.cpu"
	case $name in
	floor)
		/usr/bin/time -f '%U %S' -o "$tmp/$name.cpu" "$FLOOR" "$wl" >"$tmp/$name.stdout" 2>"$tmp/$name.err" &
		tracer_pid=$!; wait_for "$tmp/$name.err" ready ;;
	record)
		local probes=opens; [ "$wl" = tcp ] && probes=tcp
		/usr/bin/time -f '%U %S' -o "$tmp/$name.cpu" "$REC" -o "$out" --no-index --probes "$probes" 2>"$tmp/$name.err" &
		tracer_pid=$!; wait_for "$tmp/$name.err" "recording to" ;;
	perf)
		local ev="-e syscalls:sys_enter_openat -e syscalls:sys_exit_openat"
		[ "$wl" = tcp ] && ev="-e sock:inet_sock_set_state"
		# shellcheck disable=SC2086
		/usr/bin/time -f '%U %S' -o "$tmp/$name.cpu" perf record -a $ev -o "$out" 2>"$tmp/$name.err" >/dev/null &
		tracer_pid=$!; sleep 2 ;;
	trace-cmd)
		local ev="-e syscalls:sys_enter_openat -e syscalls:sys_exit_openat"
		[ "$wl" = tcp ] && ev="-e sock:inet_sock_set_state"
		# shellcheck disable=SC2086
		/usr/bin/time -f '%U %S' -o "$tmp/$name.cpu" trace-cmd record -d --no-filter $ev -o "$out" >"$tmp/$name.err" 2>&1 &
		tracer_pid=$!; sleep 3 ;; # its "Hit Ctrl^C" goes to a buffered stdout
	esac
}

stop_tracer() {
	local child
	# /usr/bin/time does not forward signals: the tracer is its child.
	child=$(pgrep -P "$tracer_pid" | head -1)
	kill -INT "$child"
	# perf exits non-zero after SIGINT, and trace-cmd when it cannot reset
	# the function tracer this kernel lacks: their output decides. A failed
	# run is reported and left out of the medians.
	if ! wait "$tracer_pid"; then
		case $1 in
		perf|trace-cmd) [ -s "$tmp/$1.out" ] && { tracer_pid=; return 0; } ;;
		esac
		echo "  $1 failed this run: $(tr '\n' ' ' < "$tmp/$1.err" | tail -c 200)" >&2
		tracer_pid=
		return 1
	fi
	tracer_pid=
}

# Runs the workload; prints its wall time in seconds.
run_workload() {
	local t0 t1
	t0=$(now)
	if [ "$1" = opens ]; then
		"$WL/wl_opens" "$target" "$OPENS" >/dev/null
	else
		"$WL/wl_tcp" "$CONNS" 64 64 >/dev/null
	fi
	t1=$(now)
	echo "$t1 - $t0" | bc -l
}

# Prints "captured lost bytes" for tracer $1 after workload $2.
measure() {
	local name=$1 wl=$2 out=$tmp/$1.out counts
	case $name in
	floor)
		echo "$(cat "$tmp/$name.stdout") 0 0" ;;
	record)
		if [ "$wl" = opens ]; then
			counts=$("$COUNT" "$out" open path "$target")
		else
			counts=$("$COUNT" "$out" tcp_life comm wl_tcp)
		fi
		# shellcheck disable=SC2086
		set -- $counts
		echo "$2 $3 $(stat -c %s "$out") $1" ;;
	perf)
		local c l
		# opens: the workload's samples; tcp: all (state changes run in
		# softirq context, under whatever task was interrupted)
		if [ "$wl" = opens ]; then
			c=$(perf script -i "$out" -F comm 2>/dev/null | grep -c wl_opens || true)
		else
			c=$(perf report -i "$out" --stats 2>/dev/null | awk '/ SAMPLE events:/ { print $3; exit }')
		fi
		l=$(perf report -i "$out" --stats 2>/dev/null | awk '/LOST_SAMPLES events:/ { print $3; exit }')
		echo "${c:-0} ${l:-0} $(stat -c %s "$out")" ;;
	trace-cmd)
		local c l
		if [ "$wl" = opens ]; then
			c=$(trace-cmd report -i "$out" 2>/dev/null | grep -c wl_opens || true)
		else
			c=$(trace-cmd report -i "$out" 2>/dev/null | grep -c inet_sock_set_state || true)
		fi
		l=$(trace-cmd report -i "$out" --stat 2>/dev/null |
			awk '/^overrun:|^dropped events:/ { s += $NF } END { print s + 0 }')
		echo "${c:-0} ${l:-0} $(stat -c %s "$out")" ;;
	esac
}

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

bench_workload() {
	local wl=$1 ops expected_floor r t0 t name
	if [ "$wl" = opens ]; then ops=$OPENS; else ops=$CONNS; fi
	for name in bare $TRACERS; do : > "$tmp/$wl.$name.rows"; done
	for r in $(seq "$RUNS"); do
		for name in $TRACERS; do
			t0=$(run_workload "$wl")
			start_tracer "$name" "$wl"
			t=$(run_workload "$wl")
			stop_tracer "$name" || continue
			# the last line: time first reports a non-zero exit status
			read -r cpu_u cpu_s < <(tail -1 "$tmp/$name.cpu")
			echo "$t0 $t $(measure "$name" "$wl") $(echo "$cpu_u + $cpu_s" | bc -l)" >> "$tmp/$wl.$name.rows"
			if [ "$name" = record ]; then
				sed -n 's/.*recorder CPU while recording: .*(\([0-9]*\) ns per event).*/\1/p' \
					"$tmp/record.err" >> "$tmp/$wl.loopcpu"
			fi
		done
		echo "  run $r/$RUNS done" >&2
	done

	if [ "$wl" = opens ]; then
		echo "== open/close loop: $OPENS iterations (2 tracepoint hits each), medians of $RUNS paired runs"
		expected_floor=$((2 * OPENS))
	else
		echo "== loopback TCP connect loop: $CONNS connections (64 B each way), medians of $RUNS paired runs"
		expected_floor=$((10 * CONNS))
	fi
	local floor_slow loop_cpu
	loop_cpu=$(median < "$tmp/$wl.loopcpu" 2>/dev/null || true)
	floor_slow=$(awk '{ print $2 / $1 }' "$tmp/$wl.floor.rows" 2>/dev/null | median)
	printf '%-12s %9s %9s %10s %10s %6s %8s %10s\n' tracer slowdown vs-floor captured expected lost B/op "CPU ns/ev"
	for name in $TRACERS; do
		local f=$tmp/$wl.$name.rows slow vsf cap lost bytes cpu nev exp
		if [ ! -s "$f" ]; then
			printf '%-12s failed in every run\n' "$name"
			continue
		fi
		slow=$(awk '{ print $2 / $1 }' "$f" | median)
		vsf=$(echo "$slow / ${floor_slow:-1}" | bc -l)
		cap=$(awk '{ print $3 }' "$f" | median)
		lost=$(awk '{ print $4 }' "$f" | median)
		bytes=$(awk -v ops="$ops" '{ print $5 / ops }' "$f" | median)
		# events the tracer itself captured, for its CPU per event
		case $name in
		record) nev=$(awk '{ print $6 }' "$f" | median) ;;
		*) nev=$cap ;;
		esac
		cpu=$(awk '{ print $NF }' "$f" | median)
		case $name in
		floor) exp="$expected_floor+" ;;
		record) if [ "$wl" = opens ]; then exp=$ops; else exp=$((2 * ops)); fi ;;
		*) exp=$expected_floor ;;
		esac
		printf '%-12s %8.2fx %8.2fx %10.0f %10s %6.0f %8.1f %10.0f\n' "$name" "$slow" "$vsf" "$cap" "$exp" \
			"$lost" "$bytes" "$(echo "$cpu * 1000000000 / ($nev + 1)" | bc -l)"
	done
	echo "(slowdown: workload time traced / untraced, paired; B/op: trace bytes per open or per"
	echo " connection; CPU: the tracer's whole user+system time over the events it wrote;"
	echo " captured: ebpf-record's records of the workload (one per open, a tcp_life per socket),"
	echo " perf's and trace-cmd's samples (enter + exit per open, one per state change);"
	echo " ebpf-record's own drain CPU per event, median: ${loop_cpu:-?} ns)"
}

echo "ebpf-record $("$REC" --version | awk '{ print $2 }'), kernel $(uname -r), $(nproc) CPUs; tracers: $TRACERS"
for wl in $WORKLOADS; do
	bench_workload "$wl"
done
