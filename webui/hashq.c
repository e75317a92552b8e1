/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * Password hashing off the loop. Passwords are argon2id (libargon2; OpenSSL 3.0 has no
 * Argon2), 19 MiB, 2 passes, 1 lane, 16-byte salt from the CSPRNG, stored as the PHC string. A
 * hash takes ~70 ms and 19 MiB, so the server computes it on libuv's thread pool, at most
 * UI__MAX_HASHING at a time (more wait in a queue of UI__MAX_QUEUED, beyond which requests get
 * 503): a login flood costs memory and CPU in bounded amounts and never stalls the loop.
 *
 * A job carries one request's passwords (wiped when it is freed), runs an optional precheck on
 * the loop right before its hash, and ends in its done callback on the loop. A failed login is
 * answered no sooner than UI__FAIL_DELAY_MS after the request arrived (ui__job_fail_later).
 * Login jobs are linked into the list of attempts in flight that login.c counts; freeing a job
 * unlinks it. Nothing here calls the other account files (login.c, users.c, auth.c).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <argon2.h>

#include "webui/ui_int.h"

#define ARGON2_T     2
#define ARGON2_M_KIB 19456
#define ARGON2_P     1
#define SALT_BYTES   16
#define HASH_BYTES   32

static const char generic_fail[] =
    "Login failed: wrong user name or password, or the account is locked.";

/* Hashes pw into a PHC string. Any thread. Returns: heap string or NULL. */
char *ui__hash_password(const char *pw)
{
    unsigned char salt[SALT_BYTES];
    size_t len =
        argon2_encodedlen(ARGON2_T, ARGON2_M_KIB, ARGON2_P, SALT_BYTES, HASH_BYTES, Argon2_id);
    char *enc = gw_malloc(len + 1);
    if (ui__random(salt, sizeof salt) < 0 ||
        argon2id_hash_encoded(ARGON2_T, ARGON2_M_KIB, ARGON2_P, pw, strlen(pw), salt, sizeof salt,
                              HASH_BYTES, enc, len + 1) != ARGON2_OK) {
        free(enc);
        return NULL;
    }
    return enc;
}

static bool verify_password(const char *enc, const char *pw)
{
    return enc && pw && argon2id_verify(enc, pw, strlen(pw)) == ARGON2_OK;
}

/* ---------------------------------------------------------------------------------------------
 * Login attempts in flight (ui_server.logins): login.c counts them against its limits; the
 * list is kept here, with the jobs it links, so that freeing a job unlinks it.
 */

void ui__login_track(struct ui__job *j)
{
    struct ui_server *s = j->srv;
    j->lprev = NULL;
    j->lnext = s->logins;
    if (s->logins)
        s->logins->lprev = j;
    s->logins = j;
    j->tracked = true;
}

void ui__login_untrack(struct ui__job *j)
{
    if (!j->tracked)
        return;
    if (j->lprev)
        j->lprev->lnext = j->lnext;
    else
        j->srv->logins = j->lnext;
    if (j->lnext)
        j->lnext->lprev = j->lprev;
    j->tracked = false;
}

/* ---------------------------------------------------------------------------------------------
 * Jobs
 */

void ui__job_free(struct ui__job *j)
{
    ui__login_untrack(j);
    gw_free_secret_str(j->password);
    gw_free_secret_str(j->new_password);
    gw_free_secret_str(j->new_hash);
    free(j->verify_hash);
    ui__json_wipe_free(j->then_body);
    free(j);
}

static void job_work(uv_work_t *w)
{
    struct ui__job *j = w->data;
    j->hashed = true;
    j->verified = j->verify_hash ? verify_password(j->verify_hash, j->password) : true;
    if (j->verified && j->new_password) {
        j->new_hash = ui__hash_password(j->new_password);
        if (!j->new_hash)
            j->rc = GW_E_CRYPTO;
    }
}

static void job_after(uv_work_t *w, int status);

/* Hands j to the thread pool now, unless its precheck says the hash is not to be done. */
static void job_run(struct ui__job *j)
{
    struct ui_server *s = j->srv;
    if (j->precheck && !j->precheck(j)) {
        j->done(j);
        return;
    }
    s->hashing++;
    j->work.data = j;
    if (uv_queue_work(s->loop, &j->work, job_work, job_after) < 0) {
        s->hashing--;
        j->rc = GW_E_INTERNAL;
        j->done(j);
    }
}

/* Starts queued jobs while there is room. */
static void queue_pump(struct ui_server *s)
{
    while (s->queue_head && !s->stopping && s->hashing < UI__MAX_HASHING) {
        struct ui__job *next = s->queue_head;
        s->queue_head = next->next;
        if (!s->queue_head)
            s->queue_tail = NULL;
        s->queued--;
        job_run(next);
    }
}

static void job_after(uv_work_t *w, int status)
{
    struct ui__job *j = w->data;
    struct ui_server *s = j->srv;
    s->hashing--;
    if (status < 0)
        j->rc = status;
    /* The result first: a failure it counts (a lock it sets) is seen by the next precheck. */
    j->done(j);
    queue_pump(s);
}

void ui__job_start(struct ui__job *j)
{
    struct ui_server *s = j->srv;
    if (s->hashing >= UI__MAX_HASHING || s->queue_head) {
        j->next = NULL;
        if (s->queue_tail)
            s->queue_tail->next = j;
        else
            s->queue_head = j;
        s->queue_tail = j;
        s->queued++;
        return;
    }
    job_run(j);
}

/* Refuses r with 503 when the hashing queue is full. Returns: true when it did. */
bool ui__queue_full(struct ui__req *r)
{
    if (r->srv->queued < UI__MAX_QUEUED)
        return false;
    {
        unsigned n = 0;
        if (gw_log_limit(&r->srv->busy_log, uv_now(r->srv->loop), &n))
            gw_log_warn(UI,
                        "password hashing queue full, request refused source=%s "
                        "suppressed=%u",
                        r->peer, n);
    }
    snprintf(r->retry_after, sizeof r->retry_after, "%d", 5);
    ui__respond_error(r, 503,
                      "The gateway is busy checking passwords: try again in a few "
                      "seconds.");
    return true;
}

void ui__job_orphan(struct ui__job *j)
{
    j->req = NULL;
}

struct ui__job *ui__job_new(struct ui__req *r, void (*done)(struct ui__job *))
{
    struct ui__job *j = gw_calloc(1, sizeof *j);
    j->srv = r->srv;
    j->req = r;
    j->done = done;
    gw_strlcpy(j->peer, r->peer, sizeof j->peer);
    r->job = j;
    return j;
}

/* Detaches the job from its request (the answer is being given now). Returns: the request,
 * or NULL when the client has gone. */
struct ui__req *ui__job_take_req(struct ui__job *j)
{
    struct ui__req *r = j->req;
    if (r)
        r->job = NULL;
    j->req = NULL;
    return r;
}

static void delay_closed(uv_handle_t *h)
{
    ui__job_free(h->data);
}

static void delay_fired(uv_timer_t *t)
{
    struct ui__job *j = t->data;
    struct ui__req *r = ui__job_take_req(j);
    if (r)
        ui__respond_error(r, 401, generic_fail);
    uv_close((uv_handle_t *)&j->delay, delay_closed);
}

/* Answers a failed login no sooner than UI__FAIL_DELAY_MS after the request. */
void ui__job_fail_later(struct ui__job *j)
{
    struct ui_server *s = j->srv;
    uint64_t now = uv_now(s->loop), due = j->req ? j->req->t0_ms + UI__FAIL_DELAY_MS : now;
    uv_timer_init(s->loop, &j->delay);
    j->delay.data = j;
    uv_timer_start(&j->delay, delay_fired, due > now ? due - now : 0, 0);
}
