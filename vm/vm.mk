# SPDX-License-Identifier: GPL-2.0
#
# vm/vm.mk: included by the top Makefile (to be written).
