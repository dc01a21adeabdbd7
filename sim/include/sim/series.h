/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sim: the series level the kernel files were built at, by name. The
 * Makefile (kernel-port/kernel-port.mk) passes SIM_SERIES_LEVEL, the index
 * of the highest level whose patches are all applied, and
 * SIM_SERIES_PATCHES, how many patches of fixes/ then splice/ are applied
 * (for messages only: tests ask for a level, never a patch number).
 *
 *   pristine  Debian's 6.12.117 files
 *   fixes     + kernel-patches/fixes (the bpf/stable fixes)
 *   copy      + kernel-patches/splice up to its "level: copy" line: the
 *             copying tcp_bpf splice_read
 *   full      + all of kernel-patches/splice: the zero-copy splice_read
 */
#ifndef _SIM_SERIES_H
#define _SIM_SERIES_H

#define SIM_LEVEL_PRISTINE	0
#define SIM_LEVEL_FIXES		1
#define SIM_LEVEL_COPY		2
#define SIM_LEVEL_FULL		3

#ifndef SIM_SERIES_LEVEL
#error "SIM_SERIES_LEVEL is set by the Makefile (kernel-port/kernel-port.mk)"
#endif

/* At least this level, e.g. SIM_LEVEL_AT_LEAST(COPY). */
#define SIM_LEVEL_AT_LEAST(level)	(SIM_SERIES_LEVEL >= SIM_LEVEL_##level)

#endif /* _SIM_SERIES_H */
