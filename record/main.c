// SPDX-License-Identifier: MIT
/*
 * ebpf-record: options, checks, and the recording's life: open the trace,
 * attach the probes, drain until told to stop, then detach, drain the
 * rest, account for every event and close the trace with its index.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "format/trace.h"
#include "record/record.h"
#include "record/tui.h"
#include "replay/redact.h"

#ifndef VERSION
#define VERSION "dev"
#endif

#define DEFAULT_RING_SIZE (64ULL << 20)
#define DRAIN_INTERVAL_MS 10
#define TICK_NS 1000000000ULL
#define MAX_PIDS 64
#define ERRLEN 512

struct options {
	const char *output;
	uint64_t duration_ns;
	uint32_t pids[MAX_PIDS];
	int npids;
	const char *comm;
	uint16_t port;
	uint32_t probes;
	bool min_latency_set;
	uint64_t min_latency_ns;
	uint64_t ring_size;
	uint64_t segment_size;
	uint32_t keep;
	uint64_t flush_ns;
	bool quiet;
	bool verbose;
	bool tui;
	bool no_index;
	bool redact;
	const char *redact_key;
	const char *force[EBT_NPROBES];
	char **command;
};

struct recorder {
	struct options o;
	struct trace_writer *w;
	struct record_session *session;
	struct child *child;
	struct tui *tui;
	struct redactor *redactor;     /* --redact */
	struct redact_sink *redacted;  /* the session's consumer then, not its writer */
	uint64_t cpu_start_ns, cpu_stop_ns; /* the recording's own CPU time */
};

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

static void on_sigchld(int sig)
{
	(void)sig; /* only to interrupt the wait */
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: " RECORD_NAME " -o FILE [options] [-- COMMAND [ARGS...]]\n"
		"Records kernel events (file opens, syscall latencies, TCP connections, UDP\n"
		"datagrams, process lifetimes) into FILE, system-wide until Ctrl-C or the\n"
		"duration, or for COMMAND and its descendants until it exits (then exits\n"
		"with its status).\n"
		"\n"
		"  -o, --output FILE        the trace to write (mode 0600; under sudo it\n"
		"                           belongs to the invoking user)\n"
		"  -d, --duration DUR       stop after DUR (500ms, 10s, 5m, 1h)\n"
		"  -p, --pid PID[,PID...]   only these processes and their descendants\n"
		"  -c, --comm NAME          only tasks with this name (first 15 characters)\n"
		"      --port PORT          tcp, udp: only sockets with this local or remote port\n"
		"      --probes LIST        probes to enable, comma-separated (default: all):\n"
		"                           %s\n"
		"      --min-latency DUR    record each syscall taking at least DUR as a\n"
		"                           `syscall` event (0: every call); without it the\n"
		"                           syscalls probe keeps only per-syscall histograms\n"
		"      --ring-size SIZE     the shared ring buffer (default 64M; a power of\n"
		"                           two, rounded up)\n"
		"      --segment-size SIZE  rotate into FILE.0000, FILE.0001, ... past SIZE\n"
		"      --keep N             keep only the newest N segments (flight recorder)\n"
		"      --flush-interval DUR write buffered events at least this often\n"
		"                           (default 1s): what a crash can lose\n"
		"      --strategy PROBE=KIND[,...]  use only this attach strategy for PROBE\n"
		"                           (tracepoint, tp_btf, fentry, kprobe): to test\n"
		"                           fallbacks\n"
		"      --tui                the dashboard, live: rates, syscall latencies, TCP\n"
		"                           connections, lost events; filters by pid or comm\n"
		"                           without reloading (h in it lists the keys)\n"
		"      --redact             write the trace redacted, for a bug report: paths,\n"
		"                           command lines, addresses, the hostname and boot id\n"
		"                           become keyed hashes (as ebpf-replay --redact does);\n"
		"                           numbers, times, ports, sizes and task names stay\n"
		"      --redact-key FILE    the key (32 hex digits; made when FILE does not\n"
		"                           exist): one key gives the same hashes in every\n"
		"                           trace; without it a random key, used once\n"
		"      --no-index           do not add the recording to your session index\n"
		"                           (by default it is, for ebpf-query with no trace\n"
		"                           named: ~/.local/share/ebpf-trace/sessions.db, under\n"
		"                           sudo the invoking user's)\n"
		"  -q, --quiet              print nothing but errors\n"
		"  -v, --verbose            libbpf's messages too (why a program did not load)\n"
		"  -h, --help               this help\n"
		"  -V, --version            the version\n"
		"\n"
		"Needs root, or CAP_BPF and CAP_PERFMON, and a kernel with BTF.\n",
		probe__all_names());
}

static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, RECORD_NAME ": ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return -1;
}

static int parse_probes(const char *list, uint32_t *mask)
{
	char *copy = strdup(list), *save = NULL, *tok;
	int idx, rc = 0;

	if (!copy)
		return fail("out of memory");
	*mask = 0;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		idx = probe__by_name(tok);
		if (idx < 0) {
			rc = fail("unknown probe '%s' in --probes: valid probes are %s", tok,
				  probe__all_names());
			break;
		}
		*mask |= 1u << idx;
	}
	if (!rc && !*mask)
		rc = fail("--probes is empty: name at least one of %s", probe__all_names());
	free(copy);
	return rc;
}

static int parse_strategies(const char *list, struct options *o)
{
	char *copy = strdup(list), *save = NULL, *tok, *eq;
	int idx, rc = 0;

	if (!copy)
		return fail("out of memory");
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		eq = strchr(tok, '=');
		if (!eq) {
			rc = fail("--strategy takes PROBE=KIND, not '%s'", tok);
			break;
		}
		*eq = 0;
		idx = probe__by_name(tok);
		if (idx < 0) {
			rc = fail("unknown probe '%s' in --strategy: valid probes are %s", tok,
				  probe__all_names());
			break;
		}
		o->force[idx] = probe__strategy_kind(eq + 1);
		if (!o->force[idx]) {
			rc = fail("unknown strategy '%s' in --strategy: valid ones are tracepoint, tp_btf, fentry, kprobe",
				  eq + 1);
			break;
		}
	}
	free(copy);
	return rc;
}

static int parse_pids(const char *list, struct options *o)
{
	const char *s = list;
	char *end;
	long v;

	while (*s) {
		errno = 0;
		v = strtol(s, &end, 10);
		if (errno || end == s || v <= 0 || v > 0x3fffffff || (*end && *end != ','))
			return fail("-p takes process ids separated by commas, not '%s'", list);
		if (o->npids == MAX_PIDS)
			return fail("-p takes at most %d processes", MAX_PIDS);
		if (kill((pid_t)v, 0) && errno == ESRCH)
			return fail("no process %ld (-p)", v);
		o->pids[o->npids++] = (uint32_t)v;
		s = *end ? end + 1 : end;
	}
	return 0;
}

static int parse_args(int argc, char **argv, struct options *o)
{
	enum { OPT_PROBES = 256, OPT_MIN_LAT, OPT_RING, OPT_SEGMENT, OPT_KEEP, OPT_FLUSH,
	       OPT_STRATEGY, OPT_PORT, OPT_TUI, OPT_NO_INDEX, OPT_REDACT, OPT_REDACT_KEY };
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "duration", required_argument, NULL, 'd' },
		{ "pid", required_argument, NULL, 'p' },
		{ "comm", required_argument, NULL, 'c' },
		{ "probes", required_argument, NULL, OPT_PROBES },
		{ "port", required_argument, NULL, OPT_PORT },
		{ "min-latency", required_argument, NULL, OPT_MIN_LAT },
		{ "ring-size", required_argument, NULL, OPT_RING },
		{ "segment-size", required_argument, NULL, OPT_SEGMENT },
		{ "keep", required_argument, NULL, OPT_KEEP },
		{ "flush-interval", required_argument, NULL, OPT_FLUSH },
		{ "strategy", required_argument, NULL, OPT_STRATEGY },
		{ "tui", no_argument, NULL, OPT_TUI },
		{ "no-index", no_argument, NULL, OPT_NO_INDEX },
		{ "redact", no_argument, NULL, OPT_REDACT },
		{ "redact-key", required_argument, NULL, OPT_REDACT_KEY },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t v;
	int c;

	o->probes = (1u << EBT_NPROBES) - 1;
	o->ring_size = DEFAULT_RING_SIZE;
	o->flush_ns = TICK_NS;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+o:d:p:c:qvhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			o->output = optarg;
			break;
		case 'd':
			if (units__parse_duration(optarg, &o->duration_ns) || !o->duration_ns)
				return fail("-d takes a duration such as 500ms, 10s or 5m, not '%s'", optarg);
			break;
		case 'p':
			if (parse_pids(optarg, o))
				return -1;
			break;
		case 'c':
			if (!*optarg)
				return fail("-c takes a task name");
			o->comm = optarg;
			break;
		case OPT_PROBES:
			if (parse_probes(optarg, &o->probes))
				return -1;
			break;
		case OPT_PORT: {
			char *end;
			unsigned long port = strtoul(optarg, &end, 10);

			if (*end || end == optarg || port < 1 || port > 65535)
				return fail("--port takes a port number from 1 to 65535, not '%s'", optarg);
			o->port = (uint16_t)port;
			break;
		}
		case OPT_MIN_LAT:
			if (units__parse_duration(optarg, &o->min_latency_ns))
				return fail("--min-latency takes a duration such as 0, 100us or 1ms, not '%s'", optarg);
			o->min_latency_set = true;
			break;
		case OPT_RING:
			if (units__parse_size(optarg, &o->ring_size) || o->ring_size < 4096 ||
			    o->ring_size > (1ULL << 31))
				return fail("--ring-size takes a size from 4K to 2G such as 16M, not '%s'", optarg);
			break;
		case OPT_SEGMENT:
			if (units__parse_size(optarg, &o->segment_size) || o->segment_size < 65536)
				return fail("--segment-size takes a size of at least 64K such as 100M, not '%s'", optarg);
			break;
		case OPT_KEEP:
			if (units__parse_size(optarg, &v) || v < 1 || v > 1000000)
				return fail("--keep takes a number of segments, not '%s'", optarg);
			o->keep = (uint32_t)v;
			break;
		case OPT_FLUSH:
			if (units__parse_duration(optarg, &o->flush_ns) || o->flush_ns < 1000000 ||
			    o->flush_ns > 3600 * TICK_NS)
				return fail("--flush-interval takes a duration from 1ms to 1h, not '%s'", optarg);
			break;
		case OPT_STRATEGY:
			if (parse_strategies(optarg, o))
				return -1;
			break;
		case OPT_TUI:
			o->tui = true;
			break;
		case OPT_NO_INDEX:
			o->no_index = true;
			break;
		case OPT_REDACT:
			o->redact = true;
			break;
		case OPT_REDACT_KEY:
			o->redact_key = optarg;
			break;
		case 'q':
			o->quiet = true;
			break;
		case 'v':
			o->verbose = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case 'V':
			printf(RECORD_NAME " %s (trace format %d.%d)\n", VERSION, TRACE_FORMAT_MAJOR,
			       TRACE_FORMAT_MINOR);
			exit(0);
		default:
			if (optopt && optopt < 256)
				fail("unknown option '-%c' or missing value: see " RECORD_NAME " --help", optopt);
			else
				fail("unknown option '%s' or missing value: see " RECORD_NAME " --help",
				     argv[optind - 1]);
			return -1;
		}
	}
	if (!o->output)
		return fail("no output file: use -o FILE (see " RECORD_NAME " --help)");
	if (o->keep && !o->segment_size)
		return fail("--keep needs --segment-size: it keeps the newest N segments");
	if (o->redact_key && !o->redact)
		return fail("--redact-key goes with --redact: add --redact to record redacted");
	if (o->redact && o->tui)
		return fail("--redact and --tui do not combine (the dashboard would show what the "
			    "trace hides): record with --redact, then watch the trace with "
			    "ebpf-replay --tui");
	if (optind < argc)
		o->command = argv + optind;
	if (o->command && o->npids)
		return fail("-p and -- COMMAND exclude each other: the command is the process recorded");
	/* The ring's size must be a power of two. */
	v = 4096;
	while (v < o->ring_size)
		v <<= 1;
	o->ring_size = v;
	return 0;
}

/* Every metadata value goes through here: with --redact, redacted. */
static int set_meta(struct recorder *r, const char *key, const char *value)
{
	if (r->redacted)
		return redact_sink__set_meta(r->redacted, key, value);
	return trace_writer__set_meta(r->w, key, value);
}

static void set_meta_u64(struct recorder *r, const char *key, uint64_t v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)v);
	set_meta(r, key, buf);
}

static void write_start_meta(struct recorder *r, int argc, char **argv)
{
	char buf[1024], key[64];
	size_t len = 0;

	for (int i = 0; i < EBT_NPROBES; i++)
		if (r->o.probes & (1u << i))
			len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s", len ? "," : "",
						probe__name(i));
	set_meta(r, "probes", buf);
	for (int i = 0; i < EBT_NPROBES; i++) {
		const char *s = record_session__strategy(r->session, i);

		if (!s)
			continue;
		snprintf(key, sizeof(key), "probe.%s", probe__name(i));
		set_meta(r, key, s);
	}
	if (r->o.npids || r->o.command) {
		len = 0;
		if (r->o.command)
			snprintf(buf, sizeof(buf), "%d", (int)child__pid(r->child));
		else
			for (int i = 0; i < r->o.npids && len < sizeof(buf); i++)
				len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%u",
							len ? "," : "", r->o.pids[i]);
		set_meta(r, "filter.pid", buf);
	}
	if (r->o.comm)
		set_meta(r, "filter.comm", record_session__comm(r->session));
	if (r->o.min_latency_set)
		set_meta_u64(r, "filter.min_latency_ns", r->o.min_latency_ns);
	if (r->o.port)
		set_meta_u64(r, "filter.port", r->o.port);
	set_meta_u64(r, "record.ring_size", r->o.ring_size);
	if (r->o.command) {
		len = 0;
		for (char **a = r->o.command; *a && len < sizeof(buf); a++)
			len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s", len ? " " : "", *a);
		set_meta(r, "record.command", buf);
	}
	len = 0;
	for (int i = 0; i < argc && len < sizeof(buf); i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s", i ? " " : "", argv[i]);
	set_meta(r, "record.cmdline", buf);
	set_meta(r, "record.version", VERSION);
}

/* --redact: the key (the file's, or a random one used once) and the
 * redactor. uid, gid: the owner of a key file made here (the trace's). */
static int redact_open(struct recorder *r, int64_t uid, int64_t gid)
{
	const char *path = r->o.redact_key;
	uint8_t key[REDACT_KEY_SIZE];
	bool created = false;
	int err;

	err = path ? redact_key__load(path, key, &created) : redact_key__random(key);
	if (err == -EINVAL)
		return fail("%s holds no redaction key: a key is 32 hex digits (e.g. from 'head -c16 "
			    "/dev/urandom | xxd -p'), or name a file that does not exist yet to have "
			    "one made", path);
	if (err)
		return fail("cannot %s the redaction key%s%s: %s", path ? "read" : "make",
			    path ? " " : "", path ? path : "", strerror(-err));
	if (created) {
		if (uid >= 0 && lchown(path, (uid_t)uid, (gid_t)gid))
			fprintf(stderr, RECORD_NAME ": warning: cannot give the new key %s to uid %lld: "
				"%s\n", path, (long long)uid, strerror(errno));
		if (!r->o.quiet)
			fprintf(stderr, RECORD_NAME ": made a new redaction key in %s: record or redact "
				"other traces with it to get the same hashes; never attach it\n", path);
	}
	r->redactor = redactor__new(key);
	explicit_bzero(key, sizeof(key));
	if (!r->redactor)
		return fail("out of memory");
	return 0;
}

/* The writer's own host metadata (FORMAT.md), replaced by its redacted
 * value before anything is written, and the key's id. */
static int redact_host_meta(struct recorder *r)
{
	struct utsname u;
	char id[64] = "";
	FILE *f;
	int err = 0;

	if (uname(&u) == 0)
		err = set_meta(r, "host.hostname", u.nodename);
	f = fopen("/proc/sys/kernel/random/boot_id", "re");
	if (f) {
		if (fgets(id, sizeof(id), f))
			id[strcspn(id, "\n")] = 0;
		fclose(f);
		if (!err)
			err = set_meta(r, "host.boot_id", id);
	}
	if (!err)
		err = set_meta(r, "redact.key_id", redactor__key_id(r->redactor));
	return err;
}

/* With --redact the session has no writer: its calibrations go here. */
static int write_calibration(struct recorder *r)
{
	struct trace_calibration cal;

	if (!r->redacted)
		return 0;
	record_session__calibration(r->session, &cal);
	return trace_writer__calibrate(r->w, &cal);
}

/* What every new segment begins with after the format's own header. */
static int on_segment(struct trace_writer *w, uint32_t segment, void *ctx)
{
	struct recorder *r = ctx;
	int err;

	(void)w;
	(void)segment;
	err = record_session__segment_start(r->session);
	return err ? err : write_calibration(r);
}

static bool stop_is_clean(int err)
{
	return err == -ENOSPC || err == -EFBIG || err == -EDQUOT;
}

static void report_write_error(const struct recorder *r, int err)
{
	const char *path = r->w ? trace_writer__path(r->w) : NULL;

	if (err == -ENOSPC || err == -EDQUOT)
		fail("stopped: the disk is full writing %s (%s); the trace is readable up to its last flush",
		     path ? path : r->o.output, trace_strerror(err));
	else if (err == -EFBIG)
		fail("stopped: %s reached the file size limit (%s); the trace is readable up to its last flush",
		     path ? path : r->o.output, trace_strerror(err));
	else if (err == -ENOENT)
		fail("cannot write %s: %s: its directory was removed while recording",
		     path ? path : r->o.output, strerror(ENOENT));
	else
		fail("cannot write %s: %s", path ? path : r->o.output, trace_strerror(err));
}

/* Writes to a file no longer in any directory all succeed: only a look at
 * the path tells that the trace is gone. */
static bool trace_gone(const struct recorder *r)
{
	const char *path = trace_writer__path(r->w);

	if (!path || access(path, F_OK) == 0 || errno != ENOENT)
		return false;
	fail("%s was deleted while recording (the file or its directory was removed): the trace "
	     "is lost", path);
	return true;
}

static void setup_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal; /* no SA_RESTART: the wait returns at once */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = on_sigchld;
	sa.sa_flags = SA_NOCLDSTOP;
	sigaction(SIGCHLD, &sa, NULL);
	/* A file-size limit and a closed pipe are errors of write(2), handled. */
	signal(SIGXFSZ, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
}

static uint64_t cpu_ns(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (uint64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000ULL +
	       (uint64_t)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000ULL;
}

static void summary(struct recorder *r, uint64_t elapsed_ns)
{
	uint64_t cpu = r->cpu_stop_ns - r->cpu_start_ns;
	uint64_t events = record_session__recorded(r->session), total_lost = 0;
	struct trace_writer_stats st;
	struct record_counts c;
	char disk[32];
	double secs = (double)elapsed_ns / 1e9;

	trace_writer__stats(r->w, &st);
	for (int i = 0; i < EBT_NPROBES; i++)
		if (record_session__attached(r->session, i) &&
		    !record_session__counts(r->session, i, &c))
			total_lost += c.lost;
	fprintf(stderr, RECORD_NAME ": %llu events in %.1f s (%.0f/s), %llu lost, %s on disk (%.1fx), %s%s\n",
		(unsigned long long)events, secs, secs > 0 ? (double)events / secs : 0.0,
		(unsigned long long)total_lost, units__format_size(st.bytes_written, disk, sizeof(disk)),
		st.bytes_written ? (double)st.bytes_raw / (double)st.bytes_written : 0.0,
		r->o.output, r->o.segment_size ? ".NNNN" : "");
	for (int i = 0; i < EBT_NPROBES; i++) {
		if (!record_session__attached(r->session, i) ||
		    record_session__counts(r->session, i, &c))
			continue;
		fprintf(stderr, "  %-9s %llu seen, %llu recorded, %llu lost\n", probe__name(i),
			(unsigned long long)c.seen, (unsigned long long)c.recorded,
			(unsigned long long)c.lost);
	}
	fprintf(stderr, "  recorder CPU while recording: %.3f s (%.0f ns per event)\n", (double)cpu / 1e9,
		events ? (double)cpu / (double)events : 0.0);
}

/* seen = recorded + lost for every probe, into the closing metadata. */
static void write_closing_meta(struct recorder *r)
{
	struct record_counts c;
	char key[64];

	for (int i = 0; i < EBT_NPROBES; i++) {
		if (!record_session__attached(r->session, i) ||
		    record_session__counts(r->session, i, &c))
			continue;
		snprintf(key, sizeof(key), "probe.%s.seen", probe__name(i));
		set_meta_u64(r, key, c.seen);
		snprintf(key, sizeof(key), "probe.%s.recorded", probe__name(i));
		set_meta_u64(r, key, c.recorded);
		snprintf(key, sizeof(key), "probe.%s.lost", probe__name(i));
		set_meta_u64(r, key, c.lost);
		if (c.seen != c.recorded + c.lost)
			fail("probe %s: %llu events seen but %llu recorded and %llu lost", probe__name(i),
			     (unsigned long long)c.seen, (unsigned long long)c.recorded,
			     (unsigned long long)c.lost);
	}
}

static int exit_code_of(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 1;
}

int main(int argc, char **argv)
{
	struct recorder r = { 0 };
	struct progress_sample prev = { 0 }, cur = { 0 };
	struct trace_writer_stats st;
	uint64_t start = clock__mono_ns(), now, next_tick, stopped_at = 0;
	int err = 0, rc = 1, status = 0, attached;
	bool child_done = false, progress, stopped_clean = false, write_failed = false, gone = false;
	const char *why = NULL;
	char msg[ERRLEN];

	if (parse_args(argc, argv, &r.o))
		return 2;
	if (record_session__preflight(RECORD_NAME, r.o.quiet, msg, sizeof(msg)))
		return fail("%s", msg), 1;
	setup_signals();
	progress = !r.o.quiet && !r.o.tui && isatty(STDERR_FILENO);

	if (r.o.command) {
		r.child = child__start(r.o.command, msg, sizeof(msg));
		if (!r.child)
			return fail("%s", msg), 1;
	}

	uint32_t cmd_pid = r.child ? (uint32_t)child__pid(r.child) : 0;
	struct record_session_opts so = {
		.sz = sizeof(so),
		.probes = r.o.probes,
		.ring_size = r.o.ring_size,
		.pids = r.child ? &cmd_pid : r.o.pids,
		.npids = r.child ? 1 : (size_t)r.o.npids,
		/* the dashboard's pid filter follows children too */
		.follow = r.o.tui,
		.comm = r.o.comm,
		.port = r.o.port,
		.syscall_events = r.o.min_latency_set,
		.min_latency_ns = r.o.min_latency_ns,
		.quiet = r.o.quiet,
		.verbose = r.o.verbose,
	};
	memcpy(so.force, r.o.force, sizeof(so.force));
	r.session = record_session__open(&so, msg, sizeof(msg));
	if (!r.session) {
		fail("%s", msg);
		goto cleanup;
	}

	struct trace_writer_opts wo = {
		.sz = sizeof(wo),
		.segment_size = r.o.segment_size,
		.keep_segments = r.o.keep,
		.flush_interval_ms = (uint32_t)(r.o.flush_ns / 1000000),
		.mode = 0600,
		.uid = -1,
		.gid = -1,
		.on_segment = on_segment,
		.ctx = &r,
	};
	if (geteuid() == 0 && getenv("SUDO_UID") && getenv("SUDO_GID")) {
		wo.uid = strtol(getenv("SUDO_UID"), NULL, 10);
		wo.gid = strtol(getenv("SUDO_GID"), NULL, 10);
	}
	if (r.o.redact && redact_open(&r, wo.uid, wo.gid))
		goto cleanup;
	r.w = trace_writer__open(r.o.output, &wo);
	if (!r.w) {
		err = -errno;
		if (err == -ENOENT)
			fail("cannot write %s: %s: create its directory first", r.o.output,
			     strerror(ENOENT));
		else
			fail("cannot write %s: %s", r.o.output, trace_strerror(err));
		goto cleanup;
	}
	if (r.redactor) {
		r.redacted = redact_sink__new(r.w, r.redactor);
		err = r.redacted ? redact_host_meta(&r) : -errno;
		if (err) {
			fail("cannot set up redaction: %s", trace_strerror(err));
			goto cleanup;
		}
	}

	attached = record_session__attach(r.session, msg, sizeof(msg));
	if (attached < 0) {
		fail("%s", msg);
		goto cleanup;
	}
	if (attached == 0) {
		fail("no probe could be attached (reasons above): nothing to record");
		goto cleanup;
	}
	write_start_meta(&r, argc, argv);
	err = r.redacted ? record_session__set_consumer(r.session, redact_sink__record, r.redacted)
			 : record_session__set_writer(r.session, r.w);
	if (err) {
		fail("cannot register record types: %s", trace_strerror(err));
		goto cleanup;
	}
	if (r.o.tui) {
		struct tui_opts to = { .output = r.o.output, .w = r.w, .session = r.session,
				       .pids = r.child ? &cmd_pid : r.o.pids,
				       .npids = r.child ? 1 : r.o.npids, .comm = r.o.comm };

		r.tui = tui__open(&to, msg, sizeof(msg));
		if (!r.tui) {
			fail("%s", msg);
			goto cleanup;
		}
	}
	start = clock__mono_ns();
	r.cpu_start_ns = cpu_ns();
	msg[0] = 0;
	err = record_session__start(r.session, msg, sizeof(msg));
	if (err && msg[0]) {
		fail("%s", msg);
		goto cleanup;
	}
	if (!err)
		err = write_calibration(&r);
	if (err)
		goto write_error;
	if (r.child && child__go(r.child, msg, sizeof(msg))) {
		fail("%s", msg);
		rc = 127;
		goto cleanup;
	}
	if (!r.o.quiet && !r.tui)
		fprintf(stderr, RECORD_NAME ": recording to %s%s%s%s\n", r.o.output,
			r.redactor ? ", redacted with key id " : "",
			r.redactor ? redactor__key_id(r.redactor) : "",
			r.o.command ? "" : "; Ctrl-C to stop");

	next_tick = start + TICK_NS;
	for (;;) {
		int n = record_session__poll(r.session, DRAIN_INTERVAL_MS);

		if (n < 0) {
			err = n;
			goto write_error;
		}
		err = trace_writer__poll(r.w);
		if (err)
			goto write_error;
		now = clock__mono_ns();
		if (r.tui && (err = tui__tick(r.tui))) {
			why = err > 0 ? "quit from the dashboard" : "the dashboard failed";
			break;
		}
		if (stop_signal) {
			why = strsignal(stop_signal);
			break;
		}
		if (r.child && child__exited(r.child, &status)) {
			child_done = true;
			why = "the command exited";
			break;
		}
		if (r.o.duration_ns && now - start >= r.o.duration_ns) {
			why = "duration reached";
			break;
		}
		if (now >= next_tick) {
			next_tick += TICK_NS;
			if (next_tick <= now)
				next_tick = now + TICK_NS;
			err = record_session__tick(r.session);
			if (!err)
				err = write_calibration(&r);
			if (err)
				goto write_error;
			if (progress) {
				trace_writer__stats(r.w, &st);
				cur = (struct progress_sample){ now - start,
								record_session__recorded(r.session),
								record_session__lost(r.session),
								st.bytes_raw, st.bytes_written };
				progress__line(&cur, &prev);
				prev = cur;
			}
		}
	}

	stopped_at = clock__mono_ns();
	tui__close(r.tui);
	r.tui = NULL;
	/* Stop: no new events, then every submitted one drained. */
	err = record_session__stop(r.session);
	if (!err)
		err = write_calibration(&r);
	if (err)
		goto write_error;
	r.cpu_stop_ns = cpu_ns();
	if (progress)
		progress__clear_line();
	write_closing_meta(&r);
	stopped_clean = true;
	goto finish;

write_error:
	stopped_at = clock__mono_ns();
	tui__close(r.tui);
	r.tui = NULL;
	r.cpu_stop_ns = cpu_ns();
	record_session__stop(r.session);
	if (progress)
		progress__clear_line();
	report_write_error(&r, err);
	write_failed = true;
	stopped_clean = stop_is_clean(err);
	why = NULL;

finish:
	if (r.child && !child_done) {
		/* Stopped by a signal: the command goes too. Otherwise (the disk
		 * filled, the duration passed) it runs on, unrecorded, and its
		 * status is still ours. */
		if (stop_signal)
			child__stop(r.child, &status);
		else
			while (waitpid(child__pid(r.child), &status, 0) < 0 && errno == EINTR)
				;
		child_done = true;
	}
	if (r.child && stopped_clean) {
		char buf[16];

		snprintf(buf, sizeof(buf), "%d", status);
		set_meta(&r, "record.exit_status", buf);
	}
	if (!r.o.quiet && why)
		fprintf(stderr, RECORD_NAME ": stopped: %s\n", why);
	if (!r.o.quiet && stopped_clean)
		summary(&r, stopped_at - start);
	gone = !write_failed && trace_gone(&r);
	err = trace_writer__close(r.w);
	r.w = NULL;
	/* A write error already reported stays sticky: close returns it again. */
	if (err && !write_failed) {
		report_write_error(&r, err);
		if (!stop_is_clean(err))
			stopped_clean = false;
	}
	if (gone)
		stopped_clean = false;
	rc = stopped_clean ? 0 : 1;
	if (r.child && stopped_clean)
		rc = exit_code_of(status);
	/* What was written is a trace, whatever happened: it goes into the
	 * index, and a failure to index it is only a warning. */
	if (!r.o.no_index && !gone)
		record_index__add(r.o.output, r.o.quiet);

cleanup:
	tui__close(r.tui);
	if (r.child && !child_done)
		child__stop(r.child, &status);
	trace_writer__close(r.w);
	record_session__close(r.session);
	redact_sink__free(r.redacted);
	redactor__free(r.redactor);
	child__free(r.child);
	return rc;
}
