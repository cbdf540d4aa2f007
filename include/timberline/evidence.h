/* Evidence walk: turns the EVIDENCE arguments into an ordered list of items (files found under
 * directories in byte order of names), recording what is not read (symlinks, devices) and why,
 * plus the per-item facts the manifest and summary need. */
#ifndef TIMBERLINE_EVIDENCE_H
#define TIMBERLINE_EVIDENCE_H

#include <stdint.h>
#include <sys/types.h>

#include "timberline/error.h"

typedef enum {
    TL_EV_OK = 0,
    TL_EV_TRUNCATED,       /* compressed stream ends early: read up to the damage */
    TL_EV_CORRUPT,         /* compressed stream damaged: read up to the damage */
    TL_EV_SKIPPED_BINARY,  /* binary content: not scanned */
    TL_EV_UNREADABLE,      /* open/read failed */
    TL_EV_SYMLINK,         /* symlink under a directory argument: recorded, not followed */
    TL_EV_SKIPPED_SPECIAL, /* device, FIFO, socket: recorded, not read */
    TL_EV_LIMIT,           /* expansion ratio/size cap hit: read up to the cap */
    TL_EV_ENCRYPTED,       /* encrypted member: skipped, no password prompts */
    TL_EV_HANG,            /* the decoder stopped making progress and was killed */
    TL_EV_CRASHED,         /* the decoder process died */
    TL_EV_UNSUPPORTED_NESTED, /* nested archive that cannot be read in a stream (7z over the cap) */
    TL_EV_UNSUPPORTED_FORMAT, /* known binary log format not read yet (evtx, journal, utmp...) */
    TL_EV_HARDLINK,        /* hardlink member: recorded, not followed */
    TL_EV_DEPTH,           /* nested deeper than --max-depth: recorded, not opened */
    TL_EV_PENDING,         /* not processed yet */
} tl_ev_status;

const char *tl_ev_status_name(tl_ev_status s);

/* One evidence file (or recorded non-file). All strings owned by the list. */
typedef struct tl_evidence_item {
    char *path;        /* path used to open it: argument [+ "/" + relative path] */
    char *given;       /* the evidence argument it came from, as typed */
    char *source;      /* escaped display name: argument minus trailing '/', + "/rel/path" */
    char *abs_path;    /* absolute path (realpath of the directory + name); never NULL */
    char *link_target; /* TL_EV_SYMLINK: where it points (not followed); else NULL */
    int64_t mtime_sec; /* modification time, UTC seconds */
    int mtime_nsec;
    uint64_t size;      /* bytes on disk */
    tl_ev_status status;
    char *message;     /* human detail for non-ok statuses; NULL otherwise */
    char sha256[65];   /* of the raw file bytes; "" when not read */
    char kind[16];     /* "text", "gzip", "utf-16le", ...: how it was decoded */
    uint64_t lines;    /* lines read */
    uint64_t decoded_bytes; /* bytes after decompression (the stream line/offset refer to) */
    /* archive members (parent >= 0); top-level items have parent -1, depth 0, root = self */
    long parent;
    int depth;
    size_t root;
    int container;      /* an archive whose members are separate items */
    int entry;          /* tl_entry_type of a member (unpack.h) */
    char *member_name;  /* escaped member path as stored; NULL for top-level items */
    char format[32];    /* archive/compression format ("tar+gzip", "zip", ...); "" for plain */
    char content_sha256[65]; /* of the decompressed stream; "" when same as sha256 or unread */
    int scanned;        /* text was read from it */
    /* timestamps of a scanned stream: detected format, date order, zone, and how the matched
     * lines got their time (indexed by tl_ts_quality: none, parsed, inferred-year, inherited) */
    char ts_format[24];
    char ts_order[40];
    const char *ts_zone; /* borrowed from the zone */
    uint64_t ts_counts[4];
} tl_evidence_item;

typedef struct tl_evidence_list {
    tl_evidence_item *items;
    size_t n, cap;
} tl_evidence_list;

/* Walks each argument in order. A missing argument is an error (TL_ENOTFOUND naming it);
 * problems below a directory argument are recorded as items with a status instead. A symlink
 * given directly as an argument is followed (the user named it); below a directory it is not.
 * The list is owned by the caller: tl_evidence_list_free. */
int tl_evidence_walk(tl_evidence_list *out, char *const *args, size_t nargs, tl_error *err);

void tl_evidence_list_free(tl_evidence_list *list);

/* Appends a member below item `parent` (source = parent's source + "!" + escaped name) and
 * returns its index. The list may move: re-take pointers into it afterwards. */
size_t tl_evidence_add_member(tl_evidence_list *list, size_t parent, const char *name,
                              size_t name_len);

/* True when `dir` (which may not exist yet) lies inside any evidence argument, so a report
 * would be written into the evidence. */
int tl_evidence_contains(char *const *args, size_t nargs, const char *dir);

#endif
