/* The physical latency floor of this machine: the least a push over loopback TCP can cost.
 *
 * A sender thread writes one 64-byte message every PERIOD microseconds, each carrying its
 * intended send time (CLOCK_REALTIME ns, paced from the expected start as wrk2 does) and its actual
 * send time; a receiver thread blocks in read() and records receive time minus intended time. No event loop, no
 * framing, no parsing beyond a fixed-size record: what is left is the kernel's wake-up and
 * loopback path, which every transport pays. pushbench's raw transport at the same rate should
 * come within a small factor of it (bench/floor/compare.sh runs both in one go).
 *
 * Usage: pushbench-latency-floor [--spin] [EVENTS_PER_S] [SECONDS] [WARMUP_S] [SENDER_CPU RECEIVER_CPU]
 *        (defaults 100 5 1, threads unpinned; pin them as pushbench run pins server and client)
 * Prints one JSON object: {"rate":..,"events":..,"p50_us":..,"p90_us":..,"p99_us":..,"max_us":..,
 * "uncorrected_p50_us":..,"sender_late_p50_us":..}: the median latency from the intended time, and
 * its two parts, receive time minus send time and the sender's lateness (send minus intended).
 *
 * The receive mode is the same minimal receiver in front of a pushbench server's raw transport
 * (one stream, 64 B events), so that a gap between the floor and pushbench splits into the
 * server's part and the load generator's:
 *        pushbench-latency-floor [--spin] receive PORT [EVENTS_PER_S] [SECONDS] [WARMUP_S] [CPU]
 * It sends `PUSHBENCH/1 rate=R&size=64&duration=D&epoch=E`, blocks in read() and takes one clock
 * reading per read, as a receiver must. It prints the same object (plus "malformed", lines without
 * `ts` and `st`), with `ts` as the intended time and the server's `st` as the send time.
 *
 * With --spin first (either mode), the receiver never sleeps: it polls the socket with
 * non-blocking reads, taking its whole CPU, as `pushbench load --busy-poll` does; what is left is
 * the loopback path without the receiver's wake-up.
 *
 * Traffic: 127.0.0.1 only, on an ephemeral port (the pair) or the given one (receive); bounded by
 * SECONDS + WARMUP_S.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
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

/* A growing array of latencies in ns. */
struct Samples {
  int64_t *v;      /* the values; sorted by summarise() */
  size_t count;    /* values recorded */
  size_t capacity; /* values allocated */
};

static void push(struct Samples *s, int64_t x) {
  if (s->count == s->capacity) {
    s->capacity = s->capacity ? s->capacity * 2 : 4096;
    s->v = realloc(s->v, s->capacity * sizeof *s->v);
    if (!s->v) abort();
  }
  s->v[s->count++] = x;
}

static int cmp64(const void *a, const void *b) {
  const int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return (x > y) - (x < y);
}

/* The q-quantile of sorted samples in microseconds (0 when empty). */
static double pct_us(const struct Samples *s, double q) {
  if (s->count == 0) return 0;
  size_t i = (size_t)(q * (double)(s->count - 1) + 0.5);
  return (double)s->v[i] / 1e3;
}

static void sort_samples(struct Samples *s) { qsort(s->v, s->count, sizeof *s->v, cmp64); }

/* Each counted event's latency and its two parts. */
struct Latencies {
  struct Samples total; /* receive time - intended time */
  struct Samples late;  /* send time - intended time (the sender's lateness) */
  struct Samples wire;  /* receive time - send time (what the load generator calls uncorrected) */
};

static void record(struct Latencies *l, int64_t received, int64_t intended, int64_t sent) {
  push(&l->total, received - intended);
  push(&l->late, sent - intended);
  push(&l->wire, received - sent);
}

static void free_latencies(struct Latencies *l) {
  free(l->total.v);
  free(l->late.v);
  free(l->wire.v);
}

struct Run {
  int fd;              /* the socket this thread uses */
  double rate;         /* messages per second */
  int64_t start_ns;    /* intended time of message 0 */
  int64_t window_ns;   /* first intended time that counts (after warm-up) */
  int64_t end_ns;      /* no message intended at or after this */
  struct Latencies lat; /* receiver: what it counted */
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
    const int64_t sent = now_ns();
    memcpy(rec, &due, sizeof due);
    memcpy(rec + sizeof due, &sent, sizeof sent);
    if (write(r->fd, rec, sizeof rec) != (ssize_t)sizeof rec) break;
  }
  shutdown(r->fd, SHUT_WR);
  return NULL;
}

/* Set by --spin: the receivers poll instead of blocking in read(). */
static int spin_reads;

/* read(), or with --spin the first non-blocking read that does not fail with EAGAIN. */
static ssize_t read_some(int fd, void *buf, size_t n) {
  if (!spin_reads) return read(fd, buf, n);
  for (;;) {
    const ssize_t got = recv(fd, buf, n, MSG_DONTWAIT);
    if (got >= 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) return got;
  }
}

static void *receiver(void *arg) {
  struct Run *r = arg;
  pin(r->cpu);
  char rec[kRecord];
  size_t have = 0;
  for (;;) {
    const ssize_t n = read_some(r->fd, rec + have, sizeof rec - have);
    if (n <= 0) break;
    have += (size_t)n;
    if (have < sizeof rec) continue;
    const int64_t t = now_ns();
    have = 0;
    int64_t due, sent;
    memcpy(&due, rec, sizeof due);
    memcpy(&sent, rec + sizeof due, sizeof sent);
    if (due < r->window_ns) continue;
    record(&r->lat, t, due, sent);
  }
  return NULL;
}

static int usage(const char *argv0) {
  fprintf(stderr,
          "usage: %s [--spin] [EVENTS_PER_S [0.001,1e6]] [SECONDS [0.001,3600]] [WARMUP_S [0,60]] [SENDER_CPU RECEIVER_CPU]\n"
          "       %s [--spin] receive PORT [EVENTS_PER_S] [SECONDS] [WARMUP_S] [CPU]\n",
          argv0, argv0);
  return 2;
}

static int valid(double rate, double seconds, double warmup) {
  /* The receive mode writes rate and duration with six decimals: no value rounds to zero. */
  return rate >= 0.001 && rate <= 1e6 && seconds >= 0.001 && seconds <= 3600 && warmup >= 0 && warmup <= 60;
}

/* Prints the JSON object's fields (without the closing brace): the total's quantiles, then the
 * medians of its two parts. */
static void print_latencies(double rate, struct Latencies *l) {
  struct Samples *t = &l->total;
  sort_samples(t);
  sort_samples(&l->wire);
  sort_samples(&l->late);
  printf("{\"rate\": %g, \"events\": %zu, \"p50_us\": %.1f, \"p90_us\": %.1f, \"p99_us\": %.1f, "
         "\"max_us\": %.1f, \"uncorrected_p50_us\": %.1f, \"sender_late_p50_us\": %.1f",
         rate, t->count, pct_us(t, 0.5), pct_us(t, 0.9), pct_us(t, 0.99), pct_us(t, 1.0), pct_us(&l->wire, 0.5),
         pct_us(&l->late, 0.5));
}

/* The minimal sender and receiver, two threads over one loopback connection. */
static int run_pair(int argc, char **argv) {
  const double rate = argc > 1 ? atof(argv[1]) : 100;
  const double seconds = argc > 2 ? atof(argv[2]) : 5;
  const double warmup = argc > 3 ? atof(argv[3]) : 1;
  const int sender_cpu = argc > 5 ? atoi(argv[4]) : -1;
  const int receiver_cpu = argc > 5 ? atoi(argv[5]) : -1;
  if (!valid(rate, seconds, warmup)) return usage(argv[0]);
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
  const int64_t start = now_ns() + 10000000; /* 10 ms from now */
  struct Run send_run = {.fd = sfd, .rate = rate, .start_ns = start,
                         .end_ns = start + (int64_t)((warmup + seconds) * 1e9), .cpu = sender_cpu};
  struct Run recv_run = {.fd = cfd, .window_ns = start + (int64_t)(warmup * 1e9), .cpu = receiver_cpu};
  pthread_t ts, tr;
  pthread_create(&tr, NULL, receiver, &recv_run);
  pthread_create(&ts, NULL, sender, &send_run);
  pthread_join(ts, NULL);
  pthread_join(tr, NULL);
  print_latencies(rate, &recv_run.lat);
  printf("}\n");
  const int counted = recv_run.lat.total.count > 0;
  free_latencies(&recv_run.lat);
  close(sfd);
  close(cfd);
  close(lfd);
  return counted ? 0 : 1;
}

/* The integer after `key` in `line` (key like "\"ts\":"), or 0 with *ok cleared. */
static int64_t field(const char *line, const char *key, int *ok) {
  const char *p = strstr(line, key);
  if (!p) {
    *ok = 0;
    return 0;
  }
  char *end;
  const long long v = strtoll(p + strlen(key), &end, 10);
  if (end == p + strlen(key)) *ok = 0;
  return v;
}

/* What the receive mode records: the three differences of every counted event. */
struct Received {
  struct Latencies lat; /* ts as the intended time, st as the send time */
  size_t malformed;     /* lines without both numbers */
};

/* Handles one complete line (NUL-terminated, no newline) read at time t; -1 on an ERROR line. */
static int on_line(const char *line, int64_t t, int64_t window_ns, struct Received *out) {
  if (line[0] == '\0') return 0; /* a keep-alive */
  if (strncmp(line, "ERROR", 5) == 0) {
    fprintf(stderr, "server: %s\n", line);
    return -1;
  }
  int ok = 1;
  const int64_t ts = field(line, "\"ts\":", &ok), st = field(line, "\"st\":", &ok);
  if (!ok) {
    ++out->malformed;
    return 0;
  }
  if (ts < window_ns) return 0;
  record(&out->lat, t, ts, st);
  return 0;
}

/* Reads lines until the server closes; 0 when the stream ended cleanly. */
static int receive_lines(int fd, int64_t window_ns, struct Received *out) {
  static char buf[1 << 16];
  size_t have = 0;
  for (;;) {
    if (have == sizeof buf - 1) {
      fprintf(stderr, "a line longer than %zu bytes\n", sizeof buf - 1);
      return -1;
    }
    const ssize_t n = read_some(fd, buf + have, sizeof buf - 1 - have);
    if (n < 0) {
      perror("read");
      return -1;
    }
    if (n == 0) {
      if (have > 0) ++out->malformed; /* a last line without its newline */
      return 0;
    }
    const int64_t t = now_ns();
    have += (size_t)n;
    buf[have] = '\0';
    char *line = buf, *nl;
    while ((nl = memchr(line, '\n', (size_t)(buf + have - line))) != NULL) {
      *nl = '\0';
      if (on_line(line, t, window_ns, out) != 0) return -1;
      line = nl + 1;
    }
    have = (size_t)(buf + have - line);
    memmove(buf, line, have);
  }
}

/* The minimal receiver in front of a pushbench server's raw transport. */
static int run_receive(int argc, char **argv) {
  const int port = argc > 2 ? atoi(argv[2]) : 0;
  const double rate = argc > 3 ? atof(argv[3]) : 100;
  const double seconds = argc > 4 ? atof(argv[4]) : 5;
  const double warmup = argc > 5 ? atof(argv[5]) : 1;
  const int cpu = argc > 6 ? atoi(argv[6]) : -1;
  if (port <= 0 || port > 65535 || !valid(rate, seconds, warmup)) return usage(argv[0]);
  pin(cpu);
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
    perror("connect to 127.0.0.1");
    return 1;
  }
  const int64_t start = now_ns() + 10000000; /* 10 ms from now, as the pair starts */
  char hello[256];
  const int len = snprintf(hello, sizeof hello, "PUSHBENCH/1 rate=%.6f&size=64&duration=%.6f&epoch=%lld\n",
                           rate, warmup + seconds, (long long)start);
  if (write(fd, hello, (size_t)len) != len) {
    perror("write the handshake");
    return 1;
  }
  struct Received got = {0};
  const int rc = receive_lines(fd, start + (int64_t)(warmup * 1e9), &got);
  close(fd);
  print_latencies(rate, &got.lat);
  printf(", \"malformed\": %zu}\n", got.malformed);
  const int counted = got.lat.total.count > 0;
  free_latencies(&got.lat);
  return rc == 0 && counted && !got.malformed ? 0 : 1;
}

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "--spin") == 0) {
    spin_reads = 1;
    argv[1] = argv[0];
    --argc;
    ++argv;
  }
  if (argc > 1 && strcmp(argv[1], "receive") == 0) return run_receive(argc, argv);
  return run_pair(argc, argv);
}
