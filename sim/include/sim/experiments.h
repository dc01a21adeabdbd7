/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sim: the experiments the kernel files carry, by name. An experiment is
 * a patch of experiments/ applied after the full series with
 * EXTRA_PATCHES (experiments/README.md); experiments/experiments.mk
 * passes -DSIM_EXPERIMENT_NNNN for each one applied, NNNN its number.
 * A test whose expectation an experiment changes asks for it by name,
 * as it asks for a series level (<sim/series.h>):
 *
 *   SIM_EXP_SPLICE_COPYBREAK  0001: tcp_bpf's zero-copy splice_read copies
 *                             chunks below 256 bytes into the socket's
 *                             page fragment, packed into one pipe buffer
 */
#ifndef _SIM_EXPERIMENTS_H
#define _SIM_EXPERIMENTS_H

#ifdef SIM_EXPERIMENT_0001
#define SIM_EXP_SPLICE_COPYBREAK	1
#else
#define SIM_EXP_SPLICE_COPYBREAK	0
#endif

#ifdef SIM_EXPERIMENT_0002
#define SIM_EXP_INGRESS_BATCH		1
#else
#define SIM_EXP_INGRESS_BATCH		0
#endif

#ifdef SIM_EXPERIMENT_0003
#define SIM_EXP_LOCKLESS_INGRESS	1
#else
#define SIM_EXP_LOCKLESS_INGRESS	0
#endif

#endif /* _SIM_EXPERIMENTS_H */
