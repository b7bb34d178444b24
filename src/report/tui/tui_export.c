/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tui_export: the selected connection's packets, BPF and EVE record for the
 * state view (tui_export.h).
 */
#include <config.h>

#include "report/tui/tui_export.h"

#include <stdlib.h>

#include "util/xalloc.h"

struct tui_export {
    bool braille;
};

struct tui_export *
tui_export_new(const struct report_opts *o, bool braille)
{
    struct tui_export *x = xcalloc(1, sizeof(*x));

    (void)o;
    x->braille = braille;
    return x;
}

void
tui_export_free(struct tui_export *x)
{
    free(x);
}

void
tui_export_actions(struct tui_export *x, struct tui_actions *act)
{
    act->arg = x;
}
