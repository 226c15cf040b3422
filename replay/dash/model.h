/* SPDX-License-Identifier: MIT */
/*
 * The dashboard's model: what the panels show, computed from events, and
 * the replay's playback clock and player. Nothing here touches the
 * terminal (no ncurses), so all of it is unit-tested
 * (tests/unit/test_dash_*.c). Internal to libebpfdash; compiles on its own.
 *
 * All times are trace time: CLOCK_BOOTTIME ns of the recording host, as in
 * the events. Live, "now" is the recorder's boottime; in a replay it is the
 * play cursor.
 */
#ifndef EBPFDASH_MODEL_H
#define EBPFDASH_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "replay/replay.h"
#include "trace.h"

/* ---- fmt.c: numbers for people, in at most 7 columns ------------------- */

/* v exactly when it has at most width digits, else 3 significant digits
 * and k, M, G, T (powers of 1000). */
const char *dash_fmt_count(char *buf, size_t size, uint64_t v, int width);
/* Bytes: exact when they fit in width, else K, M, G, T (powers of 1024). */
const char *dash_fmt_bytes(char *buf, size_t size, uint64_t v, int width);
/* A rate per second: "0", "0.5", "12", "999", "1.23k", "45.6M". */
const char *dash_fmt_rate(char *buf, size_t size, double per_s);
/* A duration, 3 significant digits: "512ns", "1.08us", "423ms", "1.25s",
 * then "5m03s", "2h05m", "3d04h", "512d". */
const char *dash_fmt_duration(char *buf, size_t size, uint64_t ns);
/* Elapsed time: "6.453ms" below a second, "12.345s" below a minute, then
 * "1:02:03" (h:mm:ss). Truncated, never rounded up. */
const char *dash_fmt_elapsed(char *buf, size_t size, uint64_t ns);
/* Local wall-clock time "HH:MM:SS.mmm" of ns since the epoch; "--:--:--"
 * when unknown (0). */
const char *dash_fmt_clock(char *buf, size_t size, int64_t real_ns);
/* The lower bound of a log2 slot (REPLAY_HIST_SLOTS layout) as a duration. */
const char *dash_fmt_slot(char *buf, size_t size, unsigned slot);
/* The smallest "nice" width (1, 2 or 5 times a power of ten, in ns) that
 * is at least ns. */
uint64_t dash_nice_ns(uint64_t ns);

/* ---- model.c: counters, windows, histograms, connections -------------- */

#define DASH_MAX_TYPES 32
/* Pseudo-types for dash_model__spark(). */
#define DASH_ALL ((size_t)-1)
#define DASH_LOST ((size_t)-2)

struct dash_model_opts {
	size_t sz;	    /* sizeof(struct dash_model_opts) */
	uint64_t bucket_ns; /* width of a window bucket (rates, sparklines); 0: 1 s */
	size_t nbuckets;    /* buckets kept; 0: 240 */
	size_t keep_closed; /* recently closed TCP connections kept; 0: 256 */
};

enum dash_hist_sort { DASH_HIST_COUNT, DASH_HIST_TOTAL, DASH_HIST_MAX, DASH_HIST_NAME, DASH_HIST_NSORT };
enum dash_tcp_sort { DASH_TCP_RECENT, DASH_TCP_DURATION, DASH_TCP_BYTES, DASH_TCP_NSORT };
enum dash_type_sort { DASH_TYPE_TOTAL, DASH_TYPE_RATE, DASH_TYPE_NAME, DASH_TYPE_NSORT };

const char *dash_hist_sort_name(enum dash_hist_sort s);
const char *dash_tcp_sort_name(enum dash_tcp_sort s);
const char *dash_type_sort_name(enum dash_type_sort s);

/* One record type in the event counters. */
struct dash_type_row {
	const char *name;
	size_t type;	/* for dash_model__spark() */
	uint64_t total; /* since the origin */
	uint64_t last;	/* in the last complete bucket */
	uint64_t peak;	/* most in one complete bucket of the window */
	double rate;	/* per second, in the last complete bucket */
};

/* One TCP connection: open (state, age so far) or closed (duration, bytes). */
struct dash_tcp_row {
	struct tcp_conn c;
	bool open;
};

/* What the events say about one probe: records written and events lost. */
struct dash_probe_row {
	char name[16];
	uint64_t recorded;
	uint64_t lost;
};

struct dash_model;

struct dash_model *dash_model__new(const struct dash_model_opts *opts);
void dash_model__free(struct dash_model *m);
/* One event. Events the filter rejects are only counted (filtered). */
int dash_model__feed(struct dash_model *m, const struct trace_event *ev);
/* Forgets everything fed (before feeding a trace again after a seek);
 * keeps the filter and the options. */
void dash_model__clear(struct dash_model *m);
/* A reset by the user: counters, rates, histograms, lost events and the
 * closed connections start over at now_ns; open connections, syscall names
 * and type names stay. Events fed later with an earlier timestamp (live,
 * still in the ring at the reset) do not count; TCP state changes among
 * them still apply. */
void dash_model__restart(struct dash_model *m, uint64_t now_ns);
/* Open and closed connections are forgotten (live, when a filter changes
 * what is recorded: the closes of connections it leaves out would never
 * come). Open ones that go on show up again at their next state change. */
void dash_model__forget_connections(struct dash_model *m);
/* The input ended: closes still waiting for their tcp_life record count. */
void dash_model__finish(struct dash_model *m);
/* Segments of one recording share a group (their kernel histograms
 * continue each other). */
void dash_model__set_group(struct dash_model *m, uint16_t file, uint32_t group);

/* The instant the windows end at; never goes back (clear resets it). */
void dash_model__set_now(struct dash_model *m, uint64_t now_ns);
uint64_t dash_model__now(const struct dash_model *m);
/* When counting began: the first event, or the last restart. */
uint64_t dash_model__origin(const struct dash_model *m);

/* Filters, as ebpf-replay -p / -c: pid < 0 and NULL or "" clear. */
void dash_model__set_pid(struct dash_model *m, int64_t pid);
int dash_model__set_comm(struct dash_model *m, const char *comm);
int64_t dash_model__pid(const struct dash_model *m);
const char *dash_model__comm(const struct dash_model *m); /* "" when none */
/* "pid 42", "comm nginx", "pid 42, comm nginx" or "none". */
const char *dash_model__filter_text(const struct dash_model *m, char *buf, size_t size);

/* ---- windows: buckets of bucket_ns aligned on multiples of it ---------- */
uint64_t dash_model__bucket_ns(const struct dash_model *m);
size_t dash_model__nbuckets(const struct dash_model *m);
/* Events (every type but the bookkeeping ones: the process snapshot, the
 * syscall table, the in-kernel histogram snapshots) per second in the last
 * complete bucket before now. */
double dash_model__rate(const struct dash_model *m);
/* Counts of type (a dash_type_row.type, DASH_ALL or DASH_LOST: events
 * lost) in the n buckets that end with now's, oldest first. Buckets before
 * the origin or out of the window are 0. */
void dash_model__spark(const struct dash_model *m, size_t type, uint64_t *out, size_t n);

/* ---- totals since the origin ------------------------------------------- */
uint64_t dash_model__events(const struct dash_model *m);   /* past the filter, no bookkeeping */
uint64_t dash_model__filtered(const struct dash_model *m); /* rejected by the filter */
uint64_t dash_model__lost(const struct dash_model *m);	   /* events lost (lost records) */
uint64_t dash_model__first_ns(const struct dash_model *m); /* first event fed, 0 none */
uint64_t dash_model__last_ns(const struct dash_model *m);  /* latest event fed */

/* ---- sorted views: count, then rows valid until the next feed --------- */
size_t dash_model__types(struct dash_model *m, enum dash_type_sort sort);
const struct dash_type_row *dash_model__type_at(const struct dash_model *m, size_t i);

/* Syscall histograms with at least one call since the origin. */
size_t dash_model__hists(struct dash_model *m, enum dash_hist_sort sort);
const struct replay_hist *dash_model__hist_at(const struct dash_model *m, size_t i);

/* Open connections first, then the closed ones, each group sorted. */
size_t dash_model__tcp(struct dash_model *m, enum dash_tcp_sort sort);
const struct dash_tcp_row *dash_model__tcp_at(const struct dash_model *m, size_t i);
size_t dash_model__tcp_open(const struct dash_model *m);
/* Closed since the origin; the view keeps the most recent keep_closed. */
uint64_t dash_model__tcp_closed(const struct dash_model *m);

/* Probes met in the events (by record type and lost records), in order
 * of first appearance. */
size_t dash_model__probes(const struct dash_model *m);
const struct dash_probe_row *dash_model__probe_at(const struct dash_model *m, size_t i);
/* The probe a record type belongs to (format/EVENTS.md), or NULL. */
const char *dash_probe_of_type(const char *type);

/* ---- play.c: the replay's clock ---------------------------------------- */

/* Speeds: 1x, 2x, 5x, ... up to as fast as the trace can be read. */
#define DASH_SPEED_MAX (-1.0)

/* Trace time mapped to wall time: while playing, the cursor moves from
 * the anchor at speed trace-ns per wall-ns. */
struct dash_play {
	uint64_t first_ns, last_ns; /* the trace's extent */
	uint64_t anchor_ns;	    /* cursor at anchor_wall */
	uint64_t anchor_wall;	    /* monotonic ns */
	int speed;		    /* index into the ladder */
	bool playing;
};

void dash_play__init(struct dash_play *p, uint64_t first_ns, uint64_t last_ns, uint64_t wall);
/* Where the cursor is at wall time wall (within the trace). */
uint64_t dash_play__cursor(const struct dash_play *p, uint64_t wall);
/* Speed of the ladder step (DASH_SPEED_MAX for the last). */
double dash_play__speed(const struct dash_play *p);
/* "1x", "20x", "max". */
const char *dash_play__speed_text(const struct dash_play *p, char *buf, size_t size);
void dash_play__set_playing(struct dash_play *p, bool playing, uint64_t wall);
/* One step up (delta > 0) or down the ladder; the cursor stays put. */
void dash_play__change_speed(struct dash_play *p, int delta, uint64_t wall);
/* Moves the cursor to ts (clamped to the trace). */
void dash_play__seek(struct dash_play *p, uint64_t ts, uint64_t wall);
/* The cell of the timeline strip (ncells across the trace) holding ts. */
size_t dash_play__cell(const struct dash_play *p, uint64_t ts, size_t ncells);
/* Moves the cursor by steps of the trace's length / ncells (a cell of
 * the timeline strip), forward when steps > 0. */
void dash_play__step(struct dash_play *p, int steps, size_t ncells, uint64_t wall);
/* Playing and the events were fed up to the end (position): stop there.
 * Returns true when it stopped now. */
bool dash_play__check_end(struct dash_play *p, uint64_t position, uint64_t wall);

/* ---- player.c: a trace played into a model ----------------------------- */

struct dash_player;

struct dash_player_opts {
	size_t sz;
	const struct trace_reader_opts *reader; /* damage reports, or NULL */
	int64_t pid;			  /* initial filter; < 0 none */
	const char *comm;		  /* initial filter; NULL none */
	size_t strip_buckets;		  /* timeline resolution; 0: 1024 */
};

/* Opens the files (one trace, segments of one recording, or several
 * merged in time order) and sizes the model's windows to the trace's
 * length. NULL and errno set on failure: EXDEV when the files come from
 * different boots (no common timeline). */
struct dash_player *dash_player__open(const char *const *paths, size_t n,
				      const struct dash_player_opts *opts);
void dash_player__free(struct dash_player *p);
struct dash_model *dash_player__model(struct dash_player *p);
struct trace_reader *dash_player__reader(struct dash_player *p);
uint64_t dash_player__first_ns(const struct dash_player *p);
uint64_t dash_player__last_ns(const struct dash_player *p);
/* Feeds the events up to and including ts, for at most budget_ns of wall
 * time (0: no limit). 0 when the model is at ts, 1 when there is more to
 * do, or a negative errno from the reader. Going back (ts before the
 * position) clears the model and feeds again from the start. */
int dash_player__advance(struct dash_player *p, uint64_t ts, uint64_t budget_ns);
/* Where the model is: every event with a timestamp up to this was fed. */
uint64_t dash_player__position(const struct dash_player *p);
/* How far a rebuild towards the target is, 0 to 1 (1 when not rebuilding). */
double dash_player__progress(const struct dash_player *p);
/* The user's reset at the position: counting starts over there, and
 * stays so when seeking back to a point after it. */
void dash_player__restart(struct dash_player *p);
/* A new filter: the model is rebuilt from the start to the position. */
int dash_player__set_filter(struct dash_player *p, int64_t pid, const char *comm);

/* The strip: the whole trace's event rate and lost events, read by a
 * second reader ahead of playback, first from the chunks' headers, then
 * exactly from every event. Returns 0 when done, 1 when there is more, a
 * negative errno on failure. */
int dash_player__scan(struct dash_player *p, uint64_t budget_ns);
/* The exact pass is done. */
bool dash_player__scanned(const struct dash_player *p);
/* Events (bookkeeping excluded) and lost events in [from, to) of the trace.
 * Until the exact pass is done: the chunks read so far, each one's events
 * spread evenly over its time range, and for lost the number of lost
 * records in the chunks overlapping (a mark, not a count). */
void dash_player__strip(const struct dash_player *p, uint64_t from, uint64_t to,
			uint64_t *events, uint64_t *lost);

/* ---- keys.c: what a key does ------------------------------------------ */

enum dash_action {
	DASH_ACT_NONE,
	DASH_ACT_QUIT,
	DASH_ACT_PAUSE,		/* p: freeze the display / play-pause in replay */
	DASH_ACT_PLAY,		/* space: play/pause (replay) */
	DASH_ACT_RESET,		/* r */
	DASH_ACT_FILTER,	/* f: open the filter prompt */
	DASH_ACT_FOCUS1,	/* 1..4 */
	DASH_ACT_FOCUS2,
	DASH_ACT_FOCUS3,
	DASH_ACT_FOCUS4,
	DASH_ACT_FOCUS_NEXT,	/* Tab */
	DASH_ACT_REFRESH_UP,	/* +: redraw more often */
	DASH_ACT_REFRESH_DOWN,	/* - */
	DASH_ACT_HELP,		/* h, ? */
	DASH_ACT_SORT,		/* s */
	DASH_ACT_SLOWER,	/* < */
	DASH_ACT_FASTER,	/* > */
	DASH_ACT_BACK,		/* left: one strip cell back */
	DASH_ACT_FORWARD,	/* right */
	DASH_ACT_BACK_MORE,	/* shift-left, b: ten cells */
	DASH_ACT_FORWARD_MORE,	/* shift-right, w */
	DASH_ACT_START,		/* g, Home */
	DASH_ACT_END,		/* G, End */
	DASH_ACT_UP,		/* up: the focused panel's selection */
	DASH_ACT_DOWN,
	DASH_ACT_PAGE_UP,
	DASH_ACT_PAGE_DOWN,
	DASH_ACT_RESIZE,
	DASH_ACT_REDRAW,	/* Ctrl-L */
};

/* The action of a key (an ncurses key code) in the main view; replay-only
 * keys do nothing live. */
enum dash_action dash_keys__action(int key, bool replay);

/* The filter prompt's line. */
#define DASH_PROMPT_MAX 64
struct dash_prompt {
	char text[DASH_PROMPT_MAX];
	size_t len;
};
enum dash_prompt_result { DASH_PROMPT_EDITING, DASH_PROMPT_DONE, DASH_PROMPT_CANCEL };
enum dash_prompt_result dash_prompt__key(struct dash_prompt *p, int key);

/* What the prompt's text asks for: a number is a pid, other text a comm
 * (at most 15 characters), nothing clears both. 0, or -EINVAL with a
 * message in err. */
int dash_parse_filter(const char *text, int64_t *pid, char *comm, size_t comm_size, char *err,
		      size_t err_size);

#endif /* EBPFDASH_MODEL_H */
