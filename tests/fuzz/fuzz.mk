# SPDX-License-Identifier: GPL-2.0
#
# tests/fuzz/fuzz.mk: included by the top Makefile (to be written).
