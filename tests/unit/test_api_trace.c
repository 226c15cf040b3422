// SPDX-License-Identifier: MIT
/*
 * The public C API on recorded traces (no root): it gives exactly the
 * events the format reader gives, with the reader's wall-clock times and
 * typed fields by name; type filters, errors, a live session refused
 * without privileges. And the reference tracers' consumers, unchanged,
 * replaying the bundled TCP and UDP traces (EBPF_TRACE_REPLAY): every
 * connection and datagram with its bytes, segments, ports and addresses.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "api/ebpftrace.h"
#include "api/tcp/event.h"
#include "format/trace.h"

#define SAMPLE(name) SRCDIR "/samples/replay/" name

static const char *const samples[] = { "opens.trace", "tcp.trace", "udp.trace", "exec.trace",
				       "fifo.trace" };

/* Every event of every bundled trace, as the reader gives it. */
Test(api_trace, the_same_events_as_the_reader)
{
	for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		char path[512];

		snprintf(path, sizeof(path), "%s", SAMPLE(""));
		strncat(path, samples[i], sizeof(path) - strlen(path) - 1);
		struct trace_reader *r = trace_reader__open(path, NULL);
		struct ebpftrace_session *s = ebpftrace_session__open_trace(path, NULL);
		struct trace_event te;
		struct ebpftrace_event ev;
		uint64_t n = 0;
		int err;

		cr_assert_not_null(r, "%s", path);
		cr_assert_not_null(s, "%s: %s", path, strerror(errno));
		cr_assert(!ebpftrace_session__live(s));
		while ((err = trace_reader__next(r, &te)) == 0) {
			int64_t real;

			cr_assert_eq(ebpftrace_session__next(s, &ev, -1), 0, "%s: event %llu", path,
				     (unsigned long long)n);
			cr_assert_str_eq(ev.type, trace_schema__name(te.schema));
			cr_assert_str_eq(ev.schema->name, ev.type);
			cr_assert_eq(ev.schema->size, te.size);
			cr_assert_eq(ev.schema->nfields, trace_schema__nfields(te.schema));
			cr_assert_eq(ev.boot_ns, te.ts);
			cr_assert_eq(ev.file, te.file);
			cr_assert_eq(memcmp(ev.data, te.data, te.size), 0, "%s: event %llu's bytes",
				     path, (unsigned long long)n);
			cr_assert_eq(trace_reader__realtime(r, te.file, te.ts, &real), 0);
			cr_assert_eq(ev.epoch_ns, real);
			n++;
		}
		cr_assert_eq(err, -ENOENT);
		cr_assert_eq(ebpftrace_session__next(s, &ev, -1), -ENOENT, "%s: more events", path);
		struct ebpftrace_stats st;
		ebpftrace_session__stats(s, &st);
		cr_assert_eq(st.events, n);
		cr_assert_eq(st.damaged_chunks, 0);
		cr_assert_gt(n, 0);
		ebpftrace_session__close(s);
		trace_reader__close(r);
	}
}

/* tcp_life's fields by name, against the reader's. */
Test(api_trace, typed_fields_by_name)
{
	struct ebpftrace_session *s = ebpftrace_session__open_trace(SAMPLE("tcp.trace"), NULL);
	struct trace_reader *r = trace_reader__open(SAMPLE("tcp.trace"), NULL);
	const struct trace_schema *life = trace_reader__schema(r, 0, "tcp_life");
	struct ebpftrace_event ev;
	int lives = 0;

	cr_assert_not_null(s);
	cr_assert_not_null(life);
	while (ebpftrace_session__next(s, &ev, -1) == 0) {
		uint64_t tx, rx, sport, segs;
		int64_t pid;
		char sa[64], da[64];

		if (strcmp(ev.type, "tcp_life"))
			continue;
		lives++;
		cr_assert_eq(ebpftrace_event__u64(&ev, "tx_bytes", &tx), 0);
		cr_assert_eq(tx, trace_field__u64(trace_schema__find_field(life, "tx_bytes"), ev.data, 0));
		cr_assert_eq(ebpftrace_event__u64(&ev, "rx_bytes", &rx), 0);
		cr_assert(tx + rx == 3000, "the sample's connections carry 1000 + 2000 bytes");
		cr_assert_eq(ebpftrace_event__u64(&ev, "sport", &sport), 0);
		cr_assert_gt(sport, 0);
		cr_assert_eq(ebpftrace_event__u64(&ev, "segs_in", &segs), 0);
		cr_assert_gt(segs, 0);
		cr_assert_eq(ebpftrace_event__i64(&ev, "pid", &pid), 0);
		cr_assert_gt(pid, 0);
		cr_assert_str_eq(ebpftrace_event__str(&ev, "comm"), "wl_tcp");
		cr_assert_str_eq(ebpftrace_event__addr(&ev, "saddr", sa, sizeof(sa)), "127.0.0.1");
		cr_assert_str_eq(ebpftrace_event__addr(&ev, "daddr", da, sizeof(da)), "127.0.0.1");
		cr_assert_eq(ebpftrace_event__field(&ev, "skaddr")->hint, TRACE_HINT_HEX);
		/* what is not there, and what is not an integer */
		cr_assert_eq(ebpftrace_event__u64(&ev, "no_such_field", &tx), -ENOENT);
		cr_assert_null(ebpftrace_event__str(&ev, "no_such_field"));
		cr_assert_eq(errno, ENOENT);
		cr_assert_eq(ebpftrace_event__u64(&ev, "comm", &tx), -EINVAL);
		cr_assert_null(ebpftrace_event__str(&ev, "pid"));
		cr_assert_eq(errno, EINVAL);
		cr_assert_null(ebpftrace_event__addr(&ev, "comm", sa, sizeof(sa)));
	}
	cr_assert_eq(lives, 6);
	ebpftrace_session__close(s);
	trace_reader__close(r);
}

/* Only the types asked for; the recording's lost events are counted all
 * the same. */
Test(api_trace, only_the_types_asked_for)
{
	const char *types[] = { "udp", NULL };
	struct ebpftrace_trace_opts o = { .sz = sizeof(o), .types = types };
	struct ebpftrace_session *s = ebpftrace_session__open_trace(SAMPLE("udp.trace"), &o);
	struct ebpftrace_event ev;
	struct ebpftrace_stats st;
	int n = 0, err;

	cr_assert_not_null(s);
	while ((err = ebpftrace_session__next(s, &ev, 0)) == 0) {
		cr_assert_str_eq(ev.type, "udp");
		n++;
	}
	cr_assert_eq(err, -ENOENT);
	ebpftrace_session__stats(s, &st);
	cr_assert_eq(st.events, (uint64_t)n);
	cr_assert_eq(st.lost, 0);
	cr_assert_gt(n, 0);
	/* stop on a trace: no more events */
	ebpftrace_session__close(s);
	s = ebpftrace_session__open_trace(SAMPLE("udp.trace"), &o);
	cr_assert_eq(ebpftrace_session__next(s, &ev, 0), 0);
	cr_assert_eq(ebpftrace_session__stop(s), 0);
	cr_assert_eq(ebpftrace_session__next(s, &ev, 0), -ENOENT);
	cr_assert_eq(ebpftrace_session__fd(s), -EINVAL);
	cr_assert_eq(ebpftrace_session__set_comm(s, "x"), -EINVAL);
	ebpftrace_session__close(s);
}

Test(api_trace, errors)
{
	struct ebpftrace_session *s;

	errno = 0;
	s = ebpftrace_session__open_trace("/nonexistent/run.trace", NULL);
	cr_assert_null(s);
	cr_assert_eq(errno, ENOENT);
	s = ebpftrace_session__open_trace(SRCDIR "/README.md", NULL);
	cr_assert_null(s);
	cr_assert_eq(errno, EPROTO, "%s", strerror(errno));
	cr_assert_not_null(ebpftrace_strerror(-EPROTO));
	cr_assert_str_eq(ebpftrace_version(), VERSION_STRING);
	ebpftrace_session__close(NULL);
	cr_assert_eq(ebpftrace_session__next(NULL, NULL, 0), -EINVAL);
}

/* A live session needs privileges: a clear refusal otherwise. */
Test(api_trace, live_without_privileges_is_refused)
{
	pid_t pid = fork();
	int st;

	cr_assert_geq(pid, 0);
	if (pid == 0) {
		char msg[256] = "";
		struct ebpftrace_live_opts o = { .sz = sizeof(o), .errbuf = msg,
						 .errbuf_size = sizeof(msg), .quiet = true };

		if (getuid() == 0 && (setgid(65534) || setuid(65534)))
			_exit(10);
		if (ebpftrace_session__open_live(&o))
			_exit(11);
		if (errno != EPERM)
			_exit(12);
		_exit(strstr(msg, "CAP_BPF") ? 0 : 13);
	}
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child status %d", st);
}

/* Unknown probes and types are named in the message. */
Test(api_trace, live_options_are_checked)
{
	char msg[256] = "";
	const char *types[] = { "tcp_lfe", NULL };
	struct ebpftrace_live_opts o = { .sz = sizeof(o), .probes = "tcp,nope", .errbuf = msg,
					 .errbuf_size = sizeof(msg), .quiet = true };

	cr_assert_null(ebpftrace_session__open_live(&o));
	cr_assert_eq(errno, EINVAL);
	cr_assert(strstr(msg, "'nope'"), "%s", msg);
	o.probes = NULL;
	o.types = types;
	cr_assert_null(ebpftrace_session__open_live(&o));
	cr_assert_eq(errno, EINVAL);
	cr_assert(strstr(msg, "'tcp_lfe'"), "%s", msg);
}

/* The reference's structs, byte for byte: programs built against the
 * original headers relink unchanged. */
Test(api_trace, the_reference_layouts)
{
	cr_assert_eq(sizeof(struct tcp_event_t), 430);
	cr_assert_eq(offsetof(struct tcp_event_t, pid), 8);
	cr_assert_eq(offsetof(struct tcp_event_t, rx_b), 16);
	cr_assert_eq(offsetof(struct tcp_event_t, tcpi_segs_out), 32);
	cr_assert_eq(offsetof(struct tcp_event_t, family), 40);
	cr_assert_eq(offsetof(struct tcp_event_t, DPT), 44);
	cr_assert_eq(offsetof(struct tcp_event_t, task), 46);
	cr_assert_eq(offsetof(struct tcp_event_t, SADDR), 174);
	cr_assert_eq(offsetof(struct tcp_event_t, DADDR), 302);
}

/* ---- the reference consumers on the bundled traces ------------------------ */

/* Runs a sample consumer with EBPF_TRACE_REPLAY=trace; its stdout. */
static char *replay(const char *consumer, const char *trace, int *status)
{
	static char out[1 << 20];
	int p[2];
	pid_t pid;
	size_t n = 0;
	ssize_t r;

	cr_assert_eq(pipe(p), 0);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(p[1], 1);
		dup2(null, 2);
		close(p[0]);
		setenv("EBPF_TRACE_REPLAY", trace, 1);
		unsetenv("EBPF_TRACE_REPLAY_END");
		execl(consumer, consumer, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	while ((r = read(p[0], out + n, sizeof(out) - 1 - n)) > 0)
		n += (size_t)r;
	out[n] = 0;
	close(p[0]);
	cr_assert_eq(waitpid(pid, status, 0), pid);
	return out;
}

/* The consumer's connections against the trace's tcp_life records. */
Test(api_trace, the_reference_tcp_consumer_replays_a_trace)
{
	int status, n = 0;
	char *out = replay(SAMPLE_DIR "/tcp_consumer", SAMPLE("tcp.trace"), &status);
	struct ebpftrace_session *s = ebpftrace_session__open_trace(SAMPLE("tcp.trace"), NULL);
	struct ebpftrace_event ev;
	char *line = strstr(out, "TCP monitoring active\n");

	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status %d; output:\n%s", status,
		  out);
	cr_assert_not_null(line, "%s", out);
	line += strlen("TCP monitoring active\n");
	while (ebpftrace_session__next(s, &ev, -1) == 0) {
		char expect[512], sa[64], da[64];
		uint64_t pid, sport, dport, tx, rx, so, si;

		if (strcmp(ev.type, "tcp_life"))
			continue;
		ebpftrace_event__u64(&ev, "pid", &pid);
		ebpftrace_event__u64(&ev, "sport", &sport);
		ebpftrace_event__u64(&ev, "dport", &dport);
		ebpftrace_event__u64(&ev, "tx_bytes", &tx);
		ebpftrace_event__u64(&ev, "rx_bytes", &rx);
		ebpftrace_event__u64(&ev, "segs_out", &so);
		ebpftrace_event__u64(&ev, "segs_in", &si);
		snprintf(expect, sizeof(expect),
			 "[%lld] %s (PID %llu) %s:%llu -> %s:%llu\n  TX: %llu bytes (%llu packets)\n"
			 "  RX: %llu bytes (%llu packets)\n",
			 (long long)ev.epoch_ns, ebpftrace_event__str(&ev, "comm"),
			 (unsigned long long)pid, ebpftrace_event__addr(&ev, "saddr", sa, sizeof(sa)),
			 (unsigned long long)sport, ebpftrace_event__addr(&ev, "daddr", da, sizeof(da)),
			 (unsigned long long)dport, (unsigned long long)tx, (unsigned long long)so,
			 (unsigned long long)rx, (unsigned long long)si);
		cr_assert_eq(strncmp(line, expect, strlen(expect)), 0,
			     "connection %d: expected\n%sgot\n%.300s", n, expect, line);
		line += strlen(expect);
		n++;
	}
	cr_assert_eq(n, 6);
	cr_assert_str_eq(line, "", "more output than connections: %s", line);
	ebpftrace_session__close(s);
}

/* Each datagram of the trace, a send or a receive. */
Test(api_trace, the_udp_consumer_replays_a_trace)
{
	int status, n = 0;
	char *out = replay(SAMPLE_DIR "/udp_consumer", SAMPLE("udp.trace"), &status);
	struct ebpftrace_session *s = ebpftrace_session__open_trace(SAMPLE("udp.trace"), NULL);
	struct ebpftrace_event ev;
	char *line = strstr(out, "UDP monitoring active\n");

	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status %d; output:\n%s", status,
		  out);
	cr_assert_not_null(line, "%s", out);
	line += strlen("UDP monitoring active\n");
	while (ebpftrace_session__next(s, &ev, -1) == 0) {
		char expect[512], sa[64], da[64];
		uint64_t pid, sport, dport, bytes, dir, family;

		if (strcmp(ev.type, "udp"))
			continue;
		ebpftrace_event__u64(&ev, "pid", &pid);
		ebpftrace_event__u64(&ev, "sport", &sport);
		ebpftrace_event__u64(&ev, "dport", &dport);
		ebpftrace_event__u64(&ev, "bytes", &bytes);
		ebpftrace_event__u64(&ev, "dir", &dir);
		ebpftrace_event__u64(&ev, "family", &family);
		/* the sample predates the uid field: the process table's */
		snprintf(expect, sizeof(expect),
			 "[%lld] %s (PID %llu UID 0) family %llu %s:%llu -> %s:%llu\n"
			 "  TX: %llu bytes (%d packets)\n  RX: %llu bytes (%d packets)\n",
			 (long long)ev.epoch_ns, ebpftrace_event__str(&ev, "comm"),
			 (unsigned long long)pid, (unsigned long long)family,
			 ebpftrace_event__addr(&ev, "saddr", sa, sizeof(sa)), (unsigned long long)sport,
			 ebpftrace_event__addr(&ev, "daddr", da, sizeof(da)), (unsigned long long)dport,
			 dir ? 0ULL : (unsigned long long)bytes, dir ? 0 : 1,
			 dir ? (unsigned long long)bytes : 0ULL, dir ? 1 : 0);
		cr_assert_eq(strncmp(line, expect, strlen(expect)), 0,
			     "datagram %d: expected\n%sgot\n%.300s", n, expect, line);
		line += strlen(expect);
		n++;
	}
	cr_assert_gt(n, 0);
	cr_assert_str_eq(line, "", "more output than datagrams: %s", line);
	ebpftrace_session__close(s);
}

Test(api_trace, a_missing_replay_trace_is_an_error)
{
	int status;
	char *out = replay(SAMPLE_DIR "/tcp_consumer", "/nonexistent.trace", &status);

	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 1, "status %d; output:\n%s", status,
		  out);
	cr_assert_null(strstr(out, "monitoring active"));
}
