// SPDX-License-Identifier: MIT
/*
 * The finished recording goes into the user's default session index
 * (query/index.h), so that `ebpf-query QUERY` with no trace named finds
 * it. Under sudo the index is the invoking user's and stays theirs (the
 * query library picks the path and the owner). Re-recording to a path
 * replaces that path's session. A failure here is a warning: the trace is
 * complete whatever happens to the index.
 */
#include <errno.h>
#include <stdio.h>

#include "query/index.h"
#include "record/record.h"

int record_index__add(const char *path, bool quiet)
{
	struct query_index_stats st;
	struct query_error qe;
	struct query_db *db;
	int err;

	db = query_db__open_default(true, &qe);
	if (!db) {
		fprintf(stderr, RECORD_NAME ": warning: %s was not added to your session index: %s\n",
			path, qe.msg[0] ? qe.msg : "cannot open it");
		return qe.code ? qe.code : -EIO;
	}
	err = query_db__index(db, path, &st, &qe);
	if (err)
		fprintf(stderr, RECORD_NAME ": warning: %s was not added to the session index %s: %s\n",
			path, query_db__path(db), qe.msg[0] ? qe.msg : "indexing failed");
	else if (!quiet)
		fprintf(stderr, RECORD_NAME ": indexed as session %lld in %s%s\n", (long long)st.session,
			query_db__path(db),
			st.replaced ? " (replacing the earlier recording to this path)" : "");
	query_db__close(db);
	return err;
}
