/* End-to-end check of fcgi-app/main.c + server.c: starts the real
 * wagate-fcgi with --listen on a temporary Unix socket, drives it with the
 * cgi-fcgi client (Debian libfcgi-bin) and stops it with SIGTERM, which must
 * end it promptly (socketio-and-proxy.md §6). connd is absent, so a keyed
 * request must come back 503 at once. Skips (77) without cgi-fcgi or the
 * built binary. */
#include "wg_test.h"
#include "wg_time.h"
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static char bin[PATH_MAX + 64], sock[108];

static int find_binary(void)
{
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0)
        return 0;
    self[n] = '\0';
    char *slash = strrchr(self, '/');
    if (!slash)
        return 0;
    *slash = '\0'; /* <build>/tests */
    snprintf(bin, sizeof bin, "%s/../fcgi-app/wagate-fcgi", self);
    return access(bin, X_OK) == 0;
}

/* Runs one request through cgi-fcgi; returns its whole output (static). */
static const char *request(const char *env, const char *body)
{
    static char out[8192];
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "printf '%%s' '%s' | env -i %s cgi-fcgi -bind -connect %s 2>&1",
             body ? body : "", env, sock);
    FILE *p = popen(cmd, "r");
    if (!p)
        return "";
    size_t n = fread(out, 1, sizeof out - 1, p);
    out[n] = '\0';
    pclose(p);
    return out;
}

static pid_t start(void)
{
    pid_t pid = fork();
    if (pid == 0) {
        setenv("WAGATE_IPC_SOCKET", "/tmp/wg-fcgi-no-connd.sock", 1);
        setenv("WAGATE_FCGI_THREADS", "3", 1);
        setenv("LOG_LEVEL", "error", 1);
        execl(bin, bin, "--listen", sock, (char *)NULL);
        _exit(127);
    }
    for (int i = 0; i < 100 && access(sock, F_OK) != 0; i++)
        usleep(20000);
    return pid;
}

static void serves_and_stops(void)
{
    pid_t pid = start();
    const char *out = request("REQUEST_METHOD=GET REQUEST_URI=/ HTTP_HOST=h", NULL);
    WG_CHECK(strstr(out, "Status: 200 OK") != NULL);
    WG_CHECK(strstr(out, "\"manager\":\"http://h/manager\"") != NULL);
    out = request("REQUEST_METHOD=GET REQUEST_URI=/instance/connectionState/a HTTP_APIKEY=k",
                  NULL);
    WG_CHECK(strstr(out, "Status: 503") != NULL);
    WG_CHECK(strstr(out, "connd is not running") != NULL);
    out = request("REQUEST_METHOD=POST REQUEST_URI=/instance/create CONTENT_LENGTH=2", "{}");
    WG_CHECK(strstr(out, "Status: 401") != NULL);
    out = request("REQUEST_METHOD=GET REQUEST_URI=/x?y=1", NULL);
    WG_CHECK(strstr(out, "[\"Cannot GET /x\"]") != NULL);

    /* the request threads all wait in accept() on the one socket (no lock
     * of ours around it): concurrent connections are each served once */
    char cmd[4096];
    snprintf(cmd, sizeof cmd,
             "for i in $(seq 1 24); do (env -i REQUEST_METHOD=GET REQUEST_URI=/ HTTP_HOST=h "
             "cgi-fcgi -bind -connect %s 2>&1 | grep -c '^Status: 200 OK') & done; wait",
             sock);
    FILE *p = popen(cmd, "r");
    int served = 0;
    char line[64];
    while (p && fgets(line, sizeof line, p))
        served += atoi(line);
    if (p)
        pclose(p);
    WG_CHECK_INT(served, 24);

    int64_t t0 = wg_mono_ms();
    kill(pid, SIGTERM);
    int status = 0;
    pid_t done = 0;
    while ((done = waitpid(pid, &status, WNOHANG)) == 0 && wg_mono_ms() - t0 < 3000)
        usleep(10000);
    WG_CHECK(done == pid);
    if (done != pid) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
    } else {
        WG_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
}

static void help_prints_config(void)
{
    char cmd[PATH_MAX + 128];
    snprintf(cmd, sizeof cmd, "%s --help", bin);
    FILE *p = popen(cmd, "r");
    char out[16384];
    size_t n = p ? fread(out, 1, sizeof out - 1, p) : 0;
    out[n] = '\0';
    WG_CHECK(p && pclose(p) == 0);
    WG_CHECK(strstr(out, "--listen") != NULL);
    WG_CHECK(strstr(out, "WAGATE_IPC_TIMEOUT_MS") != NULL);
    WG_CHECK(strstr(out, "AUTHENTICATION_API_KEY") == NULL); /* connd's, not ours */
}

int main(void)
{
    if (system("command -v cgi-fcgi >/dev/null 2>&1") != 0 || !find_binary()) {
        printf("skip: needs cgi-fcgi and a built wagate-fcgi\n");
        return 77;
    }
    signal(SIGPIPE, SIG_IGN);
    snprintf(sock, sizeof sock, "/tmp/wg-fcgi-main-%d.sock", (int)getpid());
    WG_RUN(serves_and_stops);
    WG_RUN(help_prints_config);
    unlink(sock);
    return wg_test_done();
}
