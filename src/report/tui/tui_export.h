/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef FLOWSTATE_TUI_EXPORT_H
#define FLOWSTATE_TUI_EXPORT_H

#include <stdbool.h>

#include "report/report.h"
#include "report/tui/tui_screen.h"

/*
 * What the state view does with the selected connection beyond its record:
 * its packets (re-read from the -r / -w file, or recorded live from the
 * moment it was selected), written to a pcap file, drawn as a time-sequence
 * graph; the BPF filter that selects it; its EVE record. No curses here.
 */
struct tui_export;

/* returns: owned. o is read during the call only; braille: the graph may use U+2800 cells. */
struct tui_export *tui_export_new(const struct report_opts *o, bool braille);
void tui_export_free(struct tui_export *x);
/* Fills the screen's action table with x's functions (x stays owned by the caller). */
void tui_export_actions(struct tui_export *x, struct tui_actions *act);

#endif
