/* The physical latency floor of this machine: the least a push over loopback TCP can cost.
 *
 * A sender thread writes one 64-byte message every PERIOD microseconds, each carrying its
 * intended send time (CLOCK_REALTIME ns, paced from the expected start as wrk2 does); a receiver
 * thread blocks in read() and records receive time minus intended time. No event loop, no
 * framing, no parsing beyond a fixed-size record: what is left is the kernel's wake-up and
 * loopback path, which every transport pays. pushbench's raw transport at the same rate should
 * come within a small factor of it (bench/floor/compare.sh runs both in one go).
 *
 * Usage: pushbench-latency-floor [EVENTS_PER_S] [SECONDS] [WARMUP_S] [SENDER_CPU RECEIVER_CPU]
 *        (defaults 100 5 1, threads unpinned; pin them as pushbench run pins server and client)
 * Prints one JSON object: {"rate":..,"events":..,"p50_us":..,"p90_us":..,"p99_us":..,"max_us":..}.
 * Traffic: 127.0.0.1 only, on an ephemeral port; bounded by SECONDS + WARMUP_S.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { kRecord = 64 };

struct Run {
  int fd;              /* the socket this thread uses */
  double rate;         /* messages per second */
  int64_t start_ns;    /* intended time of message 0 */
  int64_t window_ns;   /* first intended time that counts (after warm-up) */
  int64_t end_ns;      /* no message intended at or after this */
  int64_t *samples;    /* receiver: latencies in ns */
  size_t count;        /* receiver: samples recorded */
  size_t capacity;     /* receiver: samples allocated */
  int cpu;             /* pin this thread to this CPU, or -1 */
};

static void pin(int cpu) {
  if (cpu < 0) return;
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

static int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void sleep_until(int64_t t_ns) {
  struct timespec ts = {(time_t)(t_ns / 1000000000LL), (long)(t_ns % 1000000000LL)};
  while (clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &ts, NULL) != 0) {
  }
}

static void *sender(void *arg) {
  struct Run *r = arg;
  pin(r->cpu);
  /* A normal thread's sleeps end up to 50 us late (the default timer slack); pushbench's server
   * waits on a timerfd, which has none, so without this the floor would not be a floor. */
  if (prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0) != 0) {
    perror("prctl(PR_SET_TIMERSLACK)");
    exit(1);
  }
  const int64_t period = (int64_t)(1e9 / r->rate);
  char rec[kRecord];
  memset(rec, 'x', sizeof rec);
  for (int64_t n = 0;; ++n) {
    const int64_t due = r->start_ns + n * period;
    if (due >= r->end_ns) break;
    sleep_until(due);
    memcpy(rec, &due, sizeof due);
    if (write(r->fd, rec, sizeof rec) != (ssize_t)sizeof rec) break;
  }
  shutdown(r->fd, SHUT_WR);
  return NULL;
}

static void *receiver(void *arg) {
  struct Run *r = arg;
  pin(r->cpu);
  char rec[kRecord];
  size_t have = 0;
  for (;;) {
    const ssize_t n = read(r->fd, rec + have, sizeof rec - have);
    if (n <= 0) break;
    have += (size_t)n;
    if (have < sizeof rec) continue;
    const int64_t t = now_ns();
    have = 0;
    int64_t due;
    memcpy(&due, rec, sizeof due);
    if (due < r->window_ns) continue;
    if (r->count == r->capacity) {
      r->capacity = r->capacity ? r->capacity * 2 : 4096;
      r->samples = realloc(r->samples, r->capacity * sizeof *r->samples);
      if (!r->samples) abort();
    }
    r->samples[r->count++] = t - due;
  }
  return NULL;
}

static int cmp64(const void *a, const void *b) {
  const int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return (x > y) - (x < y);
}

static double pct_us(const struct Run *r, double q) {
  if (r->count == 0) return 0;
  size_t i = (size_t)(q * (double)(r->count - 1) + 0.5);
  return (double)r->samples[i] / 1e3;
}

int main(int argc, char **argv) {
  const double rate = argc > 1 ? atof(argv[1]) : 100;
  const double seconds = argc > 2 ? atof(argv[2]) : 5;
  const double warmup = argc > 3 ? atof(argv[3]) : 1;
  const int sender_cpu = argc > 5 ? atoi(argv[4]) : -1;
  const int receiver_cpu = argc > 5 ? atoi(argv[5]) : -1;
  if (!(rate > 0 && rate <= 1e6) || !(seconds > 0 && seconds <= 3600) || !(warmup >= 0 && warmup <= 60)) {
    fprintf(stderr, "usage: %s [EVENTS_PER_S (0,1e6]] [SECONDS (0,3600]] [WARMUP_S [0,60]]\n", argv[0]);
    return 2;
  }
  int lfd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = 0};
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (lfd < 0 || bind(lfd, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(lfd, 1) != 0 ||
      getsockname(lfd, (struct sockaddr *)&addr, &len) != 0) {
    perror("listen on 127.0.0.1");
    return 1;
  }
  int cfd = socket(AF_INET, SOCK_STREAM, 0);
  if (cfd < 0 || connect(cfd, (struct sockaddr *)&addr, sizeof addr) != 0) {
    perror("connect");
    return 1;
  }
  int sfd = accept(lfd, NULL, NULL);
  if (sfd < 0) {
    perror("accept");
    return 1;
  }
  const int one = 1;
  setsockopt(sfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  const int64_t start = now_ns() + 10000000;  /* 10 ms from now */
  struct Run send_run = {.fd = sfd, .rate = rate, .start_ns = start,
                         .end_ns = start + (int64_t)((warmup + seconds) * 1e9), .cpu = sender_cpu};
  struct Run recv_run = {.fd = cfd, .window_ns = start + (int64_t)(warmup * 1e9), .cpu = receiver_cpu};
  pthread_t ts, tr;
  pthread_create(&tr, NULL, receiver, &recv_run);
  pthread_create(&ts, NULL, sender, &send_run);
  pthread_join(ts, NULL);
  pthread_join(tr, NULL);
  qsort(recv_run.samples, recv_run.count, sizeof *recv_run.samples, cmp64);
  printf("{\"rate\": %g, \"events\": %zu, \"p50_us\": %.1f, \"p90_us\": %.1f, \"p99_us\": %.1f, "
         "\"max_us\": %.1f}\n",
         rate, recv_run.count, pct_us(&recv_run, 0.5), pct_us(&recv_run, 0.9), pct_us(&recv_run, 0.99),
         pct_us(&recv_run, 1.0));
  free(recv_run.samples);
  close(sfd);
  close(cfd);
  close(lfd);
  return recv_run.count ? 0 : 1;
}
