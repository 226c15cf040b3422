// SPDX-License-Identifier: MIT
/* trace_strerror: one-line messages that say what happened and what to do. */
#include <errno.h>
#include <string.h>

#include "trace.h"

const char *trace_strerror(int err)
{
	switch (-err) {
	case 0:
		return "success";
	case EBADMSG:
		return "checksum mismatch: part of the trace is damaged (the damaged blocks are skipped)";
	case EPROTO:
		return "not an ebpf-trace file, or its framing is damaged beyond use";
	case ENOTSUP:
		return "written by a newer, incompatible major version of the trace format: "
		       "upgrade ebpf-trace to read it";
	case EPIPE:
		return "the trace ends in an incomplete block (the recording was cut short); "
		       "everything before it reads";
	case ENOSPC:
		return "disk full: the trace was cut back to its last complete chunk and stays "
		       "readable; free space and record again";
	case EFBIG:
		return "file size limit reached (ulimit -f or the filesystem's maximum): the trace "
		       "was cut back to its last complete chunk; use --segment-size or raise the limit";
	case EDQUOT:
		return "disk quota exceeded: the trace was cut back to its last complete chunk";
	case ELOOP:
		return "refusing to write through a symbolic link: choose another output path";
	case ENODATA:
		return "the trace has no clock calibration, so times cannot be converted to wall-clock time";
	case ENOENT:
		return "no such file, segment, key or type";
	case EEXIST:
		return "already exists (a record type of that name, or a duplicate segment)";
	case EINVAL:
		return "invalid argument (a schema, record size, option or file that is not a regular file)";
	case E2BIG:
		return "too large for the format's limits (see FORMAT.md, \"Limits\")";
	case ENOMEM:
		return "out of memory";
	case EACCES:
	case EPERM:
		return "permission denied: check the path's permissions (or run as the file's owner)";
	case EXDEV:
		return "the files are segments of different recordings and cannot be read as one";
	default:
		return strerror(-err);
	}
}
