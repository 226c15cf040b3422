// SPDX-License-Identifier: MIT
/* The replay's clock: a cursor in trace time that moves with wall time at
 * the chosen speed, from an anchor set at each play, pause, seek or speed
 * change (so changing speed never makes the cursor jump). */
#include <stdio.h>

#include "replay/dash/model.h"

static const double ladder[] = { 1, 2, 5, 10, 20, 50, 100, 1000, 10000, DASH_SPEED_MAX };
#define NSPEEDS (int)(sizeof(ladder) / sizeof(ladder[0]))

void dash_play__init(struct dash_play *p, uint64_t first_ns, uint64_t last_ns, uint64_t wall)
{
	p->first_ns = first_ns;
	p->last_ns = last_ns < first_ns ? first_ns : last_ns;
	p->anchor_ns = first_ns;
	p->anchor_wall = wall;
	p->speed = 0;
	p->playing = false;
}

double dash_play__speed(const struct dash_play *p)
{
	return ladder[p->speed];
}

const char *dash_play__speed_text(const struct dash_play *p, char *buf, size_t size)
{
	if (ladder[p->speed] == DASH_SPEED_MAX)
		snprintf(buf, size, "max");
	else
		snprintf(buf, size, "%.0fx", ladder[p->speed]);
	return buf;
}

uint64_t dash_play__cursor(const struct dash_play *p, uint64_t wall)
{
	if (!p->playing)
		return p->anchor_ns;
	if (ladder[p->speed] == DASH_SPEED_MAX)
		return p->last_ns;
	double moved = wall > p->anchor_wall ? (double)(wall - p->anchor_wall) * ladder[p->speed] : 0;
	double left = (double)(p->last_ns - p->anchor_ns);

	return moved >= left ? p->last_ns : p->anchor_ns + (uint64_t)moved;
}

static void anchor(struct dash_play *p, uint64_t ts, uint64_t wall)
{
	if (ts < p->first_ns)
		ts = p->first_ns;
	if (ts > p->last_ns)
		ts = p->last_ns;
	p->anchor_ns = ts;
	p->anchor_wall = wall;
}

void dash_play__set_playing(struct dash_play *p, bool playing, uint64_t wall)
{
	uint64_t at = dash_play__cursor(p, wall);

	/* Play at the end starts over. */
	if (playing && !p->playing && at >= p->last_ns)
		at = p->first_ns;
	anchor(p, at, wall);
	p->playing = playing;
}

void dash_play__change_speed(struct dash_play *p, int delta, uint64_t wall)
{
	int s = p->speed + delta;

	anchor(p, dash_play__cursor(p, wall), wall);
	p->speed = s < 0 ? 0 : s >= NSPEEDS ? NSPEEDS - 1 : s;
}

void dash_play__seek(struct dash_play *p, uint64_t ts, uint64_t wall)
{
	anchor(p, ts, wall);
}

/* Cell k of ncells starts here (k = ncells: the end). */
static uint64_t cell_start(const struct dash_play *p, uint64_t k, size_t ncells)
{
	uint64_t len = p->last_ns - p->first_ns;

	if (k >= ncells)
		return p->last_ns;
	return p->first_ns + (uint64_t)((double)k * (double)len / (double)ncells);
}

size_t dash_play__cell(const struct dash_play *p, uint64_t ts, size_t ncells)
{
	uint64_t len = p->last_ns - p->first_ns;
	uint64_t k;

	if (!ncells || !len || ts <= p->first_ns)
		return 0;
	if (ts >= p->last_ns)
		return ncells - 1;
	/* The estimate can be one off either way (rounding): settle on the
	 * cell whose start is the last one at or before ts. */
	k = (uint64_t)((double)(ts - p->first_ns) * (double)ncells / (double)len);
	while (k > 0 && cell_start(p, k, ncells) > ts)
		k--;
	while (k + 1 < ncells && cell_start(p, k + 1, ncells) <= ts)
		k++;
	return (size_t)k;
}

void dash_play__step(struct dash_play *p, int steps, size_t ncells, uint64_t wall)
{
	uint64_t at = dash_play__cursor(p, wall);
	int64_t cell;

	if (!ncells)
		ncells = 1;
	if (p->last_ns == p->first_ns) {
		anchor(p, steps < 0 ? p->first_ns : p->last_ns, wall);
		return;
	}
	/* Steps land on cell starts, the last one on the end. */
	cell = at >= p->last_ns ? (int64_t)ncells : (int64_t)dash_play__cell(p, at, ncells);
	if (steps < 0 && at < p->last_ns && cell_start(p, (uint64_t)cell, ncells) < at)
		cell++; /* back from inside a cell: its start is the first step */
	cell += steps;
	if (cell <= 0)
		anchor(p, p->first_ns, wall);
	else
		anchor(p, cell_start(p, (uint64_t)cell, ncells), wall);
}

bool dash_play__check_end(struct dash_play *p, uint64_t position, uint64_t wall)
{
	if (!p->playing || position < p->last_ns)
		return false;
	anchor(p, p->last_ns, wall);
	p->playing = false;
	return true;
}
