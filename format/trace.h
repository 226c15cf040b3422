/* SPDX-License-Identifier: MIT */
/*
 * libebpftrace: write and read ebpf-trace files (format/FORMAT.md).
 *
 * Conventions, as in libbpf: objects are opaque; int functions return 0 or
 * a negative errno; pointer functions return NULL and set errno.
 * trace_strerror() turns any of those errors into a message for the user.
 * This header compiles on its own and needs nothing beyond libc.
 */
#ifndef EBPFTRACE_TRACE_H
#define EBPFTRACE_TRACE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TRACE_FORMAT_MAJOR 1
#define TRACE_FORMAT_MINOR 0

/* Type ids below this are the format's own record types (lost, process). */
#define TRACE_TYPE_FIRST_USER 16
#define TRACE_TYPE_LOST 1
#define TRACE_TYPE_PROCESS 2

/* ---- schemas ---------------------------------------------------------- */

enum trace_field_type {
	TRACE_FIELD_U8 = 1,
	TRACE_FIELD_U16 = 2,
	TRACE_FIELD_U32 = 3,
	TRACE_FIELD_U64 = 4,
	TRACE_FIELD_S8 = 5,
	TRACE_FIELD_S16 = 6,
	TRACE_FIELD_S32 = 7,
	TRACE_FIELD_S64 = 8,
	TRACE_FIELD_STR = 9,   /* char[size], NUL-terminated within size */
	TRACE_FIELD_BYTES = 10, /* opaque u8[size] */
};

/* How a generic reader should present a field; never changes decoding. */
enum trace_field_hint {
	TRACE_HINT_NONE = 0,
	TRACE_HINT_TIME = 1,     /* u64 CLOCK_BOOTTIME ns: the record's timestamp (exactly one per type) */
	TRACE_HINT_BOOTTIME = 2, /* u64 CLOCK_BOOTTIME ns, another instant */
	TRACE_HINT_DURATION = 3, /* ns */
	TRACE_HINT_ERRNO = 4,    /* signed: >= 0 a result, < 0 a -errno */
	TRACE_HINT_HEX = 5,
	TRACE_HINT_IPADDR = 6,   /* bytes[16]: IPv4 in the first 4 bytes, or IPv6; see the type's family field */
	TRACE_HINT_FAMILY = 7,   /* AF_INET (2) or AF_INET6 (10) */
	TRACE_HINT_PID = 8,
	TRACE_HINT_BYTES = 9,    /* a size in bytes */
};

struct trace_field_desc {
	const char *name;
	uint8_t type;    /* enum trace_field_type */
	uint8_t hint;    /* enum trace_field_hint */
	uint16_t offset; /* in the record */
	uint16_t size;   /* in bytes, all elements */
	uint16_t count;  /* elements: 1, or n for an array of integers */
};

struct trace_schema_desc {
	const char *name;
	uint16_t size; /* bytes of one record */
	uint16_t nfields;
	const struct trace_field_desc *fields;
};

/* A record type as read back from a file. Borrowed from the reader; lives
 * until trace_reader__close(). */
struct trace_schema;

const char *trace_schema__name(const struct trace_schema *s);
/* The type's id within its file (ids differ between files; bind by name). */
uint16_t trace_schema__id(const struct trace_schema *s);
uint16_t trace_schema__size(const struct trace_schema *s);
size_t trace_schema__nfields(const struct trace_schema *s);
const struct trace_field_desc *trace_schema__field(const struct trace_schema *s, size_t i);
/* NULL and errno = ENOENT when the type has no such field. */
const struct trace_field_desc *trace_schema__find_field(const struct trace_schema *s,
							 const char *name);

/* Typed access to a field of a record laid out by its schema. Integers of
 * any width and signedness come back widened (signed ones sign-extended);
 * idx selects an element of an array field. */
uint64_t trace_field__u64(const struct trace_field_desc *f, const void *rec, size_t idx);
int64_t trace_field__i64(const struct trace_field_desc *f, const void *rec, size_t idx);
const char *trace_field__str(const struct trace_field_desc *f, const void *rec);
const uint8_t *trace_field__bytes(const struct trace_field_desc *f, const void *rec);

/* ---- the format's own record types -------------------------------------- */

/* Events a probe could not record (ring buffer full), per probe and CPU,
 * counted in the kernel over [since_ns, ts]. */
struct trace_lost {
	uint64_t ts;       /* end of the interval, boottime ns */
	uint64_t since_ns; /* start of the interval, boottime ns */
	uint64_t count;
	uint32_t cpu;
	uint32_t _pad;
	char probe[32];
};

/* One process, from the /proc snapshot a recording (and each segment)
 * starts with. */
struct trace_process {
	uint64_t ts;       /* when the snapshot was taken, boottime ns */
	uint64_t start_ns; /* process start, boottime ns (clock-tick resolution) */
	uint32_t pid;
	uint32_t ppid;
	uint32_t uid;
	uint32_t gid;
	char comm[16];
	char cmdline[1024]; /* arguments joined by spaces */
};

/* One (boottime, realtime) pair. The recorder samples realtime between two
 * boottime reads; boot_ns is their midpoint and uncertainty_ns half their
 * distance. */
struct trace_calibration {
	uint64_t boot_ns;
	int64_t real_ns; /* ns since the epoch */
	uint32_t uncertainty_ns;
	uint32_t flags;  /* reserved, 0 */
};

/* ---- writer ------------------------------------------------------------ */

struct trace_writer;

struct trace_writer_opts {
	size_t sz;                  /* sizeof(struct trace_writer_opts) */
	uint64_t segment_size;      /* rotate past this many bytes; 0: one file */
	uint32_t keep_segments;     /* keep only the newest N segments; 0: all */
	uint32_t chunk_events;      /* seal a chunk at this many events; 0: 65536 (max 1 Mi) */
	uint32_t chunk_bytes;       /* seal a chunk before its encoded body could exceed this
				     * many bytes (estimated from above); 0: 8 MiB (max 16 MiB) */
	uint32_t flush_interval_ms; /* trace_writer__poll() seals older chunks; 0: 1000 */
	uint32_t mode;              /* file mode; 0: 0600 */
	int64_t uid;                /* chown new files to uid/gid when >= 0 (0 is root: */
	int64_t gid;                /* set -1 to keep the creating user's) */
	/* Called after each new segment's header, metadata and schemas are
	 * written (not for the first file): the recorder adds its fresh
	 * process snapshot there. A negative return aborts the rotation. */
	int (*on_segment)(struct trace_writer *w, uint32_t segment, void *ctx);
	void *ctx;
};

struct trace_writer_stats {
	uint64_t events;         /* appended, all types */
	uint64_t chunks;
	uint64_t bytes_raw;      /* records as appended (schema sizes) */
	uint64_t bytes_written;  /* on disk, all segments written so far */
	uint32_t segments;       /* segment files created */
	uint32_t segments_removed;
};

/* Opens PATH for writing (truncating it). With opts->segment_size, the
 * segments are PATH.0000, PATH.0001, ... and PATH itself is not created. */
struct trace_writer *trace_writer__open(const char *path, const struct trace_writer_opts *opts);

/* Host and recorder metadata (FORMAT.md lists the keys). Later values of a
 * key replace earlier ones; every segment repeats the merged set. */
int trace_writer__set_meta(struct trace_writer *w, const char *key, const char *value);

/* Registers a record type; returns its type id (>= TRACE_TYPE_FIRST_USER)
 * or a negative errno. Fails with -EINVAL when a field lies outside the
 * record, overlaps another, or the type has no TIME field. */
int trace_writer__add_type(struct trace_writer *w, const struct trace_schema_desc *desc);

/* Appends one record of a registered type; size must equal the schema's. */
int trace_writer__append(struct trace_writer *w, int type, const void *rec, size_t size);

int trace_writer__calibrate(struct trace_writer *w, const struct trace_calibration *c);
int trace_writer__lost(struct trace_writer *w, const struct trace_lost *l);
int trace_writer__process(struct trace_writer *w, const struct trace_process *p);

/* Seals the open chunk and writes it. */
int trace_writer__flush(struct trace_writer *w);
/* Flushes when the open chunk is older than flush_interval_ms. Cheap. */
int trace_writer__poll(struct trace_writer *w);

void trace_writer__stats(const struct trace_writer *w, struct trace_writer_stats *st);
/* Path of the file being written now (a segment name when rotating). */
const char *trace_writer__path(const struct trace_writer *w);
/* The schema of a registered type (TRACE_TYPE_LOST and TRACE_TYPE_PROCESS
 * included), as a reader of the file will see it: for a program that shows
 * the records it writes as they are written. Borrowed until
 * trace_writer__close(); NULL and errno = ENOENT for an unknown type. */
const struct trace_schema *trace_writer__schema(const struct trace_writer *w, int type);

/* Flushes, writes the index and trailer, closes and frees. Accepts NULL. On
 * error the object is still freed and the file reads up to its last chunk. */
int trace_writer__close(struct trace_writer *w);

/* ---- reader ------------------------------------------------------------ */

struct trace_reader;

/* A damaged or missing part of a trace, reported as reading goes on. */
struct trace_damage {
	const char *path;    /* borrowed for the duration of the callback */
	uint64_t offset;     /* of the damaged block */
	uint64_t length;     /* bytes skipped */
	int err;             /* -EBADMSG checksum, -EPIPE torn tail, -EPROTO bad framing or
			      * malformed data, -ENOENT events without a schema or a
			      * missing segment, -ENOTSUP a codec or column encoding of a
			      * newer version, -EXDEV/-EEXIST a segment set that does not
			      * belong together (open then fails with that error) */
	const char *what;    /* one-line description */
};

struct trace_reader_opts {
	size_t sz; /* sizeof(struct trace_reader_opts) */
	void (*on_damage)(const struct trace_damage *d, void *ctx);
	void *ctx;
};

struct trace_event {
	const struct trace_schema *schema; /* borrowed, lives as long as the reader */
	const void *data;                  /* the record laid out by schema, in host byte
					    * order, bytes no field covers zero; borrowed
					    * until the next call */
	uint64_t ts;                       /* boottime ns of the file's host */
	uint32_t size;
	uint16_t type;                     /* type id within its file */
	uint16_t file;                     /* index of the file it came from */
};

/* PATH is a trace file, or the base name of a segmented recording
 * (PATH.0000, PATH.0001, ...). */
struct trace_reader *trace_reader__open(const char *path, const struct trace_reader_opts *opts);
/* Several files (segments of one recording, or different recordings),
 * merged in time order: by boottime when they share a boot, else by
 * wall-clock time. */
struct trace_reader *trace_reader__open_files(const char *const *paths, size_t n,
					      const struct trace_reader_opts *opts);
void trace_reader__close(struct trace_reader *r);

/* 0: *ev holds the next event, in time order (of each file, and across
 * files as trace_reader__open_files says). -ENOENT: no more. Other
 * negative errno: reading cannot go on (damage does not end reading; it is
 * reported). */
int trace_reader__next(struct trace_reader *r, struct trace_event *ev);

/* Restricts next() to events with from_ns <= ts <= to_ns (boottime; 0 and
 * UINT64_MAX for open ends), skipping whole chunks outside the range
 * without decompressing them, and positions at from_ns. */
int trace_reader__set_range(struct trace_reader *r, uint64_t from_ns, uint64_t to_ns);
/* Restricts next() to the named types (NULL-terminated list; NULL: all),
 * skipping chunks that hold none of them without decompressing them. */
int trace_reader__set_types(struct trace_reader *r, const char *const *names);
/* Decodes only the named fields of records of type `type` (NULL-terminated
 * list; NULL: every field again); the other fields of its records read as
 * zero, the TIME field is always set. An aggregate that needs a few fields
 * of many events reads several times faster. Takes effect from the next
 * chunk: call it before reading, or rewind. Unknown names are ignored
 * (each file of a set may differ). */
int trace_reader__set_fields(struct trace_reader *r, const char *type, const char *const *fields);
/* Back to the first event (keeps the range and type filters). */
int trace_reader__rewind(struct trace_reader *r);

/* Wall-clock time of a boottime instant in file `file`, from the nearest
 * calibration. -ENODATA when that file has no calibration. */
int trace_reader__realtime(const struct trace_reader *r, uint16_t file, uint64_t boot_ns,
			   int64_t *real_ns);
/* The inverse: the boottime instant of file `file` whose wall-clock time
 * (as trace_reader__realtime gives it) is real_ns. Where realtime stepped
 * back and a wall-clock time happened twice, the earlier instant; where it
 * stepped forward over real_ns, the first instant after the step.
 * -ENODATA without calibrations; -ERANGE when real_ns is before the boot
 * (*boot_ns is then 0). */
int trace_reader__boottime(const struct trace_reader *r, uint16_t file, int64_t real_ns,
			   uint64_t *boot_ns);

size_t trace_reader__nfiles(const struct trace_reader *r);
const char *trace_reader__file_path(const struct trace_reader *r, uint16_t file);
/* Metadata of one file; NULL and errno = ENOENT when the key is absent. */
const char *trace_reader__meta(const struct trace_reader *r, uint16_t file, const char *key);
/* The i-th metadata pair of a file; -ENOENT past the last. */
int trace_reader__meta_at(const struct trace_reader *r, uint16_t file, size_t i,
			  const char **key, const char **value);
/* A file's record type by name; NULL and errno = ENOENT when absent. */
const struct trace_schema *trace_reader__schema(const struct trace_reader *r, uint16_t file,
						const char *name);
/* Every record type a file has a schema for, in increasing type id order
 * (types whose fields this reader cannot decode included): schema_at(i)
 * for i < nschemas; NULL and errno = ENOENT past the last. */
size_t trace_reader__nschemas(const struct trace_reader *r, uint16_t file);
const struct trace_schema *trace_reader__schema_at(const struct trace_reader *r, uint16_t file,
						   size_t i);

/* Events of one type in a chunk. */
struct trace_chunk_type {
	uint16_t type;  /* type id in the chunk's file (trace_schema__id) */
	uint32_t count;
};

/* One CHUNK block of a file, as its headers describe it. */
struct trace_chunk_info {
	uint64_t offset;   /* of the block's header in the file */
	uint64_t size;     /* bytes on disk, block header and (compressed) payload */
	uint64_t raw_size; /* bytes of the chunk body once decompressed */
	uint64_t events;
	uint64_t min_ts, max_ts; /* boottime ns */
	uint8_t codec;     /* 0 stored, 1 LZ4 */
	/* 0: intact (both checksums match and the chunk header is well
	 * formed). -EBADMSG: the payload checksum does not match; -EPROTO: the
	 * chunk header is malformed; -ENOTSUP: a codec of a newer version;
	 * -EPIPE: the block runs past the end of the file (torn write). A
	 * damaged chunk's counts and times come from the index when it has
	 * them for that chunk alone, else they are 0. */
	int status;
	size_t ntypes;
	const struct trace_chunk_type *types; /* increasing type id; borrowed until
					       * the next chunk_at call or close */
};

/* Every CHUNK block of a file, damaged ones included: from the index when
 * the file has one, else from a walk of the block headers. chunk_at reads
 * the chunk's block (one read, no decompression) to check its checksum;
 * walking i upwards costs a read per chunk. -ENOENT past the last; -EPROTO
 * when the index points at no chunk (a damaged file). */
size_t trace_reader__nchunks(const struct trace_reader *r, uint16_t file);
int trace_reader__chunk_at(struct trace_reader *r, uint16_t file, size_t i,
			   struct trace_chunk_info *out);

/* The calibrations a file's times convert with (FORMAT.md, "Time"): sorted
 * by boot_ns, one per instant (the most certain), from the index when the
 * file has one (which keeps at most 262 144), else every CALIBRATION block.
 * -ENOENT past the last. */
size_t trace_reader__ncalibrations(const struct trace_reader *r, uint16_t file);
int trace_reader__calibration_at(const struct trace_reader *r, uint16_t file, size_t i,
				 struct trace_calibration *out);

struct trace_reader_stats {
	uint64_t chunks;          /* chunks read (or known from the index) */
	uint64_t chunks_bad;      /* reported damaged and skipped */
	uint64_t chunks_skipped;  /* skipped by a range or type filter */
	uint64_t bytes_skipped;   /* damaged bytes passed over */
	uint64_t first_ts, last_ts; /* boottime range of all chunks */
	uint32_t files_indexed;   /* files closed cleanly, with an index */
	uint32_t files_truncated; /* files that end in a torn block */
	uint32_t clock_steps;     /* realtime jumps between calibrations */
	/* Events older than the event of their file delivered just before
	 * them. next() gives each file's events in time order, merging chunks
	 * whose time ranges overlap (late events), up to 16 chunks decoded at
	 * once and 4096 found ahead; past those bounds, or in a chunk whose
	 * events are not sorted (writers must sort them), events come in the
	 * best order the open chunks allow and each that comes late counts. */
	uint64_t events_out_of_order;
};
void trace_reader__stats(const struct trace_reader *r, struct trace_reader_stats *st);

struct trace_verify_stats {
	uint64_t blocks;         /* blocks checked, all files */
	uint64_t chunks;         /* CHUNK blocks among them */
	uint64_t events;         /* in the intact chunks, from their headers */
	uint64_t bytes;          /* bytes of the files */
	uint64_t damaged_blocks; /* damaged or malformed blocks, torn tails and bad file headers */
	uint64_t damaged_bytes;  /* bytes they and unreadable stretches cover */
	uint32_t files_indexed;  /* files with a valid index that matches their chunks */
	uint32_t files_truncated; /* files that end in a torn block */
};

/* Checks every file block by block without decoding events: the file
 * header, every block header and payload checksum (chunks, metadata,
 * schemas, calibrations, the index and trailer), chunk headers, and that
 * the index matches the chunks. Each damaged block is reported through
 * on_damage as reading would (except a bad file header checksum, which
 * opening already reported; it is counted). Leaves reading where it was.
 * 0: everything is intact. -EBADMSG: damage was found. Another negative
 * errno: the files could not be read. st may be NULL. */
int trace_reader__verify(struct trace_reader *r, struct trace_verify_stats *st);

/* Decodes the format's own records whatever their layout in the file. */
int trace_event__lost(const struct trace_event *ev, struct trace_lost *out);
int trace_event__process(const struct trace_event *ev, struct trace_process *out);

/* ---- errors ------------------------------------------------------------ */

/* A message for err (negative errno, as returned above). Never NULL. */
const char *trace_strerror(int err);

#ifdef __cplusplus
}
#endif

#endif /* EBPFTRACE_TRACE_H */
