# SPDX-License-Identifier: GPL-2.0
#
# tests/mutants/mutants.mk: included by the top Makefile (to be written).
