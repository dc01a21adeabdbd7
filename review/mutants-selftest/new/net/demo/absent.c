// SPDX-License-Identifier: GPL-2.0
/* A file the patches create: all its lines are added. */
int demo_absent(int x)
{
	return x > 0 &&
	       x < 10;
}
