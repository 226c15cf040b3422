// SPDX-License-Identifier: MIT
/* --redact -o OUT [--redact-key FILE]: a copy of the trace for a bug report
 * (replay/redact.h says what is hashed and what stays). */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "replay/out.h"
#include "replay/redact.h"

int tool_redact(struct replay_ctx *c, const char *out_path, const char *key_path)
{
	struct trace_writer_opts wo = { .sz = sizeof(wo), .mode = 0600, .uid = -1, .gid = -1 };
	uint8_t key[REDACT_KEY_SIZE];
	struct redact_stats st;
	struct redactor *r;
	char msg[512];
	bool created = false;
	int err;

	err = key_path ? redact_key__load(key_path, key, &created) : redact_key__random(key);
	if (err == -EINVAL) {
		fprintf(stderr, "ebpf-replay: %s holds no redaction key: a key is 32 hex digits "
			"(e.g. from 'head -c16 /dev/urandom | xxd -p'), or name a file that does not "
			"exist yet to have one made\n", key_path);
		return 1;
	}
	if (err) {
		fprintf(stderr, "ebpf-replay: cannot %s the redaction key %s: %s\n",
			key_path ? "read" : "make", key_path ? key_path : "", strerror(-err));
		return 1;
	}
	if (created)
		fprintf(stderr, "ebpf-replay: made a new redaction key in %s: redact other traces with "
			"it to get the same hashes; never attach it\n", key_path);
	r = redactor__new(key);
	memset(key, 0, sizeof(key));
	if (!r) {
		fprintf(stderr, "ebpf-replay: out of memory\n");
		return 1;
	}
	err = redact__trace(c->r, out_path, r, &wo, &st, msg, sizeof(msg));
	if (err) {
		fprintf(stderr, "ebpf-replay: --redact: %s\n", msg);
		redactor__free(r);
		return 1;
	}
	fprintf(c->out, "%s: %" PRIu64 " events written, redacted (key id %s)", out_path, st.events,
		redactor__key_id(r));
	if (st.skipped)
		fprintf(c->out, "; %" PRIu64 " events of record types this version cannot write "
			"left out", st.skipped);
	if (c->damage_count)
		fprintf(c->out, "; %" PRIu64 " damaged block(s) (%" PRIu64 " bytes) left out",
			c->damage_count, c->damage_bytes);
	fprintf(c->out, "\n");
	redactor__free(r);
	return 0;
}
