// SPDX-License-Identifier: GPL-2.0
/* Port file: the pristine net/strparser/strparser.c (+ kernel-patches/) over the sim. */
#include <sim/prelude.h>
#include "net/strparser/strparser.c"
