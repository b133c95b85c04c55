// TSan builds only (CMakeLists.txt adds this file to every executable when SLUICE_SANITIZE has
// "thread"): functions that the TSan runtimes we have (GCC 12's libtsan, clang 14's) do not
// intercept, defined in the executable so they take precedence over glibc's, doing what glibc does
// through public pthread functions that TSan does intercept.
//
// C11 threads (thrd_create, mtx_lock, cnd_timedwait, call_once), used by librdkafka: glibc calls its
// pthread code internally, past the interceptors, so a thread librdkafka creates is unknown to TSan
// and crashes it at its first intercepted call (SEGV in the runtime), and librdkafka's locks are
// invisible (false races). LLVM 15 added interceptors for them. glibc's mtx_t, cnd_t and once_flag
// have the layout of pthread_mutex_t, pthread_cond_t and pthread_once_t (its implementation relies
// on it).
//
// pthread_mutex_clocklock, which libstdc++ 12's std::timed_mutex::try_lock_for (steady clock) calls:
// TSan never sees the lock taken and reports its unlock as "unlock of an unlocked mutex".
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <threads.h>
#include <time.h>

_Static_assert(sizeof(mtx_t) == sizeof(pthread_mutex_t), "glibc mtx_t is a pthread_mutex_t");
_Static_assert(sizeof(cnd_t) == sizeof(pthread_cond_t), "glibc cnd_t is a pthread_cond_t");
_Static_assert(sizeof(once_flag) == sizeof(pthread_once_t), "glibc once_flag is a pthread_once_t");
_Static_assert(sizeof(thrd_t) == sizeof(pthread_t), "glibc thrd_t is a pthread_t");

static int to_thrd(int err) {
  switch (err) {
    case 0: return thrd_success;
    case EBUSY: return thrd_busy;
    case ETIMEDOUT: return thrd_timedout;
    case ENOMEM: return thrd_nomem;
    default: return thrd_error;
  }
}

struct start {
  thrd_start_t func;
  void* arg;
};

static void* run(void* p) {
  struct start s = *(struct start*)p;
  free(p);
  return (void*)(intptr_t)s.func(s.arg);
}

int thrd_create(thrd_t* thr, thrd_start_t func, void* arg) {
  struct start* s = malloc(sizeof *s);
  if (!s) return thrd_nomem;
  s->func = func;
  s->arg = arg;
  int err = pthread_create((pthread_t*)thr, NULL, run, s);
  if (err) free(s);
  return to_thrd(err);
}

int thrd_join(thrd_t thr, int* res) {
  void* r = NULL;
  int err = pthread_join((pthread_t)thr, &r);
  if (!err && res) *res = (int)(intptr_t)r;
  return to_thrd(err);
}

int thrd_detach(thrd_t thr) { return to_thrd(pthread_detach((pthread_t)thr)); }

int mtx_init(mtx_t* m, int type) {
  pthread_mutexattr_t a;
  pthread_mutexattr_init(&a);
  if (type & mtx_recursive) pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
  int err = pthread_mutex_init((pthread_mutex_t*)m, &a);
  pthread_mutexattr_destroy(&a);
  return to_thrd(err);
}

int mtx_lock(mtx_t* m) { return to_thrd(pthread_mutex_lock((pthread_mutex_t*)m)); }
int mtx_trylock(mtx_t* m) { return to_thrd(pthread_mutex_trylock((pthread_mutex_t*)m)); }
int mtx_unlock(mtx_t* m) { return to_thrd(pthread_mutex_unlock((pthread_mutex_t*)m)); }
void mtx_destroy(mtx_t* m) { pthread_mutex_destroy((pthread_mutex_t*)m); }

int cnd_init(cnd_t* c) { return to_thrd(pthread_cond_init((pthread_cond_t*)c, NULL)); }
int cnd_signal(cnd_t* c) { return to_thrd(pthread_cond_signal((pthread_cond_t*)c)); }
int cnd_broadcast(cnd_t* c) { return to_thrd(pthread_cond_broadcast((pthread_cond_t*)c)); }
int cnd_wait(cnd_t* c, mtx_t* m) { return to_thrd(pthread_cond_wait((pthread_cond_t*)c, (pthread_mutex_t*)m)); }
int cnd_timedwait(cnd_t* restrict c, mtx_t* restrict m, const struct timespec* restrict until) {
  return to_thrd(pthread_cond_timedwait((pthread_cond_t*)c, (pthread_mutex_t*)m, until));
}
void cnd_destroy(cnd_t* c) { pthread_cond_destroy((pthread_cond_t*)c); }

void call_once(once_flag* flag, void (*func)(void)) { pthread_once((pthread_once_t*)flag, func); }

int pthread_mutex_clocklock(pthread_mutex_t* m, clockid_t clock, const struct timespec* until) {
  if (clock == CLOCK_REALTIME) return pthread_mutex_timedlock(m, until);
  // The same time left, as a CLOCK_REALTIME deadline (what pthread_mutex_timedlock takes).
  struct timespec now_clock, now_real, real_until;
  clock_gettime(clock, &now_clock);
  clock_gettime(CLOCK_REALTIME, &now_real);
  long long left_ns = (long long)(until->tv_sec - now_clock.tv_sec) * 1000000000LL + (until->tv_nsec - now_clock.tv_nsec);
  if (left_ns < 0) left_ns = 0;
  long long ns = now_real.tv_nsec + left_ns % 1000000000LL;
  real_until.tv_sec = now_real.tv_sec + (time_t)(left_ns / 1000000000LL) + (time_t)(ns / 1000000000LL);
  real_until.tv_nsec = ns % 1000000000LL;
  return pthread_mutex_timedlock(m, &real_until);
}
