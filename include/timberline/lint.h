/* Rule lints for `patterns check`: what PCRE2 cannot tell by itself — rules that match the
 * empty string, rules without tests, and rules that are slow or give up on their own test
 * lines or on a generated 64 KiB line (measured, since PCRE2 has no "slow" flag). */
#ifndef TIMBERLINE_LINT_H
#define TIMBERLINE_LINT_H

#include "timberline/pattern.h"

/* Slower than this on one line is a lint failure. */
#define TL_LINT_SLOW_MS 10.0

/* Calls on_problem(ctx, rule, what) for each problem of each regex rule of a compiled set.
 * Returns the number of problems. */
typedef void (*tl_lint_cb)(void *ctx, const tl_rule *rule, const char *what);
int tl_lint_rules(const tl_pattern_set *set, tl_lint_cb on_problem, void *ctx);

#endif
