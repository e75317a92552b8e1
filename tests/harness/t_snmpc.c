/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * t_snmpc: drives snmpc sessions and polls on one libuv loop, for the integration tests of the
 * parts `fleetgw probe` cannot reach: many sessions at once (CPU per poll), repeated polls on
 * one session, the overall deadline, cancellation by closing mid-poll, and libuv's "callback
 * exactly once" rule. Prints one JSON object; exits non-zero if a rule was broken.
 *
 *   t_snmpc [-v 1|2c|3] [-u USER -a PROTO -A PASS -x PROTO -X PASS] [--kind full|status]
 *           [--timeout MS] [--retries N] [--deadline MS] [--repeat N] [--cancel-after MS]
 *           [--catalogue FILE] [--pause MS] HOST PORT NAME...
 *
 * One session per NAME: the community (v1/v2c) or the context name (v3).
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <uv.h>

#include "snmp/snmpc.h"

struct t_dev {
    struct snmpc_session *s;
    char name[64];
    int polls_left;
    int started, callbacks;
    size_t varbinds;
    int last_status;
    char detail[256];
    bool closed;
    uv_timer_t pause;
    bool pause_init;
};

static struct t_dev *devs;
static int ndevs, nclosed;
static uint64_t pause_ms;
static enum snmpc_poll_kind kind = SNMPC_POLL_FULL;
static const struct snmpc_catalogue *cat;
static int status_count[64];
static int status_code[64];
static int nstatus;
static bool broken;

static void count_status(int st)
{
    for (int i = 0; i < nstatus; i++)
        if (status_code[i] == st) {
            status_count[i]++;
            return;
        }
    if (nstatus < 64) {
        status_code[nstatus] = st;
        status_count[nstatus++] = 1;
    }
}

static void on_closed(void *arg)
{
    struct t_dev *d = arg;
    d->closed = true;
    nclosed++;
}

static void start_poll(struct t_dev *d);

static void on_pause(uv_timer_t *t)
{
    start_poll(t->data);
}

static void on_poll(struct snmpc_session *s, int status, const struct snmpc_vbset *vbs,
                    const char *detail, void *arg)
{
    struct t_dev *d = arg;
    d->callbacks++;
    if (d->callbacks > d->started) {
        fprintf(stderr, "t_snmpc: %s: callback ran twice for one poll\n", d->name);
        broken = true;
    }
    d->last_status = status;
    snprintf(d->detail, sizeof d->detail, "%s", detail ? detail : "");
    if (status == 0 && vbs)
        d->varbinds += vbs->n;
    count_status(status);
    if (status == -ECANCELED)
        return; /* the session is closing */
    if (--d->polls_left > 0 && pause_ms) {
        uv_timer_start(&d->pause, on_pause, pause_ms, 0);
    } else if (d->polls_left > 0) {
        start_poll(d);
    } else {
        snmpc_session_close(s, on_closed, d);
        if (d->pause_init)
            uv_close((uv_handle_t *)&d->pause, NULL);
    }
}

static void start_poll(struct t_dev *d)
{
    int rc = snmpc_poll_start(d->s, kind, cat, on_poll, d);
    if (rc < 0) {
        fprintf(stderr, "t_snmpc: %s: poll start: %s\n", d->name, gw_strerror(rc));
        count_status(rc);
        snmpc_session_close(d->s, on_closed, d);
        if (d->pause_init)
            uv_close((uv_handle_t *)&d->pause, NULL);
        return;
    }
    d->started++;
    /* A second poll on a busy session must be refused without a callback. */
    if (snmpc_poll_start(d->s, kind, cat, on_poll, d) != GW_E_BUSY) {
        fprintf(stderr, "t_snmpc: %s: second poll was not refused\n", d->name);
        broken = true;
    }
}

static void on_cancel(uv_timer_t *t)
{
    for (int i = 0; i < ndevs; i++)
        if (!devs[i].closed && devs[i].s && devs[i].polls_left > 0) {
            devs[i].polls_left = 0;
            snmpc_session_close(devs[i].s, on_closed, &devs[i]);
            if (devs[i].pause_init)
                uv_close((uv_handle_t *)&devs[i].pause, NULL);
        }
    uv_close((uv_handle_t *)t, NULL);
}

static double cpu_s(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
           ru.ru_stime.tv_usec / 1e6;
}

int main(int argc, char **argv)
{
    enum { O_KIND = 256, O_TIMEOUT, O_RETRIES, O_DEADLINE, O_REPEAT, O_CANCEL, O_CAT, O_PAUSE };
    static const struct option longopts[] = {
        {"kind", required_argument, NULL, O_KIND},
        {"timeout", required_argument, NULL, O_TIMEOUT},
        {"retries", required_argument, NULL, O_RETRIES},
        {"deadline", required_argument, NULL, O_DEADLINE},
        {"repeat", required_argument, NULL, O_REPEAT},
        {"cancel-after", required_argument, NULL, O_CANCEL},
        {"catalogue", required_argument, NULL, O_CAT},
        {"pause", required_argument, NULL, O_PAUSE},
        {NULL, 0, NULL, 0},
    };
    struct snmpc_target t = {0};
    struct snmpc_catalogue *catalogue = NULL;
    struct gw_errbuf eb = {{0}};
    uv_loop_t loop;
    uv_timer_t cancel;
    long cancel_ms = -1;
    int repeat = 1, c, rc;
    double cpu0, cpu1;
    uint64_t t0, t1;

    gw_log_init("t_snmpc");
    if (getenv("T_SNMPC_DEBUG")) {
        gw_log_set_level(LOG_DEBUG);
        gw_log_set_debug("snmp", NULL);
    }
    t.version = GW_SNMP_V2C;
    t.retries = 1;
    t.timeout_ms = 2000;
    while ((c = getopt_long(argc, argv, "v:u:a:A:x:X:l:", longopts, NULL)) != -1) {
        switch (c) {
        case 'v':
            t.version = !strcmp(optarg, "1")   ? GW_SNMP_V1
                        : !strcmp(optarg, "3") ? GW_SNMP_V3
                                               : GW_SNMP_V2C;
            break;
        case 'u':
            t.sec_name = optarg;
            t.sec_level = GW_SEC_AUTHPRIV;
            break;
        case 'l':
            t.sec_level = !strcmp(optarg, "noAuthNoPriv") ? GW_SEC_NOAUTH
                          : !strcmp(optarg, "authNoPriv") ? GW_SEC_AUTHNOPRIV
                                                          : GW_SEC_AUTHPRIV;
            break;
        case 'a':
            t.auth_proto = optarg;
            break;
        case 'A':
            t.auth_pass = optarg;
            break;
        case 'x':
            t.priv_proto = optarg;
            break;
        case 'X':
            t.priv_pass = optarg;
            break;
        case O_KIND:
            kind = !strcmp(optarg, "status") ? SNMPC_POLL_STATUS : SNMPC_POLL_FULL;
            break;
        case O_TIMEOUT:
            t.timeout_ms = (unsigned)strtoul(optarg, NULL, 10);
            break;
        case O_RETRIES:
            t.retries = (unsigned)strtoul(optarg, NULL, 10);
            break;
        case O_DEADLINE:
            t.deadline_ms = (unsigned)strtoul(optarg, NULL, 10);
            break;
        case O_REPEAT:
            repeat = (int)strtol(optarg, NULL, 10);
            repeat = repeat > 0 ? repeat : 1;
            break;
        case O_CANCEL:
            cancel_ms = strtol(optarg, NULL, 10);
            break;
        case O_PAUSE:
            pause_ms = strtoull(optarg, NULL, 10);
            break;
        case O_CAT:
            if ((rc = snmpc_catalogue_load(optarg, &catalogue, &eb)) < 0) {
                fprintf(stderr, "t_snmpc: %s\n", eb.msg);
                return 2;
            }
            cat = catalogue;
            break;
        default:
            fprintf(stderr, "t_snmpc: bad usage\n");
            return 2;
        }
    }
    if (argc - optind < 3) {
        fprintf(stderr, "usage: t_snmpc [options] HOST PORT NAME...\n");
        return 2;
    }
    t.host = argv[optind];
    t.port = (uint16_t)strtoul(argv[optind + 1], NULL, 10);
    ndevs = argc - optind - 2;
    devs = gw_calloc((size_t)ndevs, sizeof *devs);

    GW_ASSERT(uv_loop_init(&loop) == 0);
    snmpc_lib_init();
    cpu0 = cpu_s();
    t0 = uv_hrtime();
    for (int i = 0; i < ndevs; i++) {
        struct t_dev *d = &devs[i];
        snprintf(d->name, sizeof d->name, "%s", argv[optind + 2 + i]);
        if (t.version == GW_SNMP_V3)
            t.context = d->name;
        else
            t.community = d->name;
        d->polls_left = repeat;
        if (pause_ms) {
            uv_timer_init(&loop, &d->pause);
            d->pause.data = d;
            d->pause_init = true;
        }
        if ((rc = snmpc_session_new(&loop, &t, &d->s, &eb)) < 0) {
            fprintf(stderr, "t_snmpc: %s: %s\n", d->name, eb.msg);
            return 2;
        }
        start_poll(d);
    }
    if (cancel_ms >= 0) {
        uv_timer_init(&loop, &cancel);
        uv_timer_start(&cancel, on_cancel, (uint64_t)cancel_ms, 0);
    }
    uv_run(&loop, UV_RUN_DEFAULT);
    t1 = uv_hrtime();
    cpu1 = cpu_s();

    int polls = 0, callbacks = 0;
    size_t varbinds = 0;
    for (int i = 0; i < ndevs; i++) {
        polls += devs[i].started;
        callbacks += devs[i].callbacks;
        varbinds += devs[i].varbinds;
        if (devs[i].callbacks != devs[i].started) {
            fprintf(stderr, "t_snmpc: %s: %d polls but %d callbacks\n", devs[i].name,
                    devs[i].started, devs[i].callbacks);
            broken = true;
        }
        if (!devs[i].closed) {
            fprintf(stderr, "t_snmpc: %s: session not closed\n", devs[i].name);
            broken = true;
        }
    }
    if (uv_loop_close(&loop) != 0) {
        fprintf(stderr, "t_snmpc: loop still has handles\n");
        broken = true;
    }
    printf("{\"polls\": %d, \"callbacks\": %d, \"varbinds\": %zu, \"wall_ms\": %.1f, "
           "\"cpu_ms\": %.1f, \"status\": {",
           polls, callbacks, varbinds, (double)(t1 - t0) / 1e6, (cpu1 - cpu0) * 1e3);
    for (int i = 0; i < nstatus; i++)
        printf("%s\"%s\": %d", i ? ", " : "", status_code[i] ? gw_err_name(status_code[i]) : "OK",
               status_count[i]);
    printf("}, \"detail\": \"");
    for (const char *p = ndevs ? devs[0].detail : ""; *p; p++)
        if (*p != '"' && *p != '\\')
            putchar(*p);
    printf("\"}\n");
    free(devs);
    snmpc_catalogue_free(catalogue);
    snmpc_lib_shutdown();
    return broken ? 1 : 0;
}
