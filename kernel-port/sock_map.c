// SPDX-License-Identifier: GPL-2.0
/* Port file: the pristine net/core/sock_map.c (+ kernel-patches/) over the sim. */
#include <sim/prelude.h>
#include "net/core/sock_map.c"
