# SPDX-License-Identifier: GPL-2.0
#
# conformance/conformance.mk: included by the top Makefile (to be written).
