// SPDX-License-Identifier: MIT
/* ebpf-replay: rebuilds the analyses from one or more trace files, as text,
 * NDJSON, CSV, a Perfetto trace or an HTML report; and checks, describes
 * and recovers trace files. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "replay/dash/dash.h"
#include "replay/map.h"
#include "replay/out.h"

#define VERSION "0.1.0"

static const char usage[] =
	"Usage: ebpf-replay [OPTIONS] TRACE...\n"
	"Replays ebpf-record traces: one file, the segments of one recording, or\n"
	"several recordings merged in time order.\n"
	"\n"
	"What to show (default: the summary and every analysis):\n"
	"  --events            one line per event, in time order, with wall-clock times\n"
	"                      (the process snapshot and syscall table only with --all)\n"
	"  --summary           host, kernel, time range, events per type, lost, probes\n"
	"  --hist              syscall latency histograms (log2)\n"
	"  --opens             file opens: top paths, slowest, failures by errno\n"
	"  --tcp               TCP connections (tcplife style), open and never established\n"
	"  --udp               UDP flows\n"
	"  --procs             the process table\n"
	"  --lost              lost events by probe\n"
	"  --rates             event rates over time\n"
	"Filters:\n"
	"  -p, --pid PID       only events of this process\n"
	"  -c, --comm COMM     only events of this command name\n"
	"  --since T, --until T  a time range: relative to the trace start (2s, 150ms,\n"
	"                      1m) or absolute (HH:MM:SS[.frac] on the trace's first\n"
	"                      day, 'YYYY-MM-DD HH:MM:SS', ISO 8601, or @EPOCH)\n"
	"Output:\n"
	"  --json              NDJSON, one object per row (replay/OUTPUT.md)\n"
	"  --csv               CSV, one table per analysis\n"
	"  --utc               times in UTC instead of local time\n"
	"  --top N             rows per table (default 20)\n"
	"  --per-process       syscall histograms per process\n"
	"  --export perfetto FILE  Chrome Trace Event JSON for ui.perfetto.dev\n"
	"  --html FILE         a self-contained HTML report\n"
	"  --tui               the dashboard: plays the trace back as if live, with a\n"
	"                      timeline to seek in (h in it lists the keys)\n"
	"Trace files:\n"
	"  --info              metadata, schemas, per-file and per-chunk statistics\n"
	"  --verify            check every checksum, decode every event; exit 0\n"
	"                      intact, 2 damaged\n"
	"  --recover -o OUT    write a clean, indexed copy of everything intact\n"
	"  --redact -o OUT     write a copy for a bug report: paths, command lines,\n"
	"                      addresses and the hostname become keyed hashes; counts,\n"
	"                      times, ports and sizes stay (replay/redact.h)\n"
	"  --redact-key FILE   the key (32 hex digits; created when missing): one key\n"
	"                      gives the same hashes in every trace (default: a new one)\n"
	"  -h, --help, --version\n";

enum {
	OPT_EVENTS = 256, OPT_SUMMARY, OPT_HIST, OPT_OPENS, OPT_TCP, OPT_UDP, OPT_PROCS, OPT_LOST,
	OPT_RATES, OPT_SINCE, OPT_UNTIL, OPT_JSON, OPT_CSV, OPT_UTC, OPT_TOP, OPT_PER_PROCESS,
	OPT_EXPORT, OPT_HTML, OPT_INFO, OPT_VERIFY, OPT_RECOVER, OPT_VERSION, OPT_ALL, OPT_TUI,
	OPT_REDACT, OPT_REDACT_KEY,
};

static const struct option long_opts[] = {
	{ "events", no_argument, NULL, OPT_EVENTS },
	{ "all", no_argument, NULL, OPT_ALL },
	{ "summary", no_argument, NULL, OPT_SUMMARY },
	{ "hist", no_argument, NULL, OPT_HIST },
	{ "opens", no_argument, NULL, OPT_OPENS },
	{ "tcp", no_argument, NULL, OPT_TCP },
	{ "udp", no_argument, NULL, OPT_UDP },
	{ "procs", no_argument, NULL, OPT_PROCS },
	{ "lost", no_argument, NULL, OPT_LOST },
	{ "rates", no_argument, NULL, OPT_RATES },
	{ "pid", required_argument, NULL, 'p' },
	{ "comm", required_argument, NULL, 'c' },
	{ "since", required_argument, NULL, OPT_SINCE },
	{ "until", required_argument, NULL, OPT_UNTIL },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "csv", no_argument, NULL, OPT_CSV },
	{ "utc", no_argument, NULL, OPT_UTC },
	{ "top", required_argument, NULL, OPT_TOP },
	{ "per-process", no_argument, NULL, OPT_PER_PROCESS },
	{ "export", required_argument, NULL, OPT_EXPORT },
	{ "html", required_argument, NULL, OPT_HTML },
	{ "tui", no_argument, NULL, OPT_TUI },
	{ "info", no_argument, NULL, OPT_INFO },
	{ "verify", no_argument, NULL, OPT_VERIFY },
	{ "recover", no_argument, NULL, OPT_RECOVER },
	{ "redact", no_argument, NULL, OPT_REDACT },
	{ "redact-key", required_argument, NULL, OPT_REDACT_KEY },
	{ "output", required_argument, NULL, 'o' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

static void on_damage(const struct trace_damage *d, void *ctx)
{
	struct replay_ctx *c = ctx;

	c->damage_count++;
	c->damage_bytes += d->length;
	fprintf(stderr, "ebpf-replay: %s: damaged at offset %" PRIu64 ", %" PRIu64
		" bytes skipped: %s (%s)\n", d->path ? d->path : "?", d->offset, d->length,
		d->what ? d->what : "damaged block", trace_strerror(d->err));
}

int64_t ctx_realtime(struct replay_ctx *c, uint16_t file, uint64_t boot_ns)
{
	int64_t real = 0;

	if (trace_reader__realtime(c->r, file, boot_ns, &real))
		return 0;
	return real;
}

/* "2s", "150ms", "1.5m", "3h", "250us", "10ns"; no unit: seconds. */
static int parse_duration(const char *s, uint64_t *ns)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (end == s || errno || v < 0)
		return -EINVAL;
	double mul = 1e9;
	if (!*end || !strcmp(end, "s"))
		mul = 1e9;
	else if (!strcmp(end, "ms"))
		mul = 1e6;
	else if (!strcmp(end, "us"))
		mul = 1e3;
	else if (!strcmp(end, "ns"))
		mul = 1;
	else if (!strcmp(end, "m") || !strcmp(end, "min"))
		mul = 60e9;
	else if (!strcmp(end, "h"))
		mul = 3600e9;
	else
		return -EINVAL;
	if (v * mul > 1.8e19)
		return -ERANGE;
	*ns = (uint64_t)(v * mul + 0.5);
	return 0;
}

/* Absolute wall-clock time to ns since the epoch. day_ns: midnight of the
 * trace's first day, for times given without a date. */
static int parse_abs(const char *s, bool utc, int64_t first_real, int64_t *out)
{
	struct tm tm = { 0 };
	const char *rest;
	double frac = 0;

	if (s[0] == '@') {
		char *end;
		double v = strtod(s + 1, &end);
		if (end == s + 1 || *end)
			return -EINVAL;
		*out = (int64_t)(v * 1e9);
		return 0;
	}
	if ((rest = strptime(s, "%Y-%m-%d %H:%M:%S", &tm)) ||
	    (rest = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm))) {
		/* a full date */
	} else if ((rest = strptime(s, "%H:%M:%S", &tm))) {
		time_t first = (time_t)(first_real / 1000000000);
		struct tm day;
		if (utc)
			gmtime_r(&first, &day);
		else
			localtime_r(&first, &day);
		tm.tm_year = day.tm_year;
		tm.tm_mon = day.tm_mon;
		tm.tm_mday = day.tm_mday;
	} else {
		return -EINVAL;
	}
	bool z = false;
	if (*rest == '.') {
		char *end;
		frac = strtod(rest, &end);
		rest = end;
	}
	if (*rest == 'Z') {
		z = true;
		rest++;
	}
	if (*rest)
		return -EINVAL;
	tm.tm_isdst = -1;
	time_t t = (utc || z) ? timegm(&tm) : mktime(&tm);
	if (t == (time_t)-1)
		return -EINVAL;
	*out = (int64_t)t * 1000000000 + (int64_t)(frac * 1e9);
	return 0;
}

static int trace_start(struct replay_ctx *c, uint64_t *first)
{
	struct trace_reader_stats st;
	struct trace_event ev;

	trace_reader__stats(c->r, &st);
	if (st.first_ts) {
		*first = st.first_ts;
		return 0;
	}
	int err = trace_reader__next(c->r, &ev);
	if (err == -ENOENT) {
		*first = 0;
		return 0;
	}
	if (err)
		return err;
	*first = ev.ts;
	return trace_reader__rewind(c->r);
}

/* Resolves --since/--until to a boottime range of file 0's clock. */
static int resolve_range(struct replay_ctx *c)
{
	uint64_t first;
	int err = trace_start(c, &first);

	if (err)
		return err;
	c->from_ns = 0;
	c->to_ns = UINT64_MAX;
	int64_t first_real = ctx_realtime(c, 0, first);
	const char *args[2] = { c->since_arg, c->until_arg };
	uint64_t *dst[2] = { &c->from_ns, &c->to_ns };
	for (int i = 0; i < 2; i++) {
		const char *a = args[i];
		uint64_t rel;
		int64_t real;
		if (!a)
			continue;
		if (parse_duration(a[0] == '+' ? a + 1 : a, &rel) == 0) {
			*dst[i] = first + rel;
		} else if (parse_abs(a, c->utc, first_real, &real) == 0) {
			if (!first_real) {
				fprintf(stderr, "ebpf-replay: '%s': the trace has no clock calibration, "
					"so only times relative to its start work (e.g. 2s)\n", a);
				return -EINVAL;
			}
			/* by the calibrations, across clock steps; before the boot: 0 */
			if (trace_reader__boottime(c->r, 0, real, dst[i]) == -ERANGE)
				*dst[i] = 0;
		} else {
			fprintf(stderr, "ebpf-replay: cannot read the time '%s': use a duration from "
				"the trace start (2s, 150ms) or a time (12:30:05, '2024-05-01 12:30:05')\n", a);
			return -EINVAL;
		}
	}
	if (c->from_ns > c->to_ns) {
		fprintf(stderr, "ebpf-replay: --since is after --until: nothing to show\n");
		return -EINVAL;
	}
	return trace_reader__set_range(c->r, c->from_ns, c->to_ns);
}

static void stream_tcp(const struct tcp_conn *conn, void *ctx)
{
	struct replay_ctx *c = ctx;

	if (c->fmt == FMT_JSON)
		json_tcp_conn(c, conn, "closed");
	else if (c->fmt == FMT_CSV)
		csv_tcp_conn(c, conn, "closed");
	else
		text_tcp_conn(c, conn);
}

static int make_analyses(struct replay_ctx *c)
{
	struct hist_analysis_opts ho = { .sz = sizeof(ho), .per_process = c->per_process,
					 .interval = c->from_ns > 0 };
	struct opens_analysis_opts oo = { .sz = sizeof(oo) };
	struct tcp_analysis_opts to = { .sz = sizeof(to) };
	struct udp_analysis_opts uo = { .sz = sizeof(uo) };
	struct timeline_opts tl = { .sz = sizeof(tl) };

	/* --tcp alone streams each connection as it closes: memory stays
	 * bounded by the connections open at once. */
	if (c->show == SHOW_TCP && !c->events) {
		to.on_close = stream_tcp;
		to.ctx = c;
		to.keep_closed = 1;
		c->tcp_streamed = true;
	}
	c->names = syscall_names__new();
	c->hist = hist_analysis__new(&ho);
	c->opens = opens_analysis__new(&oo);
	c->tcp = tcp_analysis__new(&to);
	c->udp = udp_analysis__new(&uo);
	c->procs = procs_analysis__new();
	c->timeline = timeline__new(&tl);
	c->lost = lost_analysis__new();
	if (!c->names || !c->hist || !c->opens || !c->tcp || !c->udp || !c->procs || !c->timeline ||
	    !c->lost)
		return -ENOMEM;
	/* Segments of one recording (PATH.0000, PATH.0001, ...) continue each
	 * other's kernel histograms; separate recordings do not. */
	size_t n = trace_reader__nfiles(c->r);
	for (size_t i = 0; i < n && i < 65536; i++) {
		const char *p = trace_reader__file_path(c->r, (uint16_t)i);
		size_t len = p ? strlen(p) : 0;
		if (len > 5 && p[len - 5] == '.' && strspn(p + len - 4, "0123456789") == 4)
			len -= 5;
		hist_analysis__set_group(c->hist, (uint16_t)i,
					 (uint32_t)replay_hash_bytes(p ? p : "", len, 0));
	}
	return 0;
}

static void free_analyses(struct replay_ctx *c)
{
	syscall_names__free(c->names);
	hist_analysis__free(c->hist);
	opens_analysis__free(c->opens);
	tcp_analysis__free(c->tcp);
	udp_analysis__free(c->udp);
	procs_analysis__free(c->procs);
	timeline__free(c->timeline);
	lost_analysis__free(c->lost);
	replay_filter__free(c->filter);
}

static int feed(struct replay_ctx *c, const struct trace_event *ev)
{
	int err = 0;

	if (ev->type >= TRACE_TYPE_FIRST_USER)
		err = syscall_names__feed(c->names, ev);
	if (!err)
		err = timeline__feed(c->timeline, ev);
	if (!err)
		err = lost_analysis__feed(c->lost, ev);
	if (!err)
		err = procs_analysis__feed(c->procs, ev);
	if (!err)
		err = hist_analysis__feed(c->hist, ev);
	if (!err)
		err = opens_analysis__feed(c->opens, ev);
	if (!err)
		err = tcp_analysis__feed(c->tcp, ev);
	if (!err)
		err = udp_analysis__feed(c->udp, ev);
	return err;
}

/* The /proc snapshot and the syscall table: records about the recording,
 * not events; --events shows them with --all. */
static bool is_bookkeeping(const struct trace_event *ev)
{
	static const struct trace_schema *last;
	static bool last_is;

	if (ev->type == TRACE_TYPE_PROCESS)
		return true;
	if (ev->schema != last) {
		last = ev->schema;
		last_is = !strcmp(trace_schema__name(ev->schema), "syscall_name");
	}
	return last_is;
}

static int run(struct replay_ctx *c, const char *perfetto, const char *html)
{
	struct trace_event ev;
	int err;

	if (perfetto) {
		err = perfetto_export(c, perfetto);
		if (err)
			return err;
		if (!html)
			return 0;
		if ((err = trace_reader__rewind(c->r)))
			return err;
		c->damage_count = c->damage_bytes = 0;
	}
	if (c->events) {
		if (c->fmt == FMT_TEXT)
			text_events_header(c);
		else if (c->fmt == FMT_CSV)
			csv_events_header(c);
	} else if (c->tcp_streamed && !html) {
		if (c->fmt == FMT_TEXT)
			text_tcp_header(c);
		else if (c->fmt == FMT_CSV)
			csv_tcp_header(c);
	}
	while ((err = trace_reader__next(c->r, &ev)) == 0) {
		if (!replay_filter__match(c->filter, &ev))
			continue;
		c->events_seen++;
		if (c->events) {
			/* Names first: a syscall event needs the table. */
			if (ev.type >= TRACE_TYPE_FIRST_USER && syscall_names__feed(c->names, &ev))
				return -ENOMEM;
			if (!c->all_types && !html && is_bookkeeping(&ev))
				continue;
			if (c->fmt == FMT_JSON)
				json_event(c, &ev);
			else if (c->fmt == FMT_CSV)
				csv_event(c, &ev);
			else
				text_event(c, &ev);
			if (!html)
				continue;
		}
		if ((err = feed(c, &ev)))
			return err;
	}
	line_sink_flush(c->out);
	if (err != -ENOENT)
		return err;
	tcp_analysis__finish(c->tcp);
	if (html)
		return html_report(c, html);
	if (c->events)
		return 0;
	if (c->fmt == FMT_JSON)
		json_report(c);
	else if (c->fmt == FMT_CSV)
		csv_report(c);
	else
		text_report(c);
	return 0;
}

/* --tui: the dashboard plays the trace; it shows everything at once, so
 * the output options do not go with it. */
static int run_tui(const struct replay_ctx *c, char **paths, size_t n, int64_t pid,
		   const char *comm, bool other_output)
{
	struct dash_replay_opts o = { .sz = sizeof(o), .pid = pid, .comm = comm };
	int err;

	if (other_output) {
		fprintf(stderr, "ebpf-replay: --tui shows the dashboard: it does not combine with other "
			"outputs (--json, --csv, --events, --html, --export, --info, ...)\n");
		return 1;
	}
	if (c->since_arg || c->until_arg) {
		fprintf(stderr, "ebpf-replay: --tui plays the whole trace: seek in it with the arrow "
			"keys, g and G instead of --since/--until\n");
		return 1;
	}
	if (comm && strlen(comm) > 15) {
		fprintf(stderr, "ebpf-replay: -c '%s': a comm is at most 15 characters\n", comm);
		return 1;
	}
	err = dash__replay((const char *const *)paths, n, &o);
	if (err == -ENOTTY) {
		fprintf(stderr, "ebpf-replay: --tui needs a terminal on stdin and stdout "
			"(without one, drop --tui for the text report)\n");
		return 1;
	}
	if (err == -EXDEV) {
		fprintf(stderr, "ebpf-replay: --tui plays recordings of one boot on one timeline: these "
			"files come from different boots; play them one at a time\n");
		return 1;
	}
	if (err == -ENXIO) {
		fprintf(stderr, "ebpf-replay: --tui: the terminal type '%s' is unknown here "
			"(set TERM to one terminfo knows, e.g. xterm-256color)\n",
			getenv("TERM") ? getenv("TERM") : "");
		return 1;
	}
	if (err) {
		fprintf(stderr, "ebpf-replay: %s%s: %s\n", paths[0], n > 1 ? ", ..." : "",
			trace_strerror(err));
		return 1;
	}
	if (o.damaged_blocks)
		fprintf(stderr, "ebpf-replay: the trace is damaged: %" PRIu64 " block(s), %" PRIu64
			" bytes skipped; everything else was replayed (see --verify, --recover)\n",
			o.damaged_blocks, o.damaged_bytes);
	return 0;
}

int main(int argc, char **argv)
{
	struct replay_ctx c = { .out = stdout, .fmt = FMT_TEXT, .top = 20, .to_ns = UINT64_MAX };
	const char *perfetto = NULL, *html = NULL, *out_path = NULL, *comm = NULL, *key_path = NULL;
	bool info = false, verify = false, recover = false, tui = false, redact = false;
	int64_t pid = -1;
	int opt, err, rc = 1;

	while ((opt = getopt_long(argc, argv, "p:c:o:h", long_opts, NULL)) != -1) {
		switch (opt) {
		case OPT_EVENTS: c.events = true; break;
		case OPT_ALL: c.all_types = true; break;
		case OPT_SUMMARY: c.show |= SHOW_SUMMARY; break;
		case OPT_HIST: c.show |= SHOW_HIST; break;
		case OPT_OPENS: c.show |= SHOW_OPENS; break;
		case OPT_TCP: c.show |= SHOW_TCP; break;
		case OPT_UDP: c.show |= SHOW_UDP; break;
		case OPT_PROCS: c.show |= SHOW_PROCS; break;
		case OPT_LOST: c.show |= SHOW_LOST; break;
		case OPT_RATES: c.show |= SHOW_RATES; break;
		case 'p': {
			char *end;
			errno = 0;
			long long v = strtoll(optarg, &end, 10);
			if (*end || errno || v < 0 || v > UINT32_MAX) {
				fprintf(stderr, "ebpf-replay: -p wants a process id, not '%s'\n", optarg);
				return 1;
			}
			pid = v;
			break;
		}
		case 'c': comm = optarg; break;
		case OPT_SINCE: c.since_arg = optarg; break;
		case OPT_UNTIL: c.until_arg = optarg; break;
		case OPT_JSON: c.fmt = FMT_JSON; break;
		case OPT_CSV: c.fmt = FMT_CSV; break;
		case OPT_UTC: c.utc = true; break;
		case OPT_TOP: {
			char *end;
			long v = strtol(optarg, &end, 10);
			if (*end || v <= 0 || v > 1000000) {
				fprintf(stderr, "ebpf-replay: --top wants a positive number, not '%s'\n", optarg);
				return 1;
			}
			c.top = (size_t)v;
			break;
		}
		case OPT_PER_PROCESS: c.per_process = true; break;
		case OPT_EXPORT:
			if (strcmp(optarg, "perfetto") != 0) {
				fprintf(stderr, "ebpf-replay: --export knows 'perfetto' only, not '%s'\n", optarg);
				return 1;
			}
			if (optind >= argc) {
				fprintf(stderr, "ebpf-replay: --export perfetto needs a FILE\n");
				return 1;
			}
			perfetto = argv[optind++];
			break;
		case OPT_HTML: html = optarg; break;
		case OPT_TUI: tui = true; break;
		case OPT_INFO: info = true; break;
		case OPT_VERIFY: verify = true; break;
		case OPT_RECOVER: recover = true; break;
		case OPT_REDACT: redact = true; break;
		case OPT_REDACT_KEY: key_path = optarg; break;
		case 'o': out_path = optarg; break;
		case 'h': fputs(usage, stdout); return 0;
		case OPT_VERSION: printf("ebpf-replay %s (trace format %d.%d)\n", VERSION,
					 TRACE_FORMAT_MAJOR, TRACE_FORMAT_MINOR); return 0;
		default:
			fprintf(stderr, "Try 'ebpf-replay --help'.\n");
			return 1;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "ebpf-replay: no trace named: ebpf-replay [OPTIONS] TRACE... (--help)\n");
		return 1;
	}
	if ((recover || redact) && !out_path) {
		fprintf(stderr, "ebpf-replay: --%s needs -o OUT, the file to write\n",
			recover ? "recover" : "redact");
		return 1;
	}
	if (out_path && !recover && !redact) {
		fprintf(stderr, "ebpf-replay: -o goes with --recover or --redact (--html and --export take their own FILE)\n");
		return 1;
	}
	if (recover && redact) {
		fprintf(stderr, "ebpf-replay: --recover and --redact each write a copy: give one\n");
		return 1;
	}
	if (key_path && !redact) {
		fprintf(stderr, "ebpf-replay: --redact-key goes with --redact\n");
		return 1;
	}
	if (tui)
		return run_tui(&c, argv + optind, (size_t)(argc - optind), pid, comm,
			       perfetto || html || info || verify || recover || redact || c.events ||
				       c.fmt != FMT_TEXT || c.show);
	if (!c.show)
		c.show = SHOW_ALL;

	static char obuf[1 << 16];
	setvbuf(stdout, obuf, _IOFBF, sizeof(obuf));

	struct trace_reader_opts ro = { .sz = sizeof(ro), .on_damage = on_damage, .ctx = &c };
	size_t nfiles = (size_t)(argc - optind);
	c.r = nfiles == 1 ? trace_reader__open(argv[optind], &ro)
			  : trace_reader__open_files((const char *const *)argv + optind, nfiles, &ro);
	if (!c.r) {
		err = -errno;
		fprintf(stderr, "ebpf-replay: %s%s: %s\n", argv[optind], nfiles > 1 ? ", ..." : "",
			trace_strerror(err));
		return 1;
	}
	c.filter = replay_filter__new();
	if (!c.filter)
		goto nomem;
	replay_filter__set_pid(c.filter, pid);
	if (comm && replay_filter__set_comm(c.filter, comm)) {
		fprintf(stderr, "ebpf-replay: -c '%s': a comm is at most 15 characters\n", comm);
		goto cleanup;
	}
	if (info || verify || recover || redact) {
		if (info)
			rc = tool_info(&c);
		else if (verify)
			rc = tool_verify(&c);
		else if (redact)
			rc = tool_redact(&c, out_path, key_path);
		else
			rc = tool_recover(&c, out_path);
		goto cleanup;
	}
	if ((c.since_arg || c.until_arg) && (err = resolve_range(&c))) {
		if (err != -EINVAL)
			fprintf(stderr, "ebpf-replay: %s\n", trace_strerror(err));
		goto cleanup;
	}
	if (make_analyses(&c))
		goto nomem;
	err = run(&c, perfetto, html);
	if (err) {
		fprintf(stderr, "ebpf-replay: %s: %s\n", argv[optind], trace_strerror(err));
		goto cleanup;
	}
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "ebpf-replay: writing the output: %s\n", strerror(errno));
		goto cleanup;
	}
	if (c.damage_count)
		fprintf(stderr, "ebpf-replay: the trace is damaged: %" PRIu64 " block(s), %" PRIu64
			" bytes skipped; everything else was replayed (see --verify, --recover)\n",
			c.damage_count, c.damage_bytes);
	rc = 0;
	goto cleanup;
nomem:
	fprintf(stderr, "ebpf-replay: out of memory\n");
cleanup:
	free_analyses(&c);
	trace_reader__close(c.r);
	return rc;
}
