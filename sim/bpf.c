// SPDX-License-Identifier: GPL-2.0
/*
 * sim: the BPF core net/core/sock_map.c calls into. Stands for the fd
 * table (fs/file.c: fdget), sockfd_lookup() (net/socket.c), the map and
 * prog fd plumbing and map allocation of kernel/bpf/syscall.c
 * (__bpf_map_get, bpf_prog_get, bpf_prog_get_type, bpf_map_area_alloc,
 * bpf_map_init_from_attr, the prog refcount) and, as loud stubs, what the
 * sim does not model: bpf_link and its anon inode, BPF iterators and
 * seq_file, BTF, socket cookies. A loud stub fails the test that reaches
 * it (SIM_UNREACHABLE); none of them is on a path the sim's syscalls take.
 */
#include <stdlib.h>
#include <linux/bpf.h>
#include <linux/btf_ids.h>
#include <linux/file.h>
#include <linux/net.h>
#include <linux/seq_file.h>
#include <linux/sock_diag.h>

const struct file_operations socket_file_ops = { .sim_name = "socket" };
static const struct file_operations bpf_map_fops = { .sim_name = "bpf-map" };
static const struct file_operations bpf_prog_fops = { .sim_name = "bpf-prog" };

/* ---- the fd table (fs/file.c) ------------------------------------------- */

#define SIM_NR_FDS 256
static struct file *fdtable[SIM_NR_FDS];

/* fd_install() at the lowest free fd from 3 (0-2: stdio). */
int sim_fd_install(struct file *file)
{
	for (int fd = 3; fd < SIM_NR_FDS; fd++) {
		if (!fdtable[fd]) {
			fdtable[fd] = file;
			return fd;
		}
	}
	BUG();
	return -EMFILE;
}

void sim_fd_close(int fd)
{
	BUG_ON(fd < 0 || fd >= SIM_NR_FDS || !fdtable[fd]);
	fdtable[fd] = NULL;
}

struct file *sim_fget(unsigned int fd)
{
	return fd < SIM_NR_FDS ? fdtable[fd] : NULL;
}

/* net/socket.c: sockfd_lookup() -> sock_from_file() */
struct socket *sockfd_lookup(int fd, int *err)
{
	struct file *file = fd >= 0 ? sim_fget(fd) : NULL;

	if (!file) {
		*err = -EBADF;
		return NULL;
	}
	if (file->f_op != &socket_file_ops) {
		*err = -ENOTSOCK;
		return NULL;
	}
	return file->private_data;
}

/* net/socket.c: sockfd_put() -> fput(): the sim's socket files are not
 * refcounted (the test holds its socket until sim_close()). */
void sockfd_put(struct socket *sock)
{
	BUG_ON(!sock->file);
}

/* ---- maps (kernel/bpf/syscall.c) ----------------------------------------- */

/* bpf_map_area_alloc(): zeroed, as the kernel's (kmalloc or vmalloc). */
void *bpf_map_area_alloc(u64 size, int numa_node)
{
	(void)numa_node;
	return kzalloc(size, GFP_USER | __GFP_NOWARN);
}

void bpf_map_area_free(void *base)
{
	kfree(base);
}

void bpf_map_init_from_attr(struct bpf_map *map, union bpf_attr *attr)
{
	map->map_type = attr->map_type;
	map->key_size = attr->key_size;
	map->value_size = attr->value_size;
	map->max_entries = attr->max_entries;
	map->map_flags = attr->map_flags;	/* bpf_map_flags_retain_permanent() */
	map->numa_node = (attr->map_flags & BPF_F_NUMA_NODE) ?
			 (int)attr->numa_node : NUMA_NO_NODE;
}

/* __bpf_map_get(): the map of a map fd, -EBADF / -EINVAL otherwise. */
struct bpf_map *__bpf_map_get(struct fd f)
{
	if (!fd_file(f))
		return ERR_PTR(-EBADF);
	if (fd_file(f)->f_op != &bpf_map_fops)
		return ERR_PTR(-EINVAL);
	return fd_file(f)->private_data;
}

/* A map's fd (bpf_map_new_fd()); the map is freed by sim_bpf_map_close(). */
int sim_bpf_map_new_fd(struct bpf_map *map, struct file *file)
{
	file->f_op = &bpf_map_fops;
	file->private_data = map;
	map->sim_fd = sim_fd_install(file);
	return map->sim_fd;
}

/* ---- programs ------------------------------------------------------------- */

void bpf_prog_inc(struct bpf_prog *prog)
{
	refcount_inc(&prog->refcnt);
}

struct bpf_prog *bpf_prog_inc_not_zero(struct bpf_prog *prog)
{
	if (!refcount_inc_not_zero(&prog->refcnt))
		return ERR_PTR(-ENOENT);
	return prog;
}

/* bpf_prog_put(): the last reference frees the program (the kernel defers
 * that to a work item; nothing the sim runs reads a program after it). */
void bpf_prog_put(struct bpf_prog *prog)
{
	if (refcount_dec_and_test(&prog->refcnt))
		kfree(prog);
}

int sim_bpf_prog_new_fd(struct bpf_prog *prog, struct file *file)
{
	file->f_op = &bpf_prog_fops;
	file->private_data = prog;
	prog->sim_fd = sim_fd_install(file);
	return prog->sim_fd;
}

/* __bpf_prog_get(): a reference on the program of fd @ufd. */
static struct bpf_prog *__bpf_prog_get(u32 ufd, const enum bpf_prog_type *type)
{
	struct file *file = sim_fget(ufd);
	struct bpf_prog *prog;

	if (!file)
		return ERR_PTR(-EBADF);
	if (file->f_op != &bpf_prog_fops)
		return ERR_PTR(-EINVAL);
	prog = file->private_data;
	if (type && prog->type != *type)
		return ERR_PTR(-EINVAL);
	bpf_prog_inc(prog);
	return prog;
}

struct bpf_prog *bpf_prog_get(u32 ufd)
{
	return __bpf_prog_get(ufd, NULL);
}

struct bpf_prog *bpf_prog_get_type(u32 ufd, enum bpf_prog_type type)
{
	return __bpf_prog_get(ufd, &type);
}

/* ---- not modelled: loud stubs ---------------------------------------------- */

/* The map-in-map and BTF checks of the verifier and BPF_MAP_CREATE. */
bool bpf_map_meta_equal(const struct bpf_map *meta0, const struct bpf_map *meta1)
{
	(void)meta0; (void)meta1;
	SIM_UNREACHABLE("bpf_map_meta_equal(): map-in-map");
	return false;
}

int map_check_no_btf(const struct bpf_map *map, const struct btf *btf,
		     const struct btf_type *key_type,
		     const struct btf_type *value_type)
{
	(void)map; (void)btf; (void)key_type; (void)value_type;
	SIM_UNREACHABLE("map_check_no_btf(): BTF");
	return -ENOTSUPP;
}

/* The map's user references (kernel/bpf/syscall.c): taken by bpf_link and
 * iterators only, which the sim does not model. */
struct bpf_map *bpf_map_get_with_uref(u32 ufd)
{
	(void)ufd;
	SIM_UNREACHABLE("bpf_map_get_with_uref(): bpf_link / iterator attach");
	return ERR_PTR(-EBADF);
}

void bpf_map_inc_with_uref(struct bpf_map *map)
{
	(void)map;
	SIM_UNREACHABLE("bpf_map_inc_with_uref(): iterators");
}

void bpf_map_put_with_uref(struct bpf_map *map)
{
	(void)map;
	SIM_UNREACHABLE("bpf_map_put_with_uref(): bpf_link / iterators");
}

/* kernel/bpf/syscall.c: bpf_link (anon inodes). */
void bpf_link_init(struct bpf_link *link, enum bpf_link_type type,
		   const struct bpf_link_ops *ops, struct bpf_prog *prog)
{
	(void)link; (void)type; (void)ops; (void)prog;
	SIM_UNREACHABLE("bpf_link_init(): bpf_link");
}

int bpf_link_prime(struct bpf_link *link, struct bpf_link_primer *primer)
{
	(void)link; (void)primer;
	SIM_UNREACHABLE("bpf_link_prime(): bpf_link");
	return -ENOTSUPP;
}

int bpf_link_settle(struct bpf_link_primer *primer)
{
	(void)primer;
	SIM_UNREACHABLE("bpf_link_settle(): bpf_link");
	return -ENOTSUPP;
}

void bpf_link_cleanup(struct bpf_link_primer *primer)
{
	(void)primer;
	SIM_UNREACHABLE("bpf_link_cleanup(): bpf_link");
}

/* kernel/bpf/bpf_iter.c: the registration runs at init (sock_map.c's
 * late_initcall) and is recorded; running an iterator is not modelled. */
int sim_bpf_iter_targets;

int bpf_iter_reg_target(const struct bpf_iter_reg *reg_info)
{
	BUG_ON(!reg_info->target);
	sim_bpf_iter_targets++;
	return 0;
}

struct bpf_prog *bpf_iter_get_info(struct bpf_iter_meta *meta, bool in_stop)
{
	(void)meta; (void)in_stop;
	SIM_UNREACHABLE("bpf_iter_get_info(): BPF iterators");
	return NULL;
}

int bpf_iter_run_prog(struct bpf_prog *prog, void *ctx)
{
	(void)prog; (void)ctx;
	SIM_UNREACHABLE("bpf_iter_run_prog(): BPF iterators");
	return -ENOTSUPP;
}

void bpf_iter_map_show_fdinfo(const struct bpf_iter_aux_info *aux,
			      struct seq_file *seq)
{
	(void)aux; (void)seq;
	SIM_UNREACHABLE("bpf_iter_map_show_fdinfo(): BPF iterators");
}

int bpf_iter_map_fill_link_info(const struct bpf_iter_aux_info *aux,
				struct bpf_link_info *info)
{
	(void)aux; (void)info;
	SIM_UNREACHABLE("bpf_iter_map_fill_link_info(): BPF iterators");
	return -ENOTSUPP;
}

/* fs/seq_file.c */
void seq_printf(struct seq_file *m, const char *fmt, ...)
{
	(void)m; (void)fmt;
	SIM_UNREACHABLE("seq_printf(): seq_file");
}

/* net/core/filter.c: the BTF ids of the socket types (no BTF: zeros). */
u32 btf_sock_ids[MAX_BTF_SOCK_TYPE];

/* net/core/sock_diag.c: socket cookies (BPF_MAP_LOOKUP_ELEM from user
 * space on a map of u64 values); the sim's lookups are a program's. */
u64 __sock_gen_cookie(struct sock *sk)
{
	(void)sk;
	SIM_UNREACHABLE("__sock_gen_cookie(): socket cookies");
	return 0;
}
