// SPDX-License-Identifier: MIT
/* Keys: what each one does, the filter prompt's line editing, and what the
 * prompt's text asks for. Key codes are ncurses' (its header only: nothing
 * here draws). */
#include <curses.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replay/dash/model.h"

#define CTRL(c) ((c) & 0x1f)

enum dash_action dash_keys__action(int key, bool replay)
{
	switch (key) {
	case 'q': case 'Q': return DASH_ACT_QUIT;
	case 'p': case 'P': return DASH_ACT_PAUSE;
	case 'r': case 'R': return DASH_ACT_RESET;
	case 'f': case 'F': case '/': return DASH_ACT_FILTER;
	case '1': return DASH_ACT_FOCUS1;
	case '2': return DASH_ACT_FOCUS2;
	case '3': return DASH_ACT_FOCUS3;
	case '4': return DASH_ACT_FOCUS4;
	case '\t': return DASH_ACT_FOCUS_NEXT;
	case '+': case '=': return DASH_ACT_REFRESH_UP;
	case '-': case '_': return DASH_ACT_REFRESH_DOWN;
	case 'h': case 'H': case '?': case KEY_F(1): return DASH_ACT_HELP;
	case 's': case 'S': return DASH_ACT_SORT;
	case KEY_UP: case 'k': return DASH_ACT_UP;
	case KEY_DOWN: case 'j': return DASH_ACT_DOWN;
	case KEY_PPAGE: return DASH_ACT_PAGE_UP;
	case KEY_NPAGE: return DASH_ACT_PAGE_DOWN;
	case KEY_RESIZE: return DASH_ACT_RESIZE;
	case CTRL('l'): return DASH_ACT_REDRAW;
	default: break;
	}
	if (!replay)
		return DASH_ACT_NONE;
	switch (key) {
	case ' ': return DASH_ACT_PLAY;
	case '<': case ',': return DASH_ACT_SLOWER;
	case '>': case '.': return DASH_ACT_FASTER;
	case KEY_LEFT: return DASH_ACT_BACK;
	case KEY_RIGHT: return DASH_ACT_FORWARD;
	case KEY_SLEFT: case 'b': return DASH_ACT_BACK_MORE;
	case KEY_SRIGHT: case 'w': return DASH_ACT_FORWARD_MORE;
	case 'g': case KEY_HOME: return DASH_ACT_START;
	case 'G': case KEY_END: return DASH_ACT_END;
	default: return DASH_ACT_NONE;
	}
}

enum dash_prompt_result dash_prompt__key(struct dash_prompt *p, int key)
{
	switch (key) {
	case '\n': case '\r': case KEY_ENTER:
		return DASH_PROMPT_DONE;
	case 27: /* Esc */
	case CTRL('g'): case CTRL('c'):
		return DASH_PROMPT_CANCEL;
	case KEY_BACKSPACE: case 127: case CTRL('h'):
		if (p->len)
			p->text[--p->len] = 0;
		return DASH_PROMPT_EDITING;
	case CTRL('u'):
		p->len = 0;
		p->text[0] = 0;
		return DASH_PROMPT_EDITING;
	default:
		break;
	}
	if (key >= 0x20 && key < 0x7f && p->len + 1 < sizeof(p->text)) {
		p->text[p->len++] = (char)key;
		p->text[p->len] = 0;
	}
	return DASH_PROMPT_EDITING;
}

int dash_parse_filter(const char *text, int64_t *pid, char *comm, size_t comm_size, char *err,
		      size_t err_size)
{
	size_t len;

	while (*text == ' ')
		text++;
	len = strlen(text);
	while (len && text[len - 1] == ' ')
		len--;
	*pid = -1;
	comm[0] = 0;
	if (!len)
		return 0;
	if (strspn(text, "0123456789") == len) {
		char *end;
		errno = 0;
		unsigned long long v = strtoull(text, &end, 10);

		if (errno || v == 0 || v > 0x3fffffff) {
			snprintf(err, err_size, "'%.*s' is not a process id (1 to 1073741823)",
				 (int)(len > 20 ? 20 : len), text);
			return -EINVAL;
		}
		*pid = (int64_t)v;
		return 0;
	}
	if (len > 15 || len >= comm_size) {
		snprintf(err, err_size, "a comm is at most 15 characters ('%.*s...' is %zu)", 15, text,
			 len);
		return -EINVAL;
	}
	memcpy(comm, text, len);
	comm[len] = 0;
	return 0;
}
