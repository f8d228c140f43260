/* fanout_client: N Socket.IO WebSocket clients in one epoll loop, for
 * tests/bench/fanout. Connects N clients to 127.0.0.1:PORT/socket.io/
 * (Engine.IO v4 WebSocket only), joins NAMESPACE with AUTH_JSON, answers
 * pings, counts every EVENT frame and measures latency from the "t" field
 * (ms since the epoch, set by the publisher) to receipt. Prints "ready N"
 * when all joined; on SIGTERM prints one JSON line of results and exits.
 * Built by the bench's run script (cc -O2); not part of the product.
 *   usage: fanout_client PORT N NAMESPACE AUTH_JSON */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_SAMPLES 4000000

typedef struct {
    int fd;          /* socket */
    int upgraded;    /* the 101 response was consumed */
    int state;       /* 0 waiting for open, 1 open seen, 2 joined */
    char *buf;       /* input */
    size_t len, cap; /* bytes in / allocated */
} client_t;

static volatile sig_atomic_t stop;
static double *samples;
static size_t nsamples;
static uint64_t delivered, closed_clients;
static double first_rx, last_rx;

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

static void send_frame(int fd, const char *text)
{
    size_t n = strlen(text);
    unsigned char hdr[8];
    size_t h = 0;
    hdr[h++] = 0x81;
    if (n < 126) {
        hdr[h++] = 0x80 | (unsigned char)n;
    } else {
        hdr[h++] = 0x80 | 126;
        hdr[h++] = (unsigned char)(n >> 8);
        hdr[h++] = (unsigned char)n;
    }
    unsigned char mask[4] = {1, 2, 3, 4};
    char *out = malloc(h + 4 + n);
    memcpy(out, hdr, h);
    memcpy(out + h, mask, 4);
    for (size_t i = 0; i < n; i++)
        out[h + 4 + i] = text[i] ^ mask[i & 3];
    if (write(fd, out, h + 4 + n) < 0)
        perror("write");
    free(out);
}

static void on_text(client_t *c, const char *p, size_t n, const char *join)
{
    if (n >= 1 && p[0] == '0' && c->state == 0) {
        c->state = 1;
        send_frame(c->fd, join);
    } else if (n == 1 && p[0] == '2') {
        send_frame(c->fd, "3");
    } else if (n >= 2 && p[0] == '4' && p[1] == '0') {
        c->state = 2;
    } else if (n >= 2 && p[0] == '4' && p[1] == '2') {
        double t = now_ms();
        delivered++;
        if (!first_rx)
            first_rx = t;
        last_rx = t;
        const char *q = memmem(p, n, "\"t\":", 4);
        if (q && nsamples < MAX_SAMPLES)
            samples[nsamples++] = t - strtod(q + 4, NULL);
    }
}

/* Consumes complete frames from c->buf. */
static void parse(client_t *c, const char *join)
{
    size_t off = 0;
    if (!c->upgraded) {
        char *end = memmem(c->buf, c->len, "\r\n\r\n", 4);
        if (!end)
            return;
        off = (size_t)(end - c->buf) + 4;
        c->upgraded = 1;
    }
    for (;;) {
        if (c->len - off < 2)
            break;
        unsigned char *b = (unsigned char *)c->buf + off;
        uint64_t ln = b[1] & 0x7f;
        size_t h = 2;
        if (ln == 126) {
            if (c->len - off < 4)
                break;
            ln = ((uint64_t)b[2] << 8) | b[3];
            h = 4;
        } else if (ln == 127) {
            if (c->len - off < 10)
                break;
            ln = 0;
            for (int i = 0; i < 8; i++)
                ln = (ln << 8) | b[2 + i];
            h = 10;
        }
        if (c->len - off < h + ln)
            break;
        if ((b[0] & 0x0f) == 1)
            on_text(c, (const char *)b + h, (size_t)ln, join);
        off += h + ln;
    }
    memmove(c->buf, c->buf + off, c->len - off);
    c->len -= off;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void on_term(int sig)
{
    (void)sig;
    stop = 1;
}

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: fanout_client PORT N NAMESPACE AUTH_JSON\n");
        return 2;
    }
    int port = atoi(argv[1]), n = atoi(argv[2]);
    char join[512];
    snprintf(join, sizeof join, "40%s,%s", argv[3], argv[4]);
    samples = malloc(sizeof(double) * MAX_SAMPLES);
    signal(SIGTERM, on_term);
    signal(SIGPIPE, SIG_IGN);
    int ep = epoll_create1(0);
    client_t *cl = calloc((size_t)n, sizeof *cl);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    for (int i = 0; i < n; i++) {
        client_t *c = &cl[i];
        c->fd = socket(AF_INET, SOCK_STREAM, 0);
        int one = 1;
        setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        if (connect(c->fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
            perror("connect");
            return 1;
        }
        char req[256];
        int len = snprintf(req, sizeof req,
                           "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                           "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                           "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                           "Sec-WebSocket-Version: 13\r\n\r\n");
        if (write(c->fd, req, (size_t)len) != len)
            return 1;
        fcntl(c->fd, F_SETFL, O_NONBLOCK);
        c->cap = 1 << 16;
        c->buf = malloc(c->cap);
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
        epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev);
        if (i % 100 == 99)
            usleep(20000); /* do not overflow the listen backlog */
    }
    int ready_said = 0;
    struct epoll_event evs[256];
    while (!stop) {
        int k = epoll_wait(ep, evs, 256, 100);
        for (int i = 0; i < k; i++) {
            client_t *c = evs[i].data.ptr;
            for (;;) {
                if (c->cap - c->len < 4096) {
                    c->cap *= 2;
                    c->buf = realloc(c->buf, c->cap);
                }
                ssize_t r = read(c->fd, c->buf + c->len, c->cap - c->len);
                if (r > 0) {
                    c->len += (size_t)r;
                    continue;
                }
                if (r == 0) {
                    closed_clients++;
                    epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
                    close(c->fd);
                }
                break;
            }
            parse(c, join);
        }
        if (!ready_said) {
            int joined = 0;
            for (int i = 0; i < n; i++)
                joined += cl[i].state == 2;
            if (joined == n) {
                printf("ready %d\n", n);
                fflush(stdout);
                ready_said = 1;
            }
        }
    }
    qsort(samples, nsamples, sizeof *samples, cmp);
    double p50 = nsamples ? samples[nsamples / 2] : 0;
    double p99 = nsamples ? samples[(size_t)(nsamples * 0.99)] : 0;
    double span = last_rx > first_rx ? (last_rx - first_rx) / 1000.0 : 0;
    printf("{\"delivered\":%llu,\"span_s\":%.3f,\"per_s\":%.0f,\"p50_ms\":%.3f,\"p99_ms\":%.3f,"
           "\"closed\":%llu}\n",
           (unsigned long long)delivered, span, span > 0 ? delivered / span : 0, p50, p99,
           (unsigned long long)closed_clients);
    return 0;
}
