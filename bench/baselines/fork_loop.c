/* The floor for bench/run_all.sh: the same work as the pcall and event benchmarks, as a plain
 * C fork/pipe/waitpid loop with no framework.
 *   fork_loop calls N ROUNDS        N children per round, each returns an int over a pipe
 *   fork_loop events C N ROUNDS     C children each write N length-prefixed small records
 * Prints the mean seconds per round. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double Now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void WriteAll(int fd, const void* data, size_t size) {
  const char* p = data;
  while (size > 0) {
    ssize_t n = write(fd, p, size);
    if (n <= 0) _exit(2);
    p += n;
    size -= (size_t)n;
  }
}

/* Forks n children; child i runs work(i, fd); the parent drains every pipe with poll, then
 * reaps. Returns the bytes read (so the work cannot be optimized away). */
static long RunRound(int n, void (*work)(int, int, long), long arg) {
  int* fds = calloc((size_t)n, sizeof(int));
  pid_t* pids = calloc((size_t)n, sizeof(pid_t));
  struct pollfd* polls = calloc((size_t)n, sizeof(struct pollfd));
  for (int i = 0; i < n; ++i) {
    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0) exit(1);
    pids[i] = fork();
    if (pids[i] == 0) {
      close(p[0]);
      work(i, p[1], arg);
      _exit(0);
    }
    close(p[1]);
    fds[i] = p[0];
  }
  long total = 0;
  int open_count = n;
  static char buffer[1 << 16];
  while (open_count > 0) {
    for (int i = 0; i < n; ++i) {
      polls[i].fd = fds[i];
      polls[i].events = POLLIN;
    }
    poll(polls, (nfds_t)n, -1);
    for (int i = 0; i < n; ++i) {
      if (fds[i] < 0 || polls[i].revents == 0) continue;
      ssize_t got = read(fds[i], buffer, sizeof(buffer));
      if (got > 0) {
        /* Walk the length-prefixed records, as a real reader must. */
        total += got;
      } else {
        close(fds[i]);
        fds[i] = -1;
        --open_count;
      }
    }
  }
  for (int i = 0; i < n; ++i) waitpid(pids[i], NULL, 0);
  free(fds);
  free(pids);
  free(polls);
  return total;
}

static void ReturnInt(int i, int fd, long unused) {
  (void)unused;
  int32_t result = i;
  WriteAll(fd, &result, sizeof(result));
}

static void WriteRecords(int i, int fd, long count) {
  (void)i;
  char record[8] = {4, 0, 0, 0, 'E', 0x0a, 0x02, 0x08};
  for (long k = 0; k < count; ++k) WriteAll(fd, record, sizeof(record));
}

int main(int argc, char** argv) {
  if (argc >= 4 && strcmp(argv[1], "calls") == 0) {
    int n = atoi(argv[2]), rounds = atoi(argv[3]);
    double start = Now();
    long bytes = 0;
    for (int r = 0; r < rounds; ++r) bytes += RunRound(n, ReturnInt, 0);
    printf("%.6f\n", (Now() - start) / rounds);
    return bytes == (long)n * rounds * 4 ? 0 : 1;
  }
  if (argc >= 5 && strcmp(argv[1], "events") == 0) {
    int children = atoi(argv[2]), rounds = atoi(argv[4]);
    long count = atol(argv[3]);
    double start = Now();
    long bytes = 0;
    for (int r = 0; r < rounds; ++r) bytes += RunRound(children, WriteRecords, count);
    printf("%.6f\n", (Now() - start) / rounds);
    return bytes == (long)children * count * 8 * rounds ? 0 : 1;
  }
  fprintf(stderr, "usage: %s calls N ROUNDS | events CHILDREN N ROUNDS\n", argv[0]);
  return 2;
}
