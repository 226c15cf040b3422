/* SPDX-License-Identifier: MIT */
/* Internal to ebpf-replay: the state a run shares with its outputs. */
#ifndef EBPFREPLAY_OUT_H
#define EBPFREPLAY_OUT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "replay/replay.h"
#include "trace.h"

/* What to show (the default: all the analyses). */
enum {
	SHOW_SUMMARY = 0x1,
	SHOW_HIST = 0x2,
	SHOW_OPENS = 0x4,
	SHOW_TCP = 0x8,
	SHOW_UDP = 0x10,
	SHOW_PROCS = 0x20,
	SHOW_LOST = 0x40,
	SHOW_RATES = 0x80,
	SHOW_ALL = 0xff,
};

enum out_format { FMT_TEXT, FMT_JSON, FMT_CSV };

struct replay_ctx {
	struct trace_reader *r;
	FILE *out;
	enum out_format fmt;
	unsigned show;
	bool events;	  /* --events */
	bool all_types;	  /* --all: bookkeeping records in --events too */
	bool utc;	  /* times in UTC instead of local time */
	size_t top;	  /* rows per table */
	bool per_process; /* --per-process histograms */
	const char *since_arg, *until_arg;
	uint64_t from_ns, to_ns; /* boottime range, 0 / UINT64_MAX open */
	struct replay_filter *filter;
	struct syscall_names *names;
	struct hist_analysis *hist;
	struct opens_analysis *opens;
	struct tcp_analysis *tcp;
	struct udp_analysis *udp;
	struct procs_analysis *procs;
	struct timeline *timeline;
	struct lost_analysis *lost;
	uint64_t events_seen; /* after filters */
	uint64_t damage_count, damage_bytes;
	bool tcp_streamed; /* closes went out as they happened */
	bool csv_started;  /* a CSV table was written (blank line before the next) */
};

/* Wall-clock time of a boottime instant in a file (0 when unknown). */
int64_t ctx_realtime(struct replay_ctx *c, uint16_t file, uint64_t boot_ns);
/* "2024-01-02 03:04:05.123456" local (or UTC) and ISO 8601 UTC. */
void fmt_datetime(char *buf, size_t size, int64_t real_ns, bool utc);
void fmt_iso_utc(char *buf, size_t size, int64_t real_ns);
/* "12.345 ms", "1.200 s": a duration for people. */
void fmt_duration(char *buf, size_t size, uint64_t ns);
void fmt_bytes(char *buf, size_t size, uint64_t bytes);

/* An output buffer for the hot --events path: lines are appended to one
 * large buffer that goes to the FILE in big writes (line_end), instead of
 * one stdio call per field. Small scratch lines use line_reset/line_flush. */
#define LINE_SINK_CAP (1 << 18)
#define LINE_SLACK (1 << 14) /* more than one event's line can take */
struct line {
	char *p;
	char *buf;
	size_t cap;
};
/* A scratch line of n bytes on the stack. */
#define LINE_LOCAL(name, n) \
	char name##_buf[n];  \
	struct line name = { name##_buf, name##_buf, n }
static inline void line_reset(struct line *l) { l->p = l->buf; }
static inline size_t line_room(const struct line *l)
{
	return l->cap - 8 - (size_t)(l->p - l->buf);
}
static inline void line_strn(struct line *l, const char *s, size_t n)
{
	size_t room = line_room(l);
	if (n > room)
		n = room;
	memcpy(l->p, s, n);
	l->p += n;
}
static inline void line_str(struct line *l, const char *s) { line_strn(l, s, strlen(s)); }
static inline void line_chr(struct line *l, char ch)
{
	if (l->p < l->buf + l->cap - 8)
		*l->p++ = ch;
}
void line_u64(struct line *l, uint64_t v);
void line_i64(struct line *l, int64_t v);
void line_hex(struct line *l, uint64_t v);
void line_pad(struct line *l, const char *start, size_t width);
/* s (at most max bytes, to its NUL) as a JSON string, quoted; bytes
 * outside printable ASCII as \u00XX. */
void line_json_str(struct line *l, const char *s, size_t max);
/* ns as "12.345" microseconds. */
void line_usecs(struct line *l, uint64_t ns);
/* Writes out and empties l. */
void line_flush(struct line *l, FILE *f);
/* The shared event buffer; line_end writes it out when it fills, and
 * line_sink_flush before anything else is written to the same FILE. */
struct line *line_sink(void);
void line_end(struct line *l, FILE *f);
void line_sink_flush(FILE *f);

/* One event's text after the time/comm/pid/type columns. */
void event_details(struct replay_ctx *c, const struct trace_event *ev, struct line *l);
/* "COMM PID TYPE " in aligned columns. */
void event_prefix(const struct trace_event *ev, struct line *l);
/* pid and comm of an event, by its schema ("" and 0 when absent). */
void event_pid_comm(const struct trace_event *ev, uint32_t *pid, char *comm, size_t size);

/* Outputs, one file each. */
void text_event(struct replay_ctx *c, const struct trace_event *ev);
void text_events_header(struct replay_ctx *c);
void text_report(struct replay_ctx *c);
void text_tcp_conn(struct replay_ctx *c, const struct tcp_conn *conn);
void text_tcp_header(struct replay_ctx *c);

void json_event(struct replay_ctx *c, const struct trace_event *ev);
void json_report(struct replay_ctx *c);
void json_tcp_conn(struct replay_ctx *c, const struct tcp_conn *conn, const char *status);
void json_str(FILE *f, const char *s);

void csv_event(struct replay_ctx *c, const struct trace_event *ev);
void csv_events_header(struct replay_ctx *c);
void csv_report(struct replay_ctx *c);
void csv_tcp_conn(struct replay_ctx *c, const struct tcp_conn *conn, const char *status);
void csv_tcp_header(struct replay_ctx *c);

/* Streams the (filtered) events into a Chrome Trace Event JSON file. */
int perfetto_export(struct replay_ctx *c, const char *path);
/* Writes the self-contained HTML report from the analyses. */
int html_report(struct replay_ctx *c, const char *path);

/* --info, --verify, --recover. */
int tool_info(struct replay_ctx *c);
int tool_verify(struct replay_ctx *c);
int tool_recover(struct replay_ctx *c, const char *out_path);
/* --redact (replay/redact_tool.c). */
int tool_redact(struct replay_ctx *c, const char *out_path, const char *key_path);

#endif
