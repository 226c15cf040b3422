// SPDX-License-Identifier: MIT
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "replay/report.h"

/* The first of several spellings a key may have. */
static const char *meta_any(struct replay_ctx *c, const char *const *keys)
{
	for (; *keys; keys++) {
		const char *v = trace_reader__meta(c->r, 0, *keys);
		if (v)
			return v;
	}
	return NULL;
}

static void copy(char *dst, size_t size, const char *src, const char *dflt)
{
	snprintf(dst, size, "%s", src ? src : dflt);
}

void report_host(struct replay_ctx *c, struct report_host *h)
{
	static const char *const host[] = { "host.hostname", "hostname", "host.name", "host", NULL };
	/* host.kernel_release is the writer's own key (FORMAT.md) */
	static const char *const kernel[] = { "host.kernel_release", "host.kernel", "host.release",
					      "kernel.release", "kernel", "release", NULL };
	static const char *const machine[] = { "host.machine", "machine", "arch", NULL };
	static const char *const cpus[] = { "host.cpus", "host.ncpus", "cpus", "ncpus",
					    "cpu_count", NULL };
	static const char *const boot[] = { "host.boot_id", "boot_id", NULL };
	static const char *const cmd[] = { "record.command", "record.cmdline", "command", NULL };
	static const char *const status[] = { "record.exit_status", NULL };

	copy(h->hostname, sizeof(h->hostname), meta_any(c, host), "(unknown host)");
	copy(h->kernel, sizeof(h->kernel), meta_any(c, kernel), "(unknown kernel)");
	copy(h->machine, sizeof(h->machine), meta_any(c, machine), "");
	copy(h->cpus, sizeof(h->cpus), meta_any(c, cpus), "");
	copy(h->boot_id, sizeof(h->boot_id), meta_any(c, boot), "");
	copy(h->command, sizeof(h->command), meta_any(c, cmd), "");
	copy(h->exit_status, sizeof(h->exit_status), meta_any(c, status), "");
}

const char *report_filters(struct replay_ctx *c, char *buf, size_t size)
{
	size_t n = 0;

	buf[0] = '\0';
	(void)c;
	if (c->since_arg)
		n += (size_t)snprintf(buf + n, n < size ? size - n : 0, "since %s ", c->since_arg);
	if (c->until_arg)
		n += (size_t)snprintf(buf + n, n < size ? size - n : 0, "until %s ", c->until_arg);
	if (replay_filter__active(c->filter))
		snprintf(buf + n, n < size ? size - n : 0, "-p/-c filter on");
	return buf;
}

/* probe.<name>, not probe.<name>.seen and the like. */
static bool is_probe_key(const char *k)
{
	return !strncmp(k, "probe.", 6) && k[6] && !strchr(k + 6, '.');
}

/* The files of one recording (its segments) share a session.id; a file
 * without one is a recording of its own. */
static bool same_recording(struct replay_ctx *c, uint16_t a, uint16_t b)
{
	const char *sa = trace_reader__meta(c->r, a, "session.id");
	const char *sb = trace_reader__meta(c->r, b, "session.id");

	return a == b || (sa && sb && !strcmp(sa, sb));
}

/* The first file of each recording, in the order the files were given. */
static bool first_of_recording(struct replay_ctx *c, uint16_t f)
{
	for (uint16_t g = 0; g < f; g++)
		if (same_recording(c, g, f))
			return false;
	return true;
}

size_t report_nrecordings(struct replay_ctx *c)
{
	size_t n = 0;

	for (size_t f = 0; f < trace_reader__nfiles(c->r); f++)
		n += first_of_recording(c, (uint16_t)f);
	return n;
}

uint16_t report_recording_file(struct replay_ctx *c, size_t want)
{
	size_t n = 0;

	for (size_t f = 0; f < trace_reader__nfiles(c->r); f++)
		if (first_of_recording(c, (uint16_t)f) && n++ == want)
			return (uint16_t)f;
	return 0;
}

/* The i-th probe.<name> key of file f, or NULL. */
static const char *probe_key_at(struct replay_ctx *c, uint16_t f, size_t i, const char **how)
{
	const char *k, *v;

	if (trace_reader__meta_at(c->r, f, i, &k, &v))
		return NULL;
	*how = v;
	return is_probe_key(k) ? k : "";
}

/* Whether an earlier file, or an earlier key of the same file, names the
 * probe already. */
static bool probe_seen_before(struct replay_ctx *c, uint16_t f, size_t i, const char *key)
{
	const char *k, *how;

	for (uint16_t g = 0; g <= f; g++)
		for (size_t j = 0; (g < f || j < i) && (k = probe_key_at(c, g, j, &how)); j++)
			if (!strcmp(k, key))
				return true;
	return false;
}

/* Probes of every file (several recordings may enable different ones), in
 * order of first appearance. */
static bool probe_at(struct replay_ctx *c, size_t want, const char **name, const char **how)
{
	size_t n = 0;
	const char *k;

	for (size_t f = 0; f < trace_reader__nfiles(c->r); f++)
		for (size_t i = 0; (k = probe_key_at(c, (uint16_t)f, i, how)); i++) {
			if (!*k || probe_seen_before(c, (uint16_t)f, i, k))
				continue;
			if (n++ == want) {
				*name = k + 6;
				return true;
			}
		}
	return false;
}

size_t report_nprobes(struct replay_ctx *c)
{
	const char *name, *how;
	size_t n = 0;

	while (probe_at(c, n, &name, &how))
		n++;
	return n;
}

void report_probe(struct replay_ctx *c, size_t want, const char **name, const char **how)
{
	if (!probe_at(c, want, name, how))
		*name = *how = "";
}

const char *report_probe_count(struct replay_ctx *c, const char *probe, const char *what,
			       char *buf, size_t size)
{
	size_t nfiles = trace_reader__nfiles(c->r);
	uint64_t sum = 0;
	bool any = false;
	char key[96];

	snprintf(key, sizeof(key), "probe.%s.%s", probe, what);
	/* The counts are cumulative over a recording's segments: the largest
	 * of each recording, summed over the recordings. */
	for (size_t f = 0; f < nfiles; f++) {
		if (!first_of_recording(c, (uint16_t)f))
			continue;
		uint64_t most = 0;
		bool have = false;
		for (size_t g = f; g < nfiles; g++) {
			const char *v = same_recording(c, (uint16_t)f, (uint16_t)g) ?
						trace_reader__meta(c->r, (uint16_t)g, key) : NULL;
			if (!v)
				continue;
			uint64_t x = strtoull(v, NULL, 10);
			if (!have || x > most)
				most = x;
			have = true;
		}
		sum += most;
		any |= have;
	}
	if (!any)
		return "-";
	snprintf(buf, size, "%" PRIu64, sum);
	return buf;
}

const char *report_probe_note(struct replay_ctx *c, const char *probe)
{
	static char buf[300];
	const char *v = NULL;
	char key[64];

	snprintf(key, sizeof(key), "probe.%s", probe);
	for (size_t f = 0; !v && f < trace_reader__nfiles(c->r); f++)
		v = trace_reader__meta(c->r, (uint16_t)f, key);
	if (v && !strncmp(v, "unavailable", 11))
		snprintf(buf, sizeof(buf), " (probe %s: %s)", probe, v);
	else if (!v && report_nprobes(c))
		snprintf(buf, sizeof(buf), " (probe %s was not enabled)", probe);
	else
		buf[0] = '\0';
	return buf;
}

bool report_bookkeeping(const char *type)
{
	return !strcmp(type, "syscall_name") || !strcmp(type, "process") ||
	       !strcmp(type, "syscall_hist");
}

uint64_t report_bookkeeping_total(struct replay_ctx *c)
{
	uint64_t n = 0;

	for (size_t k = 0; k < timeline__ntypes(c->timeline); k++)
		if (report_bookkeeping(timeline__type_name(c->timeline, k)))
			n += timeline__type_total(c->timeline, k);
	return n;
}

void report_clock(struct replay_ctx *c, uint16_t file, uint64_t ts, char *buf, size_t size)
{
	int64_t real = ctx_realtime(c, file, ts);

	if (!real) {
		uint64_t first = timeline__first_ns(c->timeline);
		snprintf(buf, size, "+%.3fs", ts >= first ? (ts - first) / 1e9 : 0.0);
		return;
	}
	time_t sec = (time_t)(real / 1000000000);
	struct tm tm;
	if (c->utc)
		gmtime_r(&sec, &tm);
	else
		localtime_r(&sec, &tm);
	snprintf(buf, size, "%02d:%02d:%02d.%03d", tm.tm_hour, tm.tm_min, tm.tm_sec,
		 (int)(real % 1000000000 / 1000000));
}

void report_endpoint(uint16_t family, const uint8_t *addr, uint16_t port, char *buf, size_t size)
{
	char a[64];
	bool zero = true;

	for (size_t i = 0; i < (family == 10 ? 16u : 4u); i++)
		zero &= !addr[i];
	/* No address and no port: the peer is unknown (a datagram received
	 * on an unconnected socket), not 0.0.0.0:0. */
	if (zero && !port) {
		snprintf(buf, size, "-");
		return;
	}
	replay_format_addr(family, addr, a, sizeof(a));
	if (family == 10)
		snprintf(buf, size, "[%s]:%u", a, port);
	else
		snprintf(buf, size, "%s:%u", a, port);
}

const char *report_tcp_note(const struct tcp_conn *t)
{
	if (!(t->flags & TCP_CONN_CLOSED))
		return t->flags & TCP_CONN_ESTABLISHED ? "open" : "open, not established";
	if (!(t->flags & TCP_CONN_ESTABLISHED))
		return "never established";
	if (!t->start_ns)
		return "began before the trace";
	return "";
}

void report_exit_status(int32_t status, char *buf, size_t size)
{
	if (status & 0x7f)
		snprintf(buf, size, "signal %d%s", status & 0x7f, status & 0x80 ? " (core)" : "");
	else
		snprintf(buf, size, "code %d", (status >> 8) & 0xff);
}

size_t report_rates(struct replay_ctx *c, size_t max, struct report_rates *rr)
{
	size_t nb = timeline__nbuckets(c->timeline);

	memset(rr, 0, sizeof(*rr));
	if (!nb)
		return 0;
	if (max > 512)
		max = 512;
	size_t per = (nb + max - 1) / max;
	uint64_t bw = timeline__bucket_ns(c->timeline);
	rr->start_ns = timeline__start_ns(c->timeline);
	rr->width_ns = bw * per;
	rr->n = (nb + per - 1) / per;
	/* Kernel events only: the /proc snapshot and the syscall table at the
	 * start would otherwise read as a burst of hundreds of thousands of
	 * events per second that never happened. */
	for (size_t i = 0; i < nb; i++) {
		for (size_t k = 0; k < timeline__ntypes(c->timeline); k++)
			if (!report_bookkeeping(timeline__type_name(c->timeline, k)))
				rr->count[i / per] += timeline__count(c->timeline, i, k);
		rr->lost[i / per] += timeline__lost(c->timeline, i);
	}
	for (size_t i = 0; i < rr->n; i++) {
		rr->rate[i] = rr->count[i] / (rr->width_ns / 1e9);
		if (rr->rate[i] > rr->max)
			rr->max = rr->rate[i];
	}
	return rr->n;
}
