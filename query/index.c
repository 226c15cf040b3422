// SPDX-License-Identifier: MIT
/* The SQLite index: opening it, and importing a recording as a session in
 * one transaction with prepared statements. Rows come from the same code
 * the scanner uses (query/rows.c and replay's analyses). */
#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <stdarg.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "query/dbschema.h"
#include "query/index.h"
#include "query/indexdb.h"
#include "query/scan.h"

static int db_fail(struct query_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int db_fail(struct query_error *err, int code, const char *fmt, ...)
{
	if (err) {
		va_list ap;
		memset(err, 0, sizeof(*err));
		err->code = code;
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
	}
	return code;
}

int qdb_error(struct query_db *db, struct query_error *err, const char *what)
{
	return db_fail(err, -EIO, "%s: %s: %s", db->path, what, sqlite3_errmsg(db->db));
}

struct query_db *query_db__open(const char *path, bool create, struct query_error *err)
{
	struct query_db *db = calloc(1, sizeof(*db));
	sqlite3_stmt *st = NULL;
	int rc;

	if (err)
		memset(err, 0, sizeof(*err));
	if (!db) {
		errno = ENOMEM;
		return NULL;
	}
	db->path = strdup(path);
	if (!db->path)
		goto nomem;
	/* Memory statistics take a global mutex on every allocation: a tenth of
	 * an import's time. Only possible before SQLite's first use in the
	 * process; otherwise it stays as it was. */
	static bool configured;
	if (!configured) {
		sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
		configured = true;
	}
	if (!create && access(path, F_OK) != 0) {
		db_fail(err, -ENOENT, "%s: no such index; build one with 'ebpf-query index TRACE... "
				     "--db %s'", path, path);
		errno = ENOENT;
		goto fail;
	}
	rc = sqlite3_open_v2(path, &db->db,
			     SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX |
				     (create ? SQLITE_OPEN_CREATE : 0), NULL);
	if (rc != SQLITE_OK) {
		db_fail(err, -EIO, "cannot open index %s: %s", path,
			db->db ? sqlite3_errmsg(db->db) : sqlite3_errstr(rc));
		errno = EIO;
		goto fail;
	}
	sqlite3_busy_timeout(db->db, 10000);
	/* Is it ours? An empty file becomes one. */
	rc = sqlite3_prepare_v2(db->db, "PRAGMA application_id", -1, &st, NULL);
	if (rc != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW) {
		db_fail(err, -EBADMSG, "%s is damaged or not an index (%s); 'ebpf-query index "
				       "--rebuild --db %s' moves it aside and builds a new one",
			path, sqlite3_errmsg(db->db), path);
		errno = EBADMSG;
		goto fail;
	}
	int app = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	st = NULL;
	int64_t tables = 0;
	rc = sqlite3_prepare_v2(db->db, "SELECT count(*) FROM sqlite_schema", -1, &st, NULL);
	if (rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		tables = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	st = NULL;
	if (app != QDB_APPLICATION_ID && tables) {
		db_fail(err, -EPROTO, "%s is a SQLite database but not an ebpf-query index; give "
				      "another --db file", path);
		errno = EPROTO;
		goto fail;
	}
	int version = 0;
	rc = sqlite3_prepare_v2(db->db, "PRAGMA user_version", -1, &st, NULL);
	if (rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	st = NULL;
	if (version && version < QDB_SCHEMA_VERSION) {
		db_fail(err, -ENOTSUP, "%s was made by an older ebpf-query (schema %d, this one "
				       "uses %d); 'ebpf-query index --rebuild --db %s' builds it anew "
				       "from its traces", path, version, QDB_SCHEMA_VERSION, path);
		errno = ENOTSUP;
		goto fail;
	}
	if (version > QDB_SCHEMA_VERSION) {
		db_fail(err, -ENOTSUP, "%s was made by a newer ebpf-query (schema %d, this one "
				       "knows %d); upgrade ebpf-query", path, version,
			QDB_SCHEMA_VERSION);
		errno = ENOTSUP;
		goto fail;
	}
	if (sqlite3_exec(db->db, "PRAGMA journal_mode=DELETE; PRAGMA synchronous=NORMAL;"
				 " PRAGMA cache_size=-65536; PRAGMA temp_store=MEMORY;",
			 NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_exec(db->db, qdb_schema, NULL, NULL, NULL) != SQLITE_OK) {
		rc = sqlite3_errcode(db->db);
		if (rc == SQLITE_CORRUPT || rc == SQLITE_NOTADB)
			db_fail(err, -EBADMSG, "%s is damaged (%s); 'ebpf-query index --rebuild --db "
					       "%s' moves it aside and builds a new one",
				path, sqlite3_errmsg(db->db), path);
		else
			qdb_error(db, err, "cannot set up the index");
		errno = EIO;
		goto fail;
	}
	if (!app || version < QDB_SCHEMA_VERSION) {
		char pragma[128];
		snprintf(pragma, sizeof(pragma), "PRAGMA application_id=%d; PRAGMA user_version=%d;",
			 QDB_APPLICATION_ID, QDB_SCHEMA_VERSION);
		if (sqlite3_exec(db->db, pragma, NULL, NULL, NULL) != SQLITE_OK) {
			qdb_error(db, err, "cannot set up the index");
			errno = EIO;
			goto fail;
		}
	}
	return db;
nomem:
	errno = ENOMEM;
	db_fail(err, -ENOMEM, "out of memory");
fail:
	{
		int saved = errno;
		sqlite3_finalize(st);
		query_db__close(db);
		errno = saved;
	}
	return NULL;
}

const char *query_db__path(const struct query_db *db)
{
	return db->path;
}

void query_db__close(struct query_db *db)
{
	if (!db)
		return;
	sqlite3_close(db->db);
	free(db->path);
	free(db);
}

/* ---- import ------------------------------------------------------------------ */

/* Size and newest modification time of a trace: one file, or segments. */
static int trace_files_stat(const char *path, int64_t *size, int64_t *mtime)
{
	struct stat sb;

	*size = 0;
	*mtime = 0;
	if (stat(path, &sb) == 0) {
		*size = sb.st_size;
		*mtime = (int64_t)sb.st_mtim.tv_sec * 1000000000 + sb.st_mtim.tv_nsec;
		return 0;
	}
	char pat[PATH_MAX + 16];
	glob_t g;
	snprintf(pat, sizeof(pat), "%s.[0-9][0-9][0-9][0-9]*", path);
	if (glob(pat, 0, NULL, &g) != 0)
		return -ENOENT;
	for (size_t i = 0; i < g.gl_pathc; i++) {
		if (stat(g.gl_pathv[i], &sb) != 0)
			continue;
		*size += sb.st_size;
		int64_t m = (int64_t)sb.st_mtim.tv_sec * 1000000000 + sb.st_mtim.tv_nsec;
		if (m > *mtime)
			*mtime = m;
	}
	globfree(&g);
	return 0;
}

/* The absolute path of a trace (its directory resolved; the base name of
 * segments need not exist). */
static void abs_path(const char *path, char *out, size_t size)
{
	char dir[PATH_MAX], res[PATH_MAX];
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;

	if (slash)
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path == 0 ? 1 : slash - path), path);
	else
		snprintf(dir, sizeof(dir), ".");
	if (!realpath(dir, res)) {
		snprintf(out, size, "%s", path);
		return;
	}
	size_t n = strlen(res);
	if (n + 1 + strlen(base) + 1 > size) {
		snprintf(out, size, "%s", path);
		return;
	}
	memcpy(out, res, n);
	if (strcmp(res, "/"))
		out[n++] = '/';
	strcpy(out + n, base);
}

enum {
	S_OPEN,
	S_SYSCALL,
	S_HIST,
	S_TCPS,
	S_UDP,
	S_LOST,
	S_TCPC,
	S_FLOW,
	S_PROC,
	S_NAME,
	S_META,
	S_BLOCK,
	S__N
};

static const char *const insert_sql[S__N] = {
	[S_OPEN] = "INSERT INTO opens VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13)",
	[S_SYSCALL] = "INSERT INTO syscalls VALUES (?1,?2,?3,?4,?5,?6,?7,?8)",
	[S_HIST] = "INSERT INTO syscall_hist VALUES (?1,?2,?3,?4,?5,?6,?7)",
	[S_TCPS] = "INSERT INTO tcp_states VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12)",
	[S_UDP] = "INSERT INTO udp VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14)",
	[S_LOST] = "INSERT INTO lost VALUES (?1,?2,?3,?4,?5,?6)",
	[S_TCPC] = "INSERT INTO tcp_connections VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,"
		   "?13,?14,?15,?16,?17,?18)",
	[S_FLOW] = "INSERT INTO udp_flows VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,"
		   "?14,?15)",
	[S_PROC] = "INSERT INTO processes VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11)",
	[S_NAME] = "INSERT OR REPLACE INTO syscall_names VALUES (?1,?2,?3)",
	[S_META] = "INSERT OR REPLACE INTO session_meta VALUES (?1,?2,?3)",
	[S_BLOCK] = "INSERT INTO row_blocks VALUES (?1,?2,?3,?4,?5,?6)",
};

/* Table columns (after session) as qrows columns of the kind. */
static const int8_t open_map[] = { 0, 6, 1, 2, 3, 7, 9, 10, 11, 5, 4, 12, -1 };
static const int8_t syscall_map[] = { 0, 6, 1, 2, 5, 7, 3, -1 };
static const int8_t tcps_map[] = { 0, 10, 1, 2, 3, 4, 5, 6, 7, 8, 9, -1 };
static const int8_t udp_map[] = { 0, 11, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, -1 };
static const int8_t lost_map[] = { 0, 1, 2, 3, 4, -1 };

/* Rows of the big tables go in by BATCH per statement: a multi-row
 * INSERT costs one statement execution for BATCH rows. */
#define BATCH 256
#define SLOT 512

struct batch {
	const char *table;
	int ncols; /* values per row, the session included */
	int k;	   /* rows waiting */
	sqlite3_stmt *full;
	struct qrval *vals; /* BATCH * ncols */
	char *text;	    /* BATCH * ncols * SLOT */
	/* The open row block (row_blocks): rowids and time bounds. */
	bool blocks;
	int64_t first_row, last_row, min_ts, max_ts;
	int64_t nrows;
};

/* Rows per row_blocks entry: a time range reads at most this many rows
 * outside it at each end. */
#define BLOCK_ROWS 4096

struct importer {
	struct query_db *db;
	struct query_error *err;
	int64_t sid;
	sqlite3_stmt *st[S__N];
	struct qrows *rows[S_LOST + 1];
	struct tcp_analysis *tcp;
	struct udp_analysis *udp;
	struct procs_analysis *procs;
	struct syscall_names *names;
	struct tcp_conn *closed;
	size_t nclosed, capclosed;
	int cb_err;
	uint64_t nrows, events, lost;
	char *json;
	size_t jsoncap;
	struct batch batch[S_LOST + 1];
};

static void bind_val(sqlite3_stmt *st, int i, const struct qrval *v)
{
	if (v->null)
		sqlite3_bind_null(st, i);
	else if (v->s)
		sqlite3_bind_text(st, i, v->s, v->len ? (int)v->len : -1, SQLITE_STATIC);
	else
		sqlite3_bind_int64(st, i, v->i);
}

static int step(struct importer *im, int which)
{
	sqlite3_stmt *st = im->st[which];
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return qdb_error(im->db, im->err, "cannot insert");
	im->nrows++;
	return 0;
}

static int batch_init(struct importer *im, struct batch *b, const char *table, int ncols,
		      bool blocks)
{
	b->blocks = blocks;
	char *sql = malloc((size_t)BATCH * (size_t)ncols * 4 + 64);
	size_t len = 0;

	b->table = table;
	b->ncols = ncols;
	b->vals = calloc((size_t)BATCH * (size_t)ncols, sizeof(*b->vals));
	b->text = malloc((size_t)BATCH * (size_t)ncols * SLOT);
	if (!sql || !b->vals || !b->text) {
		free(sql);
		return -ENOMEM;
	}
	len += (size_t)sprintf(sql, "INSERT INTO %s VALUES ", table);
	for (int r = 0; r < BATCH; r++) {
		sql[len++] = r ? ',' : '(';
		if (r)
			sql[len++] = '(';
		for (int c = 0; c < ncols; c++) {
			if (c)
				sql[len++] = ',';
			sql[len++] = '?';
		}
		sql[len++] = ')';
	}
	sql[len] = '\0';
	int rc = sqlite3_prepare_v3(im->db->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &b->full, NULL);
	free(sql);
	return rc == SQLITE_OK ? 0 : qdb_error(im->db, im->err, "cannot prepare an insert");
}

static void batch_free(struct batch *b)
{
	sqlite3_finalize(b->full);
	free(b->vals);
	free(b->text);
}

static int block_write(struct importer *im, struct batch *b)
{
	sqlite3_stmt *st = im->st[S_BLOCK];

	if (!b->nrows)
		return 0;
	sqlite3_bind_int64(st, 1, im->sid);
	sqlite3_bind_text(st, 2, b->table, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, b->first_row);
	sqlite3_bind_int64(st, 4, b->last_row);
	sqlite3_bind_int64(st, 5, b->min_ts);
	sqlite3_bind_int64(st, 6, b->max_ts);
	b->nrows = 0;
	return step(im, S_BLOCK);
}

/* Rows [first, last] were just inserted: into the open block. */
static int block_add(struct importer *im, struct batch *b, int64_t first, int64_t last)
{
	for (int r = 0; r < b->k; r++) {
		int64_t ts = b->vals[r * b->ncols + 1].i; /* ts follows the session */
		if (!b->nrows && !r) {
			b->first_row = first;
			b->min_ts = b->max_ts = ts;
		}
		if (ts < b->min_ts)
			b->min_ts = ts;
		if (ts > b->max_ts)
			b->max_ts = ts;
	}
	b->last_row = last;
	b->nrows += b->k;
	return b->nrows >= BLOCK_ROWS ? block_write(im, b) : 0;
}

static int batch_flush(struct importer *im, struct batch *b)
{
	sqlite3_stmt *st = b->full;
	int ret = 0;

	if (!b->k)
		return 0;
	if (b->k < BATCH) {
		/* The last rows: a statement of their number, once per import. */
		char *sql = malloc((size_t)b->k * (size_t)b->ncols * 4 + 64);
		size_t len;
		if (!sql)
			return -ENOMEM;
		len = (size_t)sprintf(sql, "INSERT INTO %s VALUES ", b->table);
		for (int r = 0; r < b->k; r++) {
			len += (size_t)sprintf(sql + len, "%s(", r ? "," : "");
			for (int c = 0; c < b->ncols; c++)
				len += (size_t)sprintf(sql + len, "%s?", c ? "," : "");
			sql[len++] = ')';
		}
		sql[len] = '\0';
		st = NULL;
		int rc = sqlite3_prepare_v2(im->db->db, sql, -1, &st, NULL);
		free(sql);
		if (rc != SQLITE_OK)
			return qdb_error(im->db, im->err, "cannot prepare an insert");
	}
	for (int i = 0; i < b->k * b->ncols; i++)
		bind_val(st, i + 1, &b->vals[i]);
	if (sqlite3_step(st) != SQLITE_DONE)
		ret = qdb_error(im->db, im->err, "cannot insert");
	sqlite3_reset(st);
	if (st != b->full)
		sqlite3_finalize(st);
	if (!ret) {
		im->nrows += (uint64_t)b->k;
		/* One INSERT of k rows takes k consecutive rowids. */
		int64_t last = sqlite3_last_insert_rowid(im->db->db);
		if (b->blocks)
			ret = block_add(im, b, last - b->k + 1, last);
	}
	b->k = 0;
	return ret;
}

static int insert_event(struct importer *im, struct batch *b, struct qrows *x, const int8_t *map,
			int extra)
{
	struct qrval *row = &b->vals[b->k * b->ncols];
	char *text = &b->text[(size_t)b->k * (size_t)b->ncols * SLOT];
	int i = 1;

	row[0] = (struct qrval){ .i = im->sid };
	for (; *map >= 0; map++, i++) {
		qrows__get(x, *map, &row[i]);
		if (!row[i].null && row[i].s) {
			/* Copied: the record's text changes with the next event. */
			size_t n = strnlen(row[i].s, SLOT - 1);
			memcpy(text + (size_t)i * SLOT, row[i].s, n);
			text[(size_t)i * SLOT + n] = '\0';
			row[i].s = text + (size_t)i * SLOT;
			row[i].len = (uint32_t)n;
		}
	}
	if (extra >= 0)
		row[i] = (struct qrval){ .i = extra };
	if (++b->k == BATCH)
		return batch_flush(im, b);
	return 0;
}

static int insert_hist(struct importer *im, const struct trace_event *ev)
{
	static const char *const f[] = { "nr", "count", "total_ns", "max_ns", "slots" };
	sqlite3_stmt *st = im->st[S_HIST];
	const struct trace_field_desc *fd[5];

	for (int i = 0; i < 5; i++)
		fd[i] = trace_schema__find_field(ev->schema, f[i]);
	sqlite3_bind_int64(st, 1, im->sid);
	sqlite3_bind_int64(st, 2, (int64_t)ev->ts);
	for (int i = 0; i < 4; i++)
		sqlite3_bind_int64(st, 3 + i, (int64_t)replay_field_u64(fd[i], ev->data));
	size_t n = fd[4] && fd[4]->type != TRACE_FIELD_STR && fd[4]->type != TRACE_FIELD_BYTES
		? fd[4]->count : 0;
	if (im->jsoncap < 24 * n + 4) {
		char *nj = realloc(im->json, 24 * n + 4);
		if (!nj)
			return -ENOMEM;
		im->json = nj;
		im->jsoncap = 24 * n + 4;
	}
	size_t len = 0;
	im->json[len++] = '[';
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(im->json + len, im->jsoncap - len, "%s%llu", i ? "," : "",
					(unsigned long long)trace_field__u64(fd[4], ev->data, i));
	im->json[len++] = ']';
	sqlite3_bind_text(st, 7, im->json, (int)len, SQLITE_STATIC);
	return step(im, S_HIST);
}

static void on_close(const struct tcp_conn *c, void *ctx)
{
	struct importer *im = ctx;

	if (im->nclosed == im->capclosed) {
		size_t ncap = im->capclosed ? im->capclosed * 2 : 256;
		struct tcp_conn *n = realloc(im->closed, ncap * sizeof(*n));
		if (!n) {
			im->cb_err = -ENOMEM;
			return;
		}
		im->closed = n;
		im->capclosed = ncap;
	}
	im->closed[im->nclosed++] = *c;
}

/* Derived rows bound from a qrval row, table column i+2 = row[map[i]]. */
static int insert_row(struct importer *im, int which, const struct qrval *row, const int8_t *map)
{
	sqlite3_stmt *st = im->st[which];
	int i = 2;

	sqlite3_bind_int64(st, 1, im->sid);
	for (; *map >= 0; map++, i++)
		bind_val(st, i, &row[*map]);
	return step(im, which);
}

/* tcp_connections: start end duration skaddr pid comm family saddr sport
 * daddr dport tx rx segs_out segs_in state flags (raw flags bound apart). */
static const int8_t tcpc_map[] = { 0, 1, 13, 18, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14, -1 };
/* udp_flows: first last skaddr pid comm family saddr sport daddr dport tx rx txp rxp */
static const int8_t flow_map[] = { 0, 1, 15, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 13, -1 };

static int insert_conn(struct importer *im, const struct tcp_conn *c)
{
	struct qrval row[32];
	char addr[2][64];

	memset(row, 0, sizeof(row));
	qrow_from_tcp(c, row, addr);
	sqlite3_bind_int64(im->st[S_TCPC], 18, c->flags);
	return insert_row(im, S_TCPC, row, tcpc_map);
}

static int finish_derived(struct importer *im)
{
	struct qrval row[32];
	char addr[2][64];
	int ret = 0;

	for (size_t i = 0; !ret && i < im->nclosed; i++)
		ret = insert_conn(im, &im->closed[i]);
	/* See scan_tcp: only when some are open. */
	struct tcp_totals tt;
	tcp_analysis__totals(im->tcp, &tt);
	size_t n = tt.open ? tcp_analysis__nopen(im->tcp) : 0;
	for (size_t i = 0; !ret && i < n; i++)
		ret = insert_conn(im, tcp_analysis__open_at(im->tcp, i));
	n = udp_analysis__nflows(im->udp);
	for (size_t i = 0; !ret && i < n; i++) {
		memset(row, 0, sizeof(row));
		qrow_from_flow(udp_analysis__flow_at(im->udp, i), row, addr);
		ret = insert_row(im, S_FLOW, row, flow_map);
	}
	n = procs_analysis__count(im->procs);
	for (size_t i = 0; !ret && i < n; i++) {
		const struct proc_info *p = procs_analysis__at(im->procs, i);
		sqlite3_stmt *st = im->st[S_PROC];
		memset(row, 0, sizeof(row));
		qrow_from_proc(p, row);
		sqlite3_bind_int64(st, 1, im->sid);
		for (int c = 0; c < 4; c++)
			bind_val(st, 2 + c, &row[c]);
		bind_val(st, 6, &row[4]);
		bind_val(st, 7, &row[5]);
		bind_val(st, 8, &row[6]);
		sqlite3_bind_int64(st, 9, p->exit_status);
		bind_val(st, 10, &row[12]);
		bind_val(st, 11, &row[13]);
		ret = step(im, S_PROC);
	}
	for (uint32_t nr = 0; !ret && nr < 8192; nr++) {
		const char *name = syscall_names__get(im->names, nr);
		if (!name)
			continue;
		sqlite3_bind_int64(im->st[S_NAME], 1, im->sid);
		sqlite3_bind_int64(im->st[S_NAME], 2, nr);
		sqlite3_bind_text(im->st[S_NAME], 3, name, -1, SQLITE_STATIC);
		ret = step(im, S_NAME);
	}
	return ret;
}

static int exec_sql(struct query_db *db, struct query_error *err, const char *sql)
{
	if (sqlite3_exec(db->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return qdb_error(db, err, "cannot update the index");
	return 0;
}

static int delete_session_rows(struct query_db *db, struct query_error *err, int64_t id,
			       bool session_too)
{
	char sql[160];

	for (size_t i = 0; qdb_session_tables[i]; i++) {
		snprintf(sql, sizeof(sql), "DELETE FROM %s WHERE session = %lld",
			 qdb_session_tables[i], (long long)id);
		int ret = exec_sql(db, err, sql);
		if (ret)
			return ret;
	}
	if (session_too) {
		snprintf(sql, sizeof(sql), "DELETE FROM sessions WHERE id = %lld", (long long)id);
		return exec_sql(db, err, sql);
	}
	return 0;
}

static void importer_free(struct importer *im)
{
	for (int i = 0; i < S__N; i++)
		sqlite3_finalize(im->st[i]);
	for (int i = 0; i <= S_LOST; i++) {
		qrows__free(im->rows[i]);
		if (i != S_HIST)
			batch_free(&im->batch[i]);
	}
	tcp_analysis__free(im->tcp);
	udp_analysis__free(im->udp);
	procs_analysis__free(im->procs);
	syscall_names__free(im->names);
	free(im->closed);
	free(im->json);
}

static void on_damage(const struct trace_damage *d, void *ctx)
{
	(void)ctx;
	fprintf(stderr, "ebpf-query: %s: damaged data at offset %llu (%llu bytes skipped): %s\n",
		d->path, (unsigned long long)d->offset, (unsigned long long)d->length, d->what);
}

/* Which table an event goes to, cached per schema. */
struct route {
	const struct trace_schema *schema;
	int which; /* S_*, or -1: analyses only */
};

static int route_of(const struct trace_event *ev)
{
	const char *n = trace_schema__name(ev->schema);

	if (ev->type == TRACE_TYPE_LOST)
		return S_LOST;
	if (strcmp(n, "open") == 0)
		return S_OPEN;
	if (strcmp(n, "syscall") == 0)
		return S_SYSCALL;
	if (strcmp(n, "syscall_hist") == 0)
		return S_HIST;
	if (strcmp(n, "tcp_state") == 0)
		return S_TCPS;
	if (strcmp(n, "udp") == 0)
		return S_UDP;
	return -1;
}

static int import_events(struct importer *im, struct trace_reader *rd, const char *path)
{
	struct trace_event ev;
	struct route cache[64] = { 0 };
	int ret;

	while ((ret = trace_reader__next(rd, &ev)) == 0) {
		im->events++;
		struct route *rt = &cache[((uintptr_t)ev.schema >> 4) % 64];
		if (rt->schema != ev.schema) {
			rt->schema = ev.schema;
			rt->which = route_of(&ev);
		}
		switch (rt->which) {
		case S_OPEN:
			if (qrows__bind(im->rows[S_OPEN], &ev))
				ret = insert_event(im, &im->batch[S_OPEN], im->rows[S_OPEN], open_map, -1);
			break;
		case S_SYSCALL:
			if (qrows__bind(im->rows[S_SYSCALL], &ev))
				ret = insert_event(im, &im->batch[S_SYSCALL], im->rows[S_SYSCALL],
						   syscall_map, -1);
			break;
		case S_HIST:
			ret = insert_hist(im, &ev);
			break;
		case S_TCPS:
			if (qrows__bind(im->rows[S_TCPS], &ev))
				ret = insert_event(im, &im->batch[S_TCPS], im->rows[S_TCPS], tcps_map, -1);
			if (!ret)
				ret = tcp_analysis__feed(im->tcp, &ev);
			break;
		case S_UDP:
			if (qrows__bind(im->rows[S_UDP], &ev))
				ret = insert_event(im, &im->batch[S_UDP], im->rows[S_UDP], udp_map, ev.file);
			if (!ret)
				ret = udp_analysis__feed(im->udp, &ev);
			break;
		case S_LOST:
			if (qrows__bind(im->rows[S_LOST], &ev)) {
				struct qrval v;
				qrows__get(im->rows[S_LOST], 4, &v);
				im->lost += (uint64_t)v.i;
				ret = insert_event(im, &im->batch[S_LOST], im->rows[S_LOST], lost_map, -1);
			}
			break;
		default: {
			const char *n = trace_schema__name(ev.schema);
			if (strcmp(n, "tcp_life") == 0)
				ret = tcp_analysis__feed(im->tcp, &ev);
			else if (strcmp(n, "syscall_name") == 0)
				ret = syscall_names__feed(im->names, &ev);
			else if (ev.type == TRACE_TYPE_PROCESS || strcmp(n, "exec") == 0 ||
				 strcmp(n, "fork") == 0 || strcmp(n, "exit") == 0)
				ret = procs_analysis__feed(im->procs, &ev);
			break;
		}
		}
		if (!ret && im->cb_err)
			ret = im->cb_err;
		if (ret)
			return ret;
	}
	if (ret != -ENOENT)
		return db_fail(im->err, ret, "%s: %s", path, trace_strerror(ret));
	return 0;
}

static int64_t lookup_i64(struct query_db *db, const char *sql, const char *arg, int64_t *out3)
{
	sqlite3_stmt *st = NULL;
	int64_t id = 0;

	if (sqlite3_prepare_v2(db->db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, arg, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) == SQLITE_ROW) {
		id = sqlite3_column_int64(st, 0);
		if (out3) {
			out3[0] = sqlite3_column_int64(st, 1);
			out3[1] = sqlite3_column_int64(st, 2);
			out3[2] = sqlite3_column_type(st, 3) == SQLITE_TEXT;
		}
	}
	sqlite3_finalize(st);
	return id;
}

int query_db__index(struct query_db *db, const char *trace_path, struct query_index_stats *out,
		    struct query_error *err)
{
	struct query_index_stats st_local;
	struct query_index_stats *st = out ? out : &st_local;
	struct importer im = { .db = db, .err = err };
	struct trace_reader_opts ro = { .sz = sizeof(ro), .on_damage = on_damage };
	struct trace_reader *rd = NULL;
	struct qsession_info si;
	struct timespec t0, t1, c0, c1;
	char path[PATH_MAX];
	int64_t size, mtime;
	bool in_tx = false;
	int ret = 0;

	memset(st, 0, sizeof(*st));
	if (err)
		memset(err, 0, sizeof(*err));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
	abs_path(trace_path, path, sizeof(path));
	if (trace_files_stat(trace_path, &size, &mtime))
		return db_fail(err, -ENOENT, "%s: no such trace", trace_path);
	rd = trace_reader__open(trace_path, &ro);
	if (!rd) {
		ret = -errno;
		return db_fail(err, ret, "cannot read %s: %s", trace_path, trace_strerror(ret));
	}
	qsession_info(rd, &si);

	/* Unchanged since the last import of this session from this path? */
	int64_t prev[3] = { 0 };
	int64_t existing = lookup_i64(db, "SELECT id, file_size, file_mtime_ns, path FROM sessions"
					  " WHERE key = ?1", si.key, prev);
	if (existing > 0) {
		int64_t same_path = lookup_i64(db, "SELECT id FROM sessions WHERE path = ?1", path,
					       NULL);
		if (prev[0] == size && prev[1] == mtime && same_path == existing) {
			st->session = existing;
			st->unchanged = true;
			goto cleanup;
		}
	}
	ret = exec_sql(db, err, "BEGIN IMMEDIATE");
	if (ret)
		goto cleanup;
	in_tx = true;
	/* A different recording made earlier to the same path is replaced. */
	for (;;) {
		sqlite3_stmt *s = NULL;
		int64_t other = 0;
		if (sqlite3_prepare_v2(db->db, "SELECT id FROM sessions WHERE path = ?1 AND key != ?2",
				       -1, &s, NULL) != SQLITE_OK) {
			ret = qdb_error(db, err, "cannot look up sessions");
			goto cleanup;
		}
		sqlite3_bind_text(s, 1, path, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, si.key, -1, SQLITE_STATIC);
		if (sqlite3_step(s) == SQLITE_ROW)
			other = sqlite3_column_int64(s, 0);
		sqlite3_finalize(s);
		if (other <= 0)
			break;
		ret = delete_session_rows(db, err, other, true);
		if (ret)
			goto cleanup;
		st->replaced = true;
	}
	if (existing > 0) {
		ret = delete_session_rows(db, err, existing, false);
		if (ret)
			goto cleanup;
		st->replaced = true;
	}
	{
		sqlite3_stmt *s = NULL;
		const char *host = trace_reader__meta(rd, 0, "host.hostname");
		const char *kernel = trace_reader__meta(rd, 0, "host.kernel_release");
		if (sqlite3_prepare_v2(db->db,
				       "INSERT OR REPLACE INTO sessions (id, key, path, host, kernel,"
				       " start_ts, end_ts, real_offset_ns, events, lost, file_size,"
				       " file_mtime_ns) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,0,0,?9,?10)",
				       -1, &s, NULL) != SQLITE_OK) {
			ret = qdb_error(db, err, "cannot add the session");
			goto cleanup;
		}
		if (existing > 0)
			sqlite3_bind_int64(s, 1, existing);
		sqlite3_bind_text(s, 2, si.key, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, path, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 4, host, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 5, kernel, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 6, (int64_t)si.start);
		sqlite3_bind_int64(s, 7, (int64_t)si.end);
		if (si.has_real)
			sqlite3_bind_int64(s, 8, si.real_offset);
		sqlite3_bind_int64(s, 9, size);
		sqlite3_bind_int64(s, 10, mtime);
		int rc = sqlite3_step(s);
		sqlite3_finalize(s);
		if (rc != SQLITE_DONE) {
			ret = qdb_error(db, err, "cannot add the session");
			goto cleanup;
		}
		im.sid = existing > 0 ? existing : sqlite3_last_insert_rowid(db->db);
	}
	for (int i = 0; i < S__N; i++) {
		if (sqlite3_prepare_v3(db->db, insert_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
				       &im.st[i], NULL) != SQLITE_OK) {
			ret = qdb_error(db, err, "cannot prepare an insert");
			goto cleanup;
		}
	}
	struct tcp_analysis_opts to = { .sz = sizeof(to), .on_close = on_close, .ctx = &im };
	struct udp_analysis_opts uo = { .sz = sizeof(uo), .max_flows = (size_t)1 << 30 };
	im.rows[S_OPEN] = qrows__new(QK_OPENS);
	im.rows[S_SYSCALL] = qrows__new(QK_SYSCALLS);
	im.rows[S_TCPS] = qrows__new(QK_TCP_STATES);
	im.rows[S_UDP] = qrows__new(QK_UDP);
	im.rows[S_LOST] = qrows__new(QK_LOST);
	im.tcp = tcp_analysis__new(&to);
	im.udp = udp_analysis__new(&uo);
	im.procs = procs_analysis__new();
	im.names = syscall_names__new();
	if (!im.rows[S_OPEN] || !im.rows[S_SYSCALL] || !im.rows[S_TCPS] || !im.rows[S_UDP] ||
	    !im.rows[S_LOST] || !im.tcp || !im.udp || !im.procs || !im.names) {
		ret = db_fail(err, -ENOMEM, "out of memory");
		goto cleanup;
	}
	/* The big tables are found by row blocks, the small ones by index. */
	static const struct {
		int which;
		const char *table;
		int ncols;
		bool blocks;
	} bt[] = { { S_OPEN, "opens", 13, true },	 { S_SYSCALL, "syscalls", 8, true },
		   { S_TCPS, "tcp_states", 12, false }, { S_UDP, "udp", 14, true },
		   { S_LOST, "lost", 6, false } };
	for (size_t i = 0; i < sizeof(bt) / sizeof(bt[0]); i++) {
		ret = batch_init(&im, &im.batch[bt[i].which], bt[i].table, bt[i].ncols,
				 bt[i].blocks);
		if (ret)
			goto cleanup;
	}
	ret = import_events(&im, rd, trace_path);
	for (size_t i = 0; !ret && i < sizeof(bt) / sizeof(bt[0]); i++) {
		ret = batch_flush(&im, &im.batch[bt[i].which]);
		if (!ret && bt[i].blocks)
			ret = block_write(&im, &im.batch[bt[i].which]);
	}
	if (!ret)
		ret = finish_derived(&im);
	if (ret)
		goto cleanup;
	{
		const char *k, *v;
		for (size_t i = 0; !ret && trace_reader__meta_at(rd, 0, i, &k, &v) == 0; i++) {
			sqlite3_bind_int64(im.st[S_META], 1, im.sid);
			sqlite3_bind_text(im.st[S_META], 2, k, -1, SQLITE_STATIC);
			sqlite3_bind_text(im.st[S_META], 3, v, -1, SQLITE_STATIC);
			ret = step(&im, S_META);
		}
		if (ret)
			goto cleanup;
		char sql[256];
		snprintf(sql, sizeof(sql), "UPDATE sessions SET events = %llu, lost = %llu WHERE id = %lld",
			 (unsigned long long)im.events, (unsigned long long)im.lost,
			 (long long)im.sid);
		ret = exec_sql(db, err, sql);
		if (ret)
			goto cleanup;
	}
	ret = exec_sql(db, err, "COMMIT");
	if (ret)
		goto cleanup;
	in_tx = false;
	st->session = im.sid;
	st->events = im.events;
	st->rows = im.nrows;
cleanup:
	if (in_tx)
		sqlite3_exec(db->db, "ROLLBACK", NULL, NULL, NULL);
	if (ret == -ENOMEM && err && !err->msg[0])
		db_fail(err, -ENOMEM, "out of memory");
	importer_free(&im);
	trace_reader__close(rd);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
	st->seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	st->cpu_seconds = (double)(c1.tv_sec - c0.tv_sec) + (double)(c1.tv_nsec - c0.tv_nsec) / 1e9;
	return ret;
}
