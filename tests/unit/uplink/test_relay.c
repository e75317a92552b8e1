/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * Unit tests of the loopback SOCKS5 relay (uplink/relay.c) over real loopback sockets: a SOCKS5
 * client and an HTTP proxy's side of CONNECT, both plain non-blocking sockets the test drives
 * while it runs the relay's loop. What is checked: the CONNECT request with the longest
 * credentials and host name, the password limit, host names with control characters, the
 * connection cap and handshake deadline, half-close, and a relay close that passes on the
 * client's last bytes.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "uptest.h"
#include "uplink/up.h"

static uv_loop_t *L;
static char fail_state[64];
static bool relay_freed;

static void on_fail(void *arg, const char *state, const char *why)
{
    (void)arg;
    (void)why;
    snprintf(fail_state, sizeof fail_state, "%s", state);
}

static void on_relay_freed(void *arg)
{
    (void)arg;
    relay_freed = true;
}

/* Runs the loop for up to ms, or until fd is readable (fd >= 0). */
static void pump(int fd, int ms)
{
    for (int i = 0; i < ms; i++) {
        uv_run(L, UV_RUN_NOWAIT);
        if (fd >= 0) {
            struct pollfd p = {.fd = fd, .events = POLLIN};
            if (poll(&p, 1, 1) == 1)
                return;
        } else {
            usleep(1000);
        }
    }
}

static int listen_any(int *port)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof sa;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    assert_true(fd >= 0);
    assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    assert_int_equal(listen(fd, 8), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
    *port = ntohs(sa.sin_port);
    return fd;
}

static int dial(int port)
{
    struct sockaddr_in sa = {.sin_family = AF_INET,
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
                             .sin_port = htons((uint16_t)port)};
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    assert_int_equal(fcntl(fd, F_SETFL, O_NONBLOCK), 0);
    return fd;
}

static int accept_within(int lfd, int ms)
{
    pump(lfd, ms);
    int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK);
    return fd;
}

static void send_all(int fd, const void *p, size_t n)
{
    assert_int_equal(send(fd, p, n, MSG_NOSIGNAL), (ssize_t)n);
}

/* Reads until want bytes (no more), a "\r\n\r\n" (want 0), end of stream or ms. Returns the
 * count; *eof says whether the stream ended. want < cap. */
static size_t recv_some(int fd, char *buf, size_t cap, size_t want, int ms, bool *eof)
{
    size_t n = 0;
    *eof = false;
    for (int i = 0; i < ms; i++) {
        pump(fd, 1);
        ssize_t k = recv(fd, buf + n, (want ? want : cap - 1) - n, 0);
        if (k == 0 || (k < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) {
            *eof = true;
            break;
        }
        if (k > 0) {
            n += (size_t)k;
            buf[n] = '\0';
            if ((want && n >= want) || (!want && strstr(buf, "\r\n\r\n")))
                break;
        }
    }
    buf[n] = '\0';
    return n;
}

/* The SOCKS5 exchange up to the request, with the relay's own credentials; host of hlen. */
static void socks_request(struct up_relay *r, int fd, const char *host, size_t hlen)
{
    int port;
    const char *u, *p;
    unsigned char m[600], rep[16];
    size_t k = 0;
    bool eof;
    up__relay_socks(r, &port, &u, &p);
    m[k++] = 5, m[k++] = 1, m[k++] = 2;
    m[k++] = 1, m[k++] = (unsigned char)strlen(u);
    memcpy(m + k, u, strlen(u)), k += strlen(u);
    m[k++] = (unsigned char)strlen(p);
    memcpy(m + k, p, strlen(p)), k += strlen(p);
    m[k++] = 5, m[k++] = 1, m[k++] = 0, m[k++] = 3, m[k++] = (unsigned char)hlen;
    memcpy(m + k, host, hlen), k += hlen;
    m[k++] = 0x22, m[k++] = 0xb3; /* 8883 */
    send_all(fd, m, k);
    /* method choice and the authentication answer */
    assert_int_equal(recv_some(fd, (char *)rep, sizeof rep, 4, 2000, &eof), 4);
    assert_memory_equal(rep, "\x05\x02\x01\x00", 4);
}

static struct up_relay *relay_start(int pport, const char *user, const char *pw)
{
    char url[64];
    struct gw_errbuf eb = {""};
    struct up_relay *r = NULL;
    snprintf(url, sizeof url, "http://127.0.0.1:%d", pport);
    fail_state[0] = '\0';
    relay_freed = false;
    assert_int_equal(up__relay_start(L, url, user, pw, on_fail, NULL, &r, &eb), 0);
    return r;
}

static void relay_stop(struct up_relay *r)
{
    up__relay_close(r, on_relay_freed, NULL);
    for (int i = 0; i < 5000 && !relay_freed; i++)
        pump(-1, 1);
    assert_true(relay_freed);
}

/* The longest user name the configuration takes, the longest password and the longest host
 * name: the CONNECT request arrives whole, credentials intact. Then half-close both ways. */
static void test_connect_long_credentials_and_half_close(void **state)
{
    (void)state;
    char user[128], pw[UP_PROXY_PW_MAX + 1], host[256], plain[400], b64[600];
    char expect[1500], buf[2048];
    int pport;
    bool eof;
    memset(user, 'u', sizeof user - 1), user[sizeof user - 1] = '\0';
    memset(pw, 'p', sizeof pw - 1), pw[sizeof pw - 1] = '\0';
    memset(host, 'h', 255), host[255] = '\0';
    int lfd = listen_any(&pport);
    struct up_relay *r = relay_start(pport, user, pw);
    int rport;
    const char *su, *sp;
    up__relay_socks(r, &rport, &su, &sp);
    int cfd = dial(rport);
    socks_request(r, cfd, host, 255);
    int pfd = accept_within(lfd, 2000);
    assert_true(pfd >= 0);
    size_t n = recv_some(pfd, buf, sizeof buf, 0, 2000, &eof);
    int pl = snprintf(plain, sizeof plain, "%s:%s", user, pw);
    EVP_EncodeBlock((unsigned char *)b64, (unsigned char *)plain, pl);
    snprintf(expect, sizeof expect,
             "CONNECT %s:8883 HTTP/1.1\r\nHost: %s:8883\r\n"
             "Proxy-Authorization: Basic %s\r\n\r\n",
             host, host, b64);
    assert_int_equal(n, strlen(expect));
    assert_string_equal(buf, expect);
    /* The tunnel: the reply with the broker's first bytes, then both ways. */
    const char ok[] = "HTTP/1.1 200 Connection established\r\n\r\nfrom-broker";
    send_all(pfd, ok, sizeof ok - 1);
    n = recv_some(cfd, buf, sizeof buf, 10 + 11, 2000, &eof);
    assert_int_equal(n, 21);
    assert_memory_equal(buf, "\x05\x00", 2);
    assert_memory_equal(buf + 10, "from-broker", 11);
    assert_string_equal(fail_state, "");
    /* Half-close: the client has said all it will; the broker still answers after that. */
    send_all(cfd, "bye", 3);
    assert_int_equal(shutdown(cfd, SHUT_WR), 0);
    n = recv_some(pfd, buf, sizeof buf, 4, 2000, &eof);
    assert_int_equal(n, 3);
    assert_string_equal(buf, "bye");
    assert_true(eof);
    send_all(pfd, "last words", 10);
    close(pfd);
    n = recv_some(cfd, buf, sizeof buf, 11, 2000, &eof);
    assert_int_equal(n, 10);
    assert_string_equal(buf, "last words");
    assert_true(eof);
    close(cfd);
    close(lfd);
    relay_stop(r);
}

/* A host name with CR/LF never reaches the proxy: the client gets a failure reply. */
static void test_host_with_control_characters(void **state)
{
    (void)state;
    static const char *bad[] = {"broker\r\nX-Injected: 1", "broker example", "\x7f"};
    char buf[64];
    int pport;
    bool eof;
    int lfd = listen_any(&pport);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct up_relay *r = relay_start(pport, "fgw", "pw");
        int rport;
        const char *su, *sp;
        up__relay_socks(r, &rport, &su, &sp);
        int cfd = dial(rport);
        socks_request(r, cfd, bad[i], strlen(bad[i]));
        size_t n = recv_some(cfd, buf, sizeof buf, 11, 2000, &eof);
        assert_int_equal(n, 10);
        assert_int_equal(buf[0], 5);
        assert_int_not_equal(buf[1], 0);
        assert_true(eof);
        assert_string_equal(fail_state, "proxy_bad_config");
        assert_true(accept_within(lfd, 100) < 0); /* the proxy saw nothing */
        close(cfd);
        relay_stop(r);
    }
    close(lfd);
}

/* At most two connections at a time; one that does not authenticate is closed after 5 s. */
static void test_connection_cap_and_handshake_deadline(void **state)
{
    (void)state;
    char buf[64];
    int pport, rport;
    const char *su, *sp;
    bool eof;
    int lfd = listen_any(&pport);
    struct up_relay *r = relay_start(pport, "fgw", "pw");
    up__relay_socks(r, &rport, &su, &sp);
    int a = dial(rport);
    send_all(a, "\x05\x01\x02", 3); /* a greeting, then nothing */
    assert_int_equal(recv_some(a, buf, sizeof buf, 2, 2000, &eof), 2);
    int b = dial(rport);
    pump(-1, 100);
    int c = dial(rport);
    assert_int_equal(recv_some(c, buf, sizeof buf, 1, 2000, &eof), 0);
    assert_true(eof); /* the third is closed at once */
    assert_int_equal(recv_some(a, buf, sizeof buf, 1, 1000, &eof), 0);
    assert_false(eof); /* the first two wait */
    assert_int_equal(recv_some(a, buf, sizeof buf, 1, 6000, &eof), 0);
    assert_true(eof); /* until the deadline */
    assert_int_equal(recv_some(b, buf, sizeof buf, 1, 1000, &eof), 0);
    assert_true(eof);
    close(a);
    close(b);
    close(c);
    /* Room again: a proper client gets its tunnel. */
    int d = dial(rport);
    socks_request(r, d, "broker", 6);
    int pfd = accept_within(lfd, 2000);
    assert_true(pfd >= 0);
    close(pfd);
    close(d);
    close(lfd);
    relay_stop(r);
}

/* The relay closes right after its client wrote its last bytes and closed: they still reach the
 * proxy (the MQTT session's "offline" and DISCONNECT on a polite stop). */
static void test_close_passes_on_last_bytes(void **state)
{
    (void)state;
    char buf[2048];
    int pport, rport;
    const char *su, *sp;
    bool eof;
    int lfd = listen_any(&pport);
    struct up_relay *r = relay_start(pport, "fgw", "pw");
    up__relay_socks(r, &rport, &su, &sp);
    int cfd = dial(rport);
    socks_request(r, cfd, "broker", 6);
    int pfd = accept_within(lfd, 2000);
    assert_true(pfd >= 0);
    recv_some(pfd, buf, sizeof buf, 0, 2000, &eof);
    const char ok[] = "HTTP/1.1 200 OK\r\n\r\n";
    send_all(pfd, ok, sizeof ok - 1);
    assert_int_equal(recv_some(cfd, buf, sizeof buf, 10, 2000, &eof), 10);
    assert_int_equal(buf[1], 0);
    send_all(cfd, "goodbye", 7);
    close(cfd);
    up__relay_close(r, on_relay_freed, NULL);
    size_t n = recv_some(pfd, buf, sizeof buf, 8, 3000, &eof);
    assert_int_equal(n, 7);
    assert_string_equal(buf, "goodbye");
    assert_true(eof);
    for (int i = 0; i < 3000 && !relay_freed; i++)
        pump(-1, 1);
    assert_true(relay_freed);
    close(pfd);
    close(lfd);
}

static void test_password_limit(void **state)
{
    (void)state;
    char pw[UP_PROXY_PW_MAX + 2];
    struct gw_errbuf eb = {""};
    struct up_relay *r = NULL;
    memset(pw, 'p', sizeof pw - 1), pw[sizeof pw - 1] = '\0';
    assert_int_equal(up__relay_start(L, "http://127.0.0.1:3128", "fgw", pw, on_fail, NULL, &r, &eb),
                     GW_E_INVAL);
    assert_null(r);
    assert_non_null(strstr(eb.msg, "proxy password is 257 bytes"));
    assert_non_null(strstr(eb.msg, "limit of 256 bytes"));
}

/* Where it is stored: the registration result with a longer proxy password stores nothing. */
static void test_password_limit_where_stored(void **state)
{
    (void)state;
    char dir[] = "/tmp/test_relay.XXXXXX";
    char pw[UP_PROXY_PW_MAX + 2];
    sqlite3_stmt *st;
    struct gw_db *db = uptest_db(dir, false);
    memset(pw, 'p', sizeof pw - 1), pw[sizeof pw - 1] = '\0';
    json_t *req = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "cmd", "uplink.register", "result",
                            "ok", "url", "https://cloud.invalid", "gateway_id", "gw-unit", "token",
                            "token-0123456789", "proxy_password", pw);
    static const struct gw_op_caller who = {GW_OP_SRC_CLI, GW_ROLE_ADMIN, "test", "unit"};
    const struct gw_op_table t = {"uplink", up_ops, up_n_ops};
    struct gw_op_index *idx;
    assert_int_equal(gw_op_index_new(&t, 1, &idx, NULL), 0);
    json_t *rep = gw_op_exec(idx, NULL, db, NULL, &who, req);
    gw_op_index_free(idx);
    json_decref(req);
    assert_false(json_is_true(json_object_get(rep, "ok")));
    assert_non_null(strstr(json_string_value(json_object_get(rep, "error")), "limit of 256 bytes"));
    json_decref(rep);
    assert_int_equal(
        sqlite3_prepare_v2(gw_db_handle(db), "SELECT count(*) FROM up_secrets", -1, &st, NULL),
        SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), 0);
    sqlite3_finalize(st);
    uptest_db_close(db, dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_connect_long_credentials_and_half_close),
        cmocka_unit_test(test_password_limit),
        cmocka_unit_test(test_password_limit_where_stored),
        cmocka_unit_test(test_host_with_control_characters),
        cmocka_unit_test(test_connection_cap_and_handshake_deadline),
        cmocka_unit_test(test_close_passes_on_last_bytes),
    };
    L = uv_default_loop();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
