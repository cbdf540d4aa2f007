/* `timberline verify`: re-checks a report directory against the evidence it names, so a
 * court (or anyone) can confirm nothing changed since the scan. */
#ifndef TIMBERLINE_VERIFY_H
#define TIMBERLINE_VERIFY_H

#include <stdio.h>

#include "timberline/error.h"

/* Re-hashes every report file listed in DIR/SHA256SUMS and every top-level evidence file in
 * DIR/manifest.json (at its absolute path, or, with `evidence_root`, at evidence_root/<path as
 * scanned>). Prints one line per check to `out` ("OK ..." / "MISMATCH ..." / "MISSING ...")
 * and a summary line. Returns 0 when all match, 1 on any difference, or a negative code (with
 * err) when the report itself cannot be read. */
int tl_verify_report(const char *dir, const char *evidence_root, FILE *out, tl_error *err);

#endif
