/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sim: basic kernel types and compiler helpers.
 * Stands for include/linux/types.h, include/linux/compiler*.h,
 * include/linux/kernel.h, include/linux/minmax.h, include/linux/err.h,
 * include/linux/build_bug.h and include/linux/export.h.
 */
#ifndef _SIM_COMPILER_H
#define _SIM_COMPILER_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include <limits.h>
#include <errno.h>
#include <sys/types.h>

#include <sim/config.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef int64_t s64;
typedef uint8_t __u8;
typedef uint16_t __u16;
typedef uint32_t __u32;
typedef uint64_t __u64;
typedef int32_t __s32;
typedef uint16_t __be16;
typedef uint32_t __be32;
typedef uint32_t __wsum;
typedef unsigned int gfp_t;
typedef unsigned long uintptr_t_k;

/* errno values the kernel has and userspace does not (include/linux/errno.h) */
#ifndef ENOTSUPP
#define ENOTSUPP	524
#endif
#ifndef ERESTARTSYS
#define ERESTARTSYS	512
#endif

#define likely(x)	__builtin_expect(!!(x), 1)
#define unlikely(x)	__builtin_expect(!!(x), 0)
#define __read_mostly
#undef __always_inline
#define __always_inline	inline __attribute__((__always_inline__))
#define noinline	__attribute__((__noinline__))
#define __must_check	__attribute__((__warn_unused_result__))
#define __cold		__attribute__((__cold__))
#define __maybe_unused	__attribute__((__unused__))
#define __packed	__attribute__((__packed__))
#define __aligned(x)	__attribute__((__aligned__(x)))
#define fallthrough	__attribute__((__fallthrough__))
#define __rcu
#define __user
#define __force
#define __iomem
#define __percpu
#define __bitwise
#define __acquires(x)
#define __releases(x)
#define __must_hold(x)
#define notrace
#define barrier()	__asm__ __volatile__("" : : : "memory")

/*
 * While tasks run, a READ_ONCE()/WRITE_ONCE() of a field registered with
 * sim/watch.c (<sim/watch.h>) is a scheduling point and a lock-set checked
 * access; WRITE_ONCE evaluates its value, passes the point, then stores.
 * sim_watch_on is false unless a run is in progress with fields registered.
 */
extern bool sim_watch_on;
void sim_watch_access(uintptr_t addr, bool write, const char *file,
		      int line, const char *func);
#define sim_watch_hook(p, w)						\
	do {								\
		if (unlikely(sim_watch_on))				\
			sim_watch_access((uintptr_t)(p), (w), __FILE__, __LINE__, __func__); \
	} while (0)
#define READ_ONCE(x)							\
	({ sim_watch_hook(&(x), false); *(const volatile __typeof__(x) *)&(x); })
#define WRITE_ONCE(x, val)						\
	do {								\
		__typeof__(x) __sim_wv = (val);				\
		sim_watch_hook(&(x), true);				\
		*(volatile __typeof__(x) *)&(x) = __sim_wv;		\
	} while (0)

#define smp_mb()		__atomic_thread_fence(__ATOMIC_SEQ_CST)
#define smp_rmb()		__atomic_thread_fence(__ATOMIC_ACQUIRE)
#define smp_wmb()		__atomic_thread_fence(__ATOMIC_RELEASE)
#define smp_mb__after_atomic()	smp_mb()
#define smp_mb__before_atomic()	smp_mb()
#define smp_load_acquire(p)	__atomic_load_n((p), __ATOMIC_ACQUIRE)
#define smp_store_release(p, v)	__atomic_store_n((p), (v), __ATOMIC_RELEASE)

#define xchg(ptr, v)		__atomic_exchange_n((ptr), (v), __ATOMIC_SEQ_CST)
#define cmpxchg(ptr, old, new)						\
	({								\
		__typeof__(*(ptr)) __sim_old = (old);			\
		__atomic_compare_exchange_n((ptr), &__sim_old, (new), false, \
					    __ATOMIC_SEQ_CST,		\
					    __ATOMIC_SEQ_CST);		\
		__sim_old;						\
	})

#define BUILD_BUG_ON(cond)	_Static_assert(!(cond), "BUILD_BUG_ON: " #cond)
#define BUILD_BUG_ON_ZERO(e)	((int)(sizeof(struct { int : (-!!(e)); })))
#define __must_be_array(a)	0
#define ARRAY_SIZE(arr)		(sizeof(arr) / sizeof((arr)[0]) + __must_be_array(arr))

#define container_of(ptr, type, member)					\
	({								\
		void *__mptr = (void *)(ptr);				\
		((type *)(__mptr - offsetof(type, member)));		\
	})
#define container_of_const(ptr, type, member) container_of(ptr, type, member)

#define min(x, y)	({ __typeof__(x) _x = (x); __typeof__(y) _y = (y); _x < _y ? _x : _y; })
#define max(x, y)	({ __typeof__(x) _x = (x); __typeof__(y) _y = (y); _x > _y ? _x : _y; })
#define min_t(type, x, y) ({ type __x = (x); type __y = (y); __x < __y ? __x : __y; })
#define max_t(type, x, y) ({ type __x = (x); type __y = (y); __x > __y ? __x : __y; })
#define clamp_t(type, val, lo, hi) min_t(type, max_t(type, val, lo), hi)
#define DIV_ROUND_UP(n, d)	(((n) + (d) - 1) / (d))
#define __ALIGN_MASK(x, mask)	(((x) + (mask)) & ~(mask))
#define ALIGN(x, a)		__ALIGN_MASK(x, (__typeof__(x))(a) - 1)
#define round_up(x, y)		((((x) - 1) | ((__typeof__(x))((y) - 1))) + 1)
#define round_down(x, y)	((x) & ~((__typeof__(x))((y) - 1)))

/* include/linux/stddef.h */
#define sizeof_field(TYPE, MEMBER) sizeof((((TYPE *)0)->MEMBER))

#define EXPORT_SYMBOL(sym)
#define EXPORT_SYMBOL_GPL(sym)
#define EXPORT_IPV6_MOD(sym)

#define MAX_ERRNO	4095
#define IS_ERR_VALUE(x)	unlikely((unsigned long)(void *)(x) >= (unsigned long)-MAX_ERRNO)
static inline void *ERR_PTR(long error) { return (void *)error; }
static inline long PTR_ERR(const void *ptr) { return (long)ptr; }
static inline bool IS_ERR(const void *ptr) { return IS_ERR_VALUE((unsigned long)ptr); }
static inline bool IS_ERR_OR_NULL(const void *ptr) { return !ptr || IS_ERR(ptr); }

/* include/vdso/limits.h */
#ifndef U32_MAX
#define U32_MAX		((u32)~0U)
#endif
#ifndef S32_MAX
#define S32_MAX		((s32)(U32_MAX >> 1))
#endif
#ifndef U64_MAX
#define U64_MAX		((u64)~0ULL)
#endif

/* include/linux/compiler.h: KCSAN's marker (the sim's lock-set checker
 * sees the access anyway) */
#define data_race(expr)	(expr)

/* include/linux/kernel.h */
#define u64_to_user_ptr(x)	((void __user *)(uintptr_t)(x))

#endif /* _SIM_COMPILER_H */
