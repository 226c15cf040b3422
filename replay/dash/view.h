/* SPDX-License-Identifier: MIT */
/*
 * The dashboard's state on screen and its drawing (view.c: layout, header,
 * timeline strip, status line, footer, help and prompt; panels.c: the four
 * panels). Internal to libebpfdash.
 */
#ifndef EBPFDASH_VIEW_H
#define EBPFDASH_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "replay/dash/dash.h"
#include "replay/dash/model.h"

enum dash_panel { PANEL_HIST, PANEL_TCP, PANEL_EVENTS, PANEL_PROBES, NPANELS };

/* Colour pairs. */
enum { PAIR_TITLE = 1, PAIR_BAR, PAIR_ALERT, PAIR_HEADER, PAIR_CURSOR, PAIR_DIM };

struct dash_probe_info {
	char name[16];
	char strategy[128];
};

struct dash {
	bool live;
	struct dash_model *m;	/* live: owned; replay: the player's */
	struct dash_player *pl; /* replay */
	struct dash_play play;	/* replay */
	struct dash_host host;	/* live */
	struct dash_live_counts counts;
	bool have_counts;

	char title[256];   /* "REPLAY file" or "RECORDING -> file" */
	char hostname[80];
	char kernel[80];
	struct dash_probe_info probes[DASH_MAX_PROBES];
	size_t nprobes;
	uint64_t start_mono;  /* live: when the dashboard opened */
	char live_filter[96]; /* live: what the recorder records */

	/* What the user chose. */
	enum dash_panel focus;
	enum dash_hist_sort hist_sort;
	enum dash_tcp_sort tcp_sort;
	enum dash_type_sort type_sort;
	size_t sel[NPANELS]; /* selected row per panel */
	size_t top[NPANELS]; /* first row shown */
	unsigned refresh_ms;
	bool paused; /* live: the display is frozen */
	bool help;
	bool prompting;
	struct dash_prompt prompt;

	/* The status line: a message until status_until (monotonic ns). */
	char status[256];
	bool status_alert;
	uint64_t status_until;

	/* Terminal. */
	bool curses;	/* initscr done, endwin not yet */
	bool utf8;
	bool colors;
	int strip_cells; /* timeline cells drawn last, for seeking by cell */
	uint64_t next_draw;
	bool dirty;
	bool quit;
	bool synced; /* replay: the play clock was set to the position since the last feed */

	/* Replay: damage met, each block once. */
	uint64_t damaged_blocks, damaged_bytes;
	uint64_t damage_seen[64]; /* (file << 48 | offset) of blocks reported */
	size_t ndamage_seen;
};

/* view.c */
void view__draw(struct dash *d);
/* A message on the status line for a few seconds. */
void view__status(struct dash *d, bool alert, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
uint64_t view__mono_ns(void);

/* Drawing helpers shared with panels.c. */
/* Text at (y, x), at most w columns; returns the columns used. */
int view__put(int y, int x, int w, const char *s);
/* Right-aligned in w columns. */
void view__put_right(int y, int x, int w, const char *s);
/* A panel's title row: "N Name  extra" with a rule to the right. */
void view__title(struct dash *d, int y, int x, int w, enum dash_panel p, const char *name,
		 const char *extra);
/* A bar of value/max over w columns (eighths of a cell in UTF-8). */
void view__bar(struct dash *d, int y, int x, int w, uint64_t value, uint64_t max);
/* A sparkline of n values over n columns, scaled to their maximum. */
void view__spark(struct dash *d, int y, int x, const uint64_t *v, size_t n, bool alert);

/* panels.c: rows a panel would like at width w (title included), and
 * drawing it in the area. */
int panel__want(struct dash *d, enum dash_panel p, int w);
void panel__draw(struct dash *d, enum dash_panel p, int y, int x, int h, int w);
/* Rows a panel can select (for up/down). */
size_t panel__rows(struct dash *d, enum dash_panel p);

#endif /* EBPFDASH_VIEW_H */
