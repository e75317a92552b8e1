/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * WS-Discovery responder and SOAP endpoint of every simulated device (--wsd).
 *
 * UDP (loop thread): one socket bound to 0.0.0.0:--wsd-port, joined to 239.255.255.250 on lo,
 * with IP_PKTINFO. A Probe sent to a device's address is answered by that device; a Probe sent
 * to the multicast group is answered by every device that is up, paced in batches over about
 * half a second (WS-Discovery's APP_MAX_DELAY), so a client's receive buffer is not flooded.
 * Each ProbeMatches leaves with the device's address as its source (ipi_spec_dst) and goes to
 * the Probe's source, which must be in 127.0.0.0/8 like everything the simulator answers. The
 * XML is built and parsed with the gSOAP code generated from soap/wsd.gsoap (soap/soapc_int.h).
 *
 * HTTP (one SOAP thread): a gSOAP server on 0.0.0.0:--soap-port serves WS-Transfer Get at
 * http://ADDR:PORT/<uuid> and WS-Print GetPrinterElements at http://ADDR:PORT/<uuid>/print. The
 * address the client connected to (getsockname) selects the device. The simulator's state
 * belongs to the loop thread, so the SOAP thread never reads it: it posts the address to the
 * loop (uv_async) and waits, at most two seconds, for a snapshot the loop fills in with the same
 * accessors the SNMP side uses. The loop never waits for the SOAP thread, so a slow or stuck
 * SOAP client cannot stall SNMP; SOAP requests are served one at a time.
 *
 * Identity: manufacturer, model and firmware are what the gateway's own SNMP decoder
 * (snmpc_model_decode) makes of the device's profile, the serial number is the device's, so a
 * device reports the same identity over SNMP and WSD. The endpoint UUID is derived from --seed
 * and the device index and does not change when the device moves.
 */
#include "config.h"

#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "soap/soapc_int.h"
#include "tests/fleetsim/fleetsim.h"

#define WSD_MCAST    0xeffffffau /* 239.255.255.250 */
#define MCAST_JOBS   8
#define MCAST_BATCH  64
#define MCAST_PERIOD 10 /* ms between batches */
#define SNAP_WAIT_MS 2000
#define WSD_RX_MAX   16384

struct ident {
    char vendor[64], model[128], firmware[128];
};

struct snap {
    bool found, down;
    uint32_t addr;
    char uuid[48]; /* urn:uuid:... */
    struct ident id;
    char serial[T_SERIAL_MAX], name[200], state[16], reasons[128];
    int nsup;
    struct {
        char desc[64], color[24], type[32];
        int pct;
    } sup[T_MAX_SUPPLIES];
};

struct mcast_job {
    bool active;
    struct sockaddr_in to;
    char relates_to[128];
    size_t next;
};

struct t_wsd {
    struct t_sim *sim;
    int udp_fd;
    uv_poll_t poll;
    uv_timer_t timer;
    struct mcast_job job[MCAST_JOBS];
    struct soap *xml;    /* loop thread: parse and build */
    struct ident *ident; /* per profile */
    /* SOAP thread */
    struct soap *srv;
    pthread_t thread;
    bool thread_started;
    uv_async_t async;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool stop; /* under mu */
    bool want; /* under mu: a snapshot is requested */
    bool done; /* under mu: it is filled */
    uint32_t want_addr;
    struct snap snap;                           /* under mu */
    uint64_t probes, matches;                   /* loop thread */
    _Atomic unsigned long long gets, gpes, bad; /* SOAP thread (bad: both) */
};

/* ---------------------------------------------------------------------------------------------
 * Identity and snapshots (loop thread)
 */
void t_wsd_uuid(const struct t_sim *sim, const struct t_dev *d, char out[48])
{
    uint64_t s = sim->opt.seed ^ 0x77736475756964ull, a, b;

    /* Two draws per device from disjoint positions of one stream: no two devices share one. */
    s += 2 * (uint64_t)d->index * 0x9e3779b97f4a7c15ull;
    a = t_rand(&s);
    b = t_rand(&s);
    snprintf(out, 48, "urn:uuid:%08x-%04x-4%03x-%04x-%012llx", (unsigned)(a >> 32),
             (unsigned)(a >> 16) & 0xffff, (unsigned)a & 0xfff,
             (unsigned)(0x8000 | ((b >> 48) & 0x3fff)),
             (unsigned long long)(b & 0xffffffffffffull));
}

int t_wsd_mark_snmp_off(struct t_sim *sim, struct gw_errbuf *eb)
{
    const char *p = sim->opt.snmp_off_list;
    uint64_t s = sim->opt.seed ^ 0x736e6d706f6666ull;

    if (sim->opt.snmp_off_fraction > 0)
        for (size_t i = 0; i < sim->ndev; i++)
            if ((double)(t_rand(&s) >> 11) * 0x1.0p-53 < sim->opt.snmp_off_fraction)
                sim->dev[i].flags |= T_F_NOSNMP;
    while (p && *p) {
        char *end;
        unsigned long a, b;
        size_t n = strcspn(p, ",");
        errno = 0;
        a = strtoul(p, &end, 10);
        b = a;
        if (end > p && *end == '-')
            b = strtoul(end + 1, &end, 10);
        if (errno || end == p || end != p + n || *p == '-' || a > b || b >= sim->ndev)
            return gw_errbuf_set(eb, GW_E_INVAL,
                                 "--snmp-off: '%.*s' is not a device index or range in 0..%zu",
                                 (int)(n > 40 ? 40 : n), p, sim->ndev - 1);
        for (unsigned long i = a; i <= b; i++)
            sim->dev[i].flags |= T_F_NOSNMP;
        p += n;
        if (*p == ',')
            p++;
    }
    return 0;
}

static void load_identities(struct t_wsd *w)
{
    struct t_sim *sim = w->sim;
    struct snmpc_catalogue *cat = NULL;
    struct gw_errbuf eb = {{0}};

    if (sim->opt.catalogue && snmpc_catalogue_load(sim->opt.catalogue, &cat, &eb) < 0)
        t_log(sim, 1, "wsd: catalogue: %s (identity without it)", eb.msg);
    w->ident = gw_calloc(sim->nprof ? sim->nprof : 1, sizeof(*w->ident));
    for (size_t i = 0; i < sim->nprof; i++) {
        struct gw_model m;
        gw_model_init(&m);
        snmpc_model_decode(&sim->prof[i].set, cat, &m);
        gw_strlcpy(w->ident[i].vendor, m.vendor, sizeof(w->ident[i].vendor));
        gw_strlcpy(w->ident[i].model, m.model, sizeof(w->ident[i].model));
        gw_strlcpy(w->ident[i].firmware, m.firmware, sizeof(w->ident[i].firmware));
        gw_model_cleanup(&m);
    }
    snmpc_catalogue_free(cat);
}

/* The colour a supply's description names ("Black Toner"), or that a part number ends in
 * ("TK-8345C"), or "". */
static const char *colour_of(const char *desc)
{
    static const char *const colours[] = {"Black", "Cyan", "Magenta", "Yellow"};
    size_t n = strlen(desc);
    for (size_t i = 0; i < 4; i++)
        if (strcasestr(desc, colours[i]))
            return colours[i];
    if (n >= 2 && desc[n - 2] >= '0' && desc[n - 2] <= '9')
        for (size_t i = 0; i < 4; i++)
            if (desc[n - 1] == "KCMY"[i])
                return colours[i];
    return "";
}

static const char *type_of(uint8_t t)
{
    switch (t) {
    case 3:
        return "Toner";
    case 4:
        return "WasteToner";
    case 5:
    case 6:
        return "Ink";
    case 9:
        return "Drum";
    case 15:
        return "Fuser";
    default:
        return "Other";
    }
}

static void fill_snap(struct t_wsd *w, uint32_t addr, struct snap *s)
{
    struct t_sim *sim = w->sim;
    struct t_dev *d = t_sim_find(sim, addr);

    memset(s, 0, sizeof(*s));
    s->addr = addr;
    if (!d)
        return;
    const struct t_profile *p = &sim->prof[d->profile];
    s->found = true;
    s->down = (d->flags & T_F_DOWN) != 0;
    t_wsd_uuid(sim, d, s->uuid);
    s->id = w->ident[d->profile];
    gw_strlcpy(s->serial, d->serial, sizeof(s->serial));
    snprintf(s->name, sizeof(s->name), "%s %s", s->id.model[0] ? s->id.model : p->name, d->serial);
    /* WS-Print states and reasons from what SNMP shows as hrPrinterStatus and error state. */
    uint8_t es[2] = {0, 0};
    size_t esn = t_dev_errstate(sim, d, es);
    uint32_t cond = snmpc_error_state_decode(es, esn);
    int ps = t_dev_prtstatus(sim, d);
    gw_strlcpy(s->state, ps == 1 ? "Stopped" : ps == 4 ? "Processing" : "Idle", sizeof(s->state));
    struct {
        uint32_t bit;
        const char *reason;
    } const rs[] = {
        {GW_COND_JAMMED, "MediaJam"},
        {GW_COND_DOOR_OPEN, "DoorOpen"},
        {GW_COND_NO_TONER, "MarkerSupplyEmpty"},
        {GW_COND_LOW_TONER, "MarkerSupplyLow"},
        {GW_COND_SERVICE_REQUESTED, "ServiceRequested"},
    };
    for (size_t i = 0; i < sizeof(rs) / sizeof(rs[0]); i++)
        if (cond & rs[i].bit) {
            size_t n = strlen(s->reasons);
            snprintf(s->reasons + n, sizeof(s->reasons) - n, "%s%s", n ? " " : "", rs[i].reason);
        }
    if (!s->reasons[0])
        gw_strlcpy(s->reasons, "None", sizeof(s->reasons));
    for (size_t k = 0; k < p->nsup && s->nsup < T_MAX_SUPPLIES; k++) {
        const struct t_supply *su = &p->sup[k];
        int pct = -1;
        snmpc_supply_state((long)t_dev_level(sim, d, k), su->max, &pct);
        gw_strlcpy(s->sup[s->nsup].desc, su->desc ? su->desc : "", sizeof(s->sup[0].desc));
        gw_strlcpy(s->sup[s->nsup].color, colour_of(su->desc ? su->desc : ""),
                   sizeof(s->sup[0].color));
        gw_strlcpy(s->sup[s->nsup].type, type_of(su->type), sizeof(s->sup[0].type));
        s->sup[s->nsup].pct = pct;
        s->nsup++;
    }
}

static void on_async(uv_async_t *a)
{
    struct t_wsd *w = a->data;

    pthread_mutex_lock(&w->mu);
    if (w->want && !w->done) {
        fill_snap(w, w->want_addr, &w->snap);
        w->done = true;
        pthread_cond_broadcast(&w->cv);
    }
    pthread_mutex_unlock(&w->mu);
}

/* SOAP thread: asks the loop for a snapshot of the device at addr. Returns: false on timeout
 * or stop. */
static bool get_snap(struct t_wsd *w, uint32_t addr, struct snap *out)
{
    struct timespec until;
    bool ok = false;

    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += SNAP_WAIT_MS / 1000;
    pthread_mutex_lock(&w->mu);
    w->want = true;
    w->done = false;
    w->want_addr = addr;
    pthread_mutex_unlock(&w->mu);
    uv_async_send(&w->async);
    pthread_mutex_lock(&w->mu);
    while (!w->done && !w->stop)
        if (pthread_cond_timedwait(&w->cv, &w->mu, &until) == ETIMEDOUT)
            break;
    if (w->done && !w->stop) {
        *out = w->snap;
        ok = true;
    }
    w->want = false;
    pthread_mutex_unlock(&w->mu);
    return ok;
}

/* ---------------------------------------------------------------------------------------------
 * SOAP server (SOAP thread)
 */
struct req {
    struct t_wsd *w;
    uint32_t local;
    struct snap snap;
};

/* The path of the request must be /<uuid> (Get) or /<uuid>/print (GetPrinterElements). */
static bool path_is(struct soap *soap, const struct snap *s, const char *suffix)
{
    char want[96];
    snprintf(want, sizeof(want), "/%s%s", s->uuid + 9, suffix);
    return strcmp(soap->path, want) == 0;
}

static char *sdup(struct soap *soap, const char *s)
{
    return soap_strdup(soap, s);
}

static int srv_get(void *arg, struct soap *soap, struct _wsx__Metadata *out)
{
    struct req *r = arg;
    const struct snap *s = &r->snap;
    char a[16], url[160];

    r->w->gets++;
    if (!s->found || s->down || !path_is(soap, s, ""))
        return soap_sender_fault(soap, "no such device endpoint", soap->path);
    t_addr_format(s->addr, a);
    soap_wsa_reply(soap, NULL, SOAPC__ACTION_GET_RESPONSE);

    struct wsx__MetadataSectionType *sec = soap_malloc(soap, 3 * sizeof(*sec));
    for (int i = 0; i < 3; i++)
        soap_default_wsx__MetadataSectionType(soap, &sec[i]);
    struct dpws__ThisModelType *tm = soap_malloc(soap, sizeof(*tm));
    soap_default_dpws__ThisModelType(soap, tm);
    tm->__sizeManufacturer = 1;
    tm->Manufacturer = soap_malloc(soap, sizeof(char *));
    tm->Manufacturer[0] = sdup(soap, s->id.vendor);
    tm->__sizeModelName = 1;
    tm->ModelName = soap_malloc(soap, sizeof(char *));
    tm->ModelName[0] = sdup(soap, s->id.model);
    tm->ModelNumber = sdup(soap, s->id.model);
    snprintf(url, sizeof(url), "http://%s/", a);
    tm->PresentationUrl = sdup(soap, url);
    sec[0].Dialect = sdup(soap, SOAPC__DIALECT_MODEL);
    sec[0].dpws__ThisModel = tm;

    struct dpws__ThisDeviceType *td = soap_malloc(soap, sizeof(*td));
    soap_default_dpws__ThisDeviceType(soap, td);
    td->__sizeFriendlyName = 1;
    td->FriendlyName = soap_malloc(soap, sizeof(char *));
    td->FriendlyName[0] = sdup(soap, s->name);
    td->FirmwareVersion = sdup(soap, s->id.firmware);
    td->SerialNumber = sdup(soap, s->serial);
    sec[1].Dialect = sdup(soap, SOAPC__DIALECT_DEVICE);
    sec[1].dpws__ThisDevice = td;

    struct dpws__RelationshipType *rel = soap_malloc(soap, sizeof(*rel));
    soap_default_dpws__RelationshipType(soap, rel);
    rel->Type = sdup(soap, SOAPC__REL_HOST);
    rel->Host = soap_malloc(soap, sizeof(*rel->Host));
    soap_default_dpws__HostServiceType(soap, rel->Host);
    rel->Host->__sizeEndpointReference = 1;
    rel->Host->wsa__EndpointReference =
        soap_malloc(soap, sizeof(struct wsa__EndpointReferenceType));
    soap_default_wsa__EndpointReferenceType(soap, rel->Host->wsa__EndpointReference);
    rel->Host->wsa__EndpointReference->Address = sdup(soap, s->uuid);
    rel->Host->Types = sdup(soap, "dpws:Device wprt:PrintDeviceType");
    rel->__sizeHosted = 1;
    rel->Hosted = soap_malloc(soap, sizeof(*rel->Hosted));
    soap_default_dpws__HostedType(soap, rel->Hosted);
    rel->Hosted->__sizeEndpointReference = 1;
    rel->Hosted->wsa__EndpointReference =
        soap_malloc(soap, sizeof(struct wsa__EndpointReferenceType));
    soap_default_wsa__EndpointReferenceType(soap, rel->Hosted->wsa__EndpointReference);
    snprintf(url, sizeof(url), "http://%s:%u/%s/print", a, r->w->sim->opt.soap_port, s->uuid + 9);
    rel->Hosted->wsa__EndpointReference->Address = sdup(soap, url);
    rel->Hosted->Types = sdup(soap, "wprt:PrinterServiceType");
    rel->Hosted->ServiceId = sdup(soap, "http://fleetsim.invalid/print");
    sec[2].Dialect = sdup(soap, SOAPC__DIALECT_REL);
    sec[2].dpws__Relationship = rel;

    out->__sizeMetadataSection = 3;
    out->MetadataSection = sec;
    return SOAP_OK;
}

static bool requested(const struct _wprt__GetPrinterElementsRequest *req, const char *local)
{
    if (!req || req->RequestedElements.__sizeName == 0)
        return true;
    for (int i = 0; i < req->RequestedElements.__sizeName; i++) {
        const char *n = req->RequestedElements.Name[i];
        const char *c = n ? strchr(n, ':') : NULL;
        if (n && strcmp(c ? c + 1 : n, local) == 0)
            return true;
    }
    return false;
}

static int srv_elements(void *arg, struct soap *soap,
                        const struct _wprt__GetPrinterElementsRequest *req,
                        struct _wprt__GetPrinterElementsResponse *out)
{
    struct req *r = arg;
    const struct snap *s = &r->snap;
    struct wprt__ElementDataType *ed;
    int n = 0;

    r->w->gpes++;
    if (!s->found || s->down || !path_is(soap, s, "/print"))
        return soap_sender_fault(soap, "no such print service", soap->path);
    soap_wsa_reply(soap, NULL, SOAPC__ACTION_GPE_RESPONSE);
    ed = soap_malloc(soap, 2 * sizeof(*ed));
    if (requested(req, "PrinterStatus")) {
        struct wprt__PrinterStatusType *st = soap_malloc(soap, sizeof(*st));
        soap_default_wprt__ElementDataType(soap, &ed[n]);
        soap_default_wprt__PrinterStatusType(soap, st);
        st->PrinterState = sdup(soap, s->state);
        st->PrinterStateReasons = soap_malloc(soap, sizeof(*st->PrinterStateReasons));
        soap_default_wprt__PrinterStateReasonsType(soap, st->PrinterStateReasons);
        /* One element per reason, as the schema has it. */
        char tmp[sizeof(s->reasons)], *save = NULL, *tok;
        char **list = soap_malloc(soap, 8 * sizeof(char *));
        int k = 0;
        gw_strlcpy(tmp, s->reasons, sizeof(tmp));
        for (tok = strtok_r(tmp, " ", &save); tok && k < 8; tok = strtok_r(NULL, " ", &save))
            list[k++] = sdup(soap, tok);
        st->PrinterStateReasons->__sizePrinterStateReason = k;
        st->PrinterStateReasons->PrinterStateReason = list;
        st->PrinterPrimaryStateReason = k ? list[0] : NULL;
        ed[n].Name = sdup(soap, "wprt:PrinterStatus");
        ed[n].Valid = sdup(soap, "true");
        ed[n].PrinterStatus = st;
        n++;
    }
    if (requested(req, "PrinterConfiguration")) {
        struct wprt__PrinterConfigurationType *pc = soap_malloc(soap, sizeof(*pc));
        struct wprt__ConsumablesType *c = soap_malloc(soap, sizeof(*c));
        soap_default_wprt__ElementDataType(soap, &ed[n]);
        soap_default_wprt__PrinterConfigurationType(soap, pc);
        soap_default_wprt__ConsumablesType(soap, c);
        c->__sizeConsumableEntry = s->nsup;
        c->ConsumableEntry = soap_malloc(soap, (size_t)(s->nsup ? s->nsup : 1) *
                                                   sizeof(struct wprt__ConsumableEntryType));
        for (int i = 0; i < s->nsup; i++) {
            struct wprt__ConsumableEntryType *e = &c->ConsumableEntry[i];
            char lvl[16], name[24];
            soap_default_wprt__ConsumableEntryType(soap, e);
            snprintf(name, sizeof(name), "Supply%d", i + 1);
            e->Name = sdup(soap, name);
            e->Type = sdup(soap, s->sup[i].type);
            if (s->sup[i].color[0])
                e->Color = sdup(soap, s->sup[i].color);
            if (s->sup[i].pct >= 0) {
                snprintf(lvl, sizeof(lvl), "%d", s->sup[i].pct);
                e->Level = sdup(soap, lvl);
            } else {
                e->Level = sdup(soap, "Unknown");
            }
            e->Description = sdup(soap, s->sup[i].desc);
        }
        pc->Consumables = c;
        ed[n].Name = sdup(soap, "wprt:PrinterConfiguration");
        ed[n].Valid = sdup(soap, "true");
        ed[n].PrinterConfiguration = pc;
        n++;
    }
    out->PrinterElements.__sizeElementData = n;
    out->PrinterElements.ElementData = ed;
    return SOAP_OK;
}

static void *soap_thread(void *arg)
{
    struct t_wsd *w = arg;
    struct soap *srv = w->srv;
    struct req r = {.w = w};
    struct soapc__server hooks = {.arg = &r, .get = srv_get, .printer_elements = srv_elements};

    for (;;) {
        pthread_mutex_lock(&w->mu);
        bool stop = w->stop;
        pthread_mutex_unlock(&w->mu);
        if (stop)
            break;
        SOAP_SOCKET s = soap_accept(srv);
        if (!soap_valid_socket(s))
            continue; /* accept_timeout: look at the stop flag again */
        struct sockaddr_in local;
        socklen_t ll = sizeof(local);
        uint32_t peer = (uint32_t)srv->ip;
        if (getsockname(s, (struct sockaddr *)&local, &ll) < 0 || local.sin_family != AF_INET ||
            !t_is_loopback(ntohl(local.sin_addr.s_addr)) || !t_is_loopback(peer)) {
            w->bad++;
            soap_force_closesock(srv);
            continue;
        }
        r.local = ntohl(local.sin_addr.s_addr);
        if (!get_snap(w, r.local, &r.snap)) {
            soap_force_closesock(srv);
            continue;
        }
        srv->user = &hooks;
        if (soap_serve(srv) != SOAP_OK)
            t_log(w->sim, 1, "soap: request failed: gSOAP error %d %s", srv->error,
                  soapc__fault_text(srv));
        srv->user = NULL;
        soap_destroy(srv);
        soap_end(srv);
        soap_force_closesock(srv);
    }
    return NULL;
}

/* ---------------------------------------------------------------------------------------------
 * UDP responder (loop thread)
 */
static bool want_types(const char *types)
{
    /* No Types matches everything; otherwise answer Probes for a device or a printer. */
    const char *p = types;
    if (!types || !*types)
        return true;
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
            p++;
        size_t n = strcspn(p, " \t\r\n");
        const char *c = memchr(p, ':', n);
        const char *l = c ? c + 1 : p;
        size_t ln = n - (size_t)(l - p);
        if ((ln == 6 && !strncmp(l, "Device", 6)) ||
            (ln == 15 && !strncmp(l, "PrintDeviceType", 15)))
            return true;
        p += n;
    }
    return false;
}

static void send_from(struct t_wsd *w, uint32_t from, const struct sockaddr_in *to, const char *buf,
                      size_t len)
{
    struct iovec iov = {.iov_base = (void *)buf, .iov_len = len};
    char cbuf[CMSG_SPACE(sizeof(struct in_pktinfo))] = {0};
    struct msghdr h = {.msg_name = (void *)to,
                       .msg_namelen = sizeof(*to),
                       .msg_iov = &iov,
                       .msg_iovlen = 1,
                       .msg_control = cbuf,
                       .msg_controllen = sizeof(cbuf)};
    struct cmsghdr *c = CMSG_FIRSTHDR(&h);
    struct in_pktinfo pi = {0};

    pi.ipi_spec_dst.s_addr = htonl(from);
    c->cmsg_level = IPPROTO_IP;
    c->cmsg_type = IP_PKTINFO;
    c->cmsg_len = CMSG_LEN(sizeof(pi));
    memcpy(CMSG_DATA(c), &pi, sizeof(pi));
    if (sendmsg(w->udp_fd, &h, MSG_DONTWAIT) < 0)
        w->sim->st.send_errors++;
}

static void answer(struct t_wsd *w, struct t_dev *d, const struct sockaddr_in *to,
                   const char *relates_to)
{
    struct t_sim *sim = w->sim;
    struct wsdd__ProbeMatchesType pm;
    char uuid[48], a[16], xaddr[128];
    const char *xml;
    size_t len;

    if (d->flags & T_F_DOWN)
        return;
    t_wsd_uuid(sim, d, uuid);
    snprintf(xaddr, sizeof(xaddr), "http://%s:%u/%s", t_addr_format(d->addr, a), sim->opt.soap_port,
             uuid + 9);
    soap_wsdd_init_ProbeMatches(w->xml, &pm);
    soap_wsdd_add_ProbeMatch(w->xml, &pm, uuid, "dpws:Device wprt:PrintDeviceType", NULL, NULL,
                             xaddr, 1);
    if (soapc__probe_matches_build(w->xml, relates_to, &pm, &xml, &len) == 0) {
        send_from(w, d->addr, to, xml, len);
        w->matches++;
    }
    soap_destroy(w->xml);
    soap_end(w->xml);
}

static void on_mcast_timer(uv_timer_t *t)
{
    struct t_wsd *w = t->data;
    struct t_sim *sim = w->sim;
    bool more = false;

    for (int j = 0; j < MCAST_JOBS; j++) {
        struct mcast_job *job = &w->job[j];
        if (!job->active)
            continue;
        for (int k = 0; k < MCAST_BATCH && job->next < sim->ndev; k++)
            answer(w, &sim->dev[job->next++], &job->to, job->relates_to);
        if (job->next >= sim->ndev)
            job->active = false;
        else
            more = true;
    }
    if (!more)
        uv_timer_stop(&w->timer);
}

static void on_udp(uv_poll_t *h, int status, int events)
{
    struct t_wsd *w = h->data;
    struct t_sim *sim = w->sim;
    char buf[WSD_RX_MAX];

    for (int n = 0; n < 64; n++) {
        struct sockaddr_in src;
        char cbuf[CMSG_SPACE(sizeof(struct in_pktinfo))];
        struct iovec iov = {.iov_base = buf, .iov_len = sizeof(buf)};
        struct msghdr m = {.msg_name = &src,
                           .msg_namelen = sizeof(src),
                           .msg_iov = &iov,
                           .msg_iovlen = 1,
                           .msg_control = cbuf,
                           .msg_controllen = sizeof(cbuf)};
        ssize_t got = recvmsg(w->udp_fd, &m, MSG_DONTWAIT);
        uint32_t dst = 0;
        if (got < 0)
            return;
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c))
            if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
                struct in_pktinfo pi;
                memcpy(&pi, CMSG_DATA(c), sizeof(pi));
                dst = ntohl(pi.ipi_addr.s_addr);
            }
        w->probes++;
        if ((m.msg_flags & MSG_TRUNC) || !t_is_loopback(ntohl(src.sin_addr.s_addr)) ||
            (dst != WSD_MCAST && !t_is_loopback(dst))) {
            w->bad++;
            continue;
        }
        char msgid[128];
        const char *types;
        struct gw_errbuf eb = {{0}};
        int rc = soapc__probe_parse(w->xml, buf, (size_t)got, msgid, sizeof(msgid), &types, &eb);
        bool wanted = rc == 0 && want_types(types);
        soap_destroy(w->xml);
        soap_end(w->xml);
        if (rc < 0) {
            w->bad++;
            t_log(sim, 2, "wsd: datagram ignored: %s", eb.msg);
            continue;
        }
        if (!wanted)
            continue;
        if (dst == WSD_MCAST) {
            int j;
            for (j = 0; j < MCAST_JOBS && w->job[j].active; j++)
                ;
            if (j == MCAST_JOBS)
                continue; /* busy: like a real network, some Probes go unanswered */
            w->job[j].active = true;
            w->job[j].to = src;
            w->job[j].next = 0;
            gw_strlcpy(w->job[j].relates_to, msgid, sizeof(w->job[j].relates_to));
            if (!uv_is_active((uv_handle_t *)&w->timer))
                uv_timer_start(&w->timer, on_mcast_timer, 0, MCAST_PERIOD);
            continue;
        }
        struct t_dev *d = t_sim_find(sim, dst);
        if (d)
            answer(w, d, &src, msgid);
    }
}

/* ---------------------------------------------------------------------------------------------
 * Life cycle
 */
static int udp_open(struct t_wsd *w, struct gw_errbuf *eb)
{
    struct t_sim *sim = w->sim;
    int one = 1;
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

    if (fd < 0)
        return gw_errbuf_set(eb, -errno, "wsd socket: %s", strerror(errno));
    w->udp_fd = fd;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one)) < 0)
        return gw_errbuf_set(eb, -errno, "wsd IP_PKTINFO: %s", strerror(errno));
    if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, "lo", 3) < 0)
        t_log(sim, 1, "wsd: SO_BINDTODEVICE lo: %s (relying on address checks)", strerror(errno));
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(sim->opt.wsd_port)};
    if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
        return gw_errbuf_set(eb, -errno, "cannot bind UDP 0.0.0.0:%u (--wsd-port): %s",
                             sim->opt.wsd_port, strerror(errno));
    /* Multicast Probes reach us only where lo carries multicast (a test namespace). */
    struct ip_mreqn mr = {.imr_multiaddr.s_addr = htonl(WSD_MCAST),
                          .imr_ifindex = (int)if_nametoindex("lo")};
    if (setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr, sizeof(mr)) < 0)
        t_log(sim, 1, "wsd: joining 239.255.255.250 on lo: %s (directed Probes only)",
              strerror(errno));
    uv_poll_init(sim->loop, &w->poll, fd);
    w->poll.data = w;
    uv_poll_start(&w->poll, UV_READABLE, on_udp);
    uv_timer_init(sim->loop, &w->timer);
    w->timer.data = w;
    return 0;
}

static int soap_open(struct t_wsd *w, struct gw_errbuf *eb)
{
    struct t_sim *sim = w->sim;

    w->srv = soapc__ctx_new();
    w->srv->bind_flags = SO_REUSEADDR;
    w->srv->accept_timeout = 1;
    w->srv->recv_timeout = 5;
    w->srv->send_timeout = 5;
    if (!soap_valid_socket(soap_bind(w->srv, "0.0.0.0", sim->opt.soap_port, 64)))
        return gw_errbuf_set(eb, GW_E_BUSY, "cannot bind TCP 0.0.0.0:%u (--soap-port): %s",
                             sim->opt.soap_port, soapc__fault_text(w->srv));
    if (setsockopt(w->srv->master, SOL_SOCKET, SO_BINDTODEVICE, "lo", 3) < 0)
        t_log(sim, 1, "soap: SO_BINDTODEVICE lo: %s (relying on address checks)", strerror(errno));
    uv_async_init(sim->loop, &w->async, on_async);
    w->async.data = w;
    if (pthread_create(&w->thread, NULL, soap_thread, w) != 0)
        return gw_errbuf_set(eb, GW_E_INTERNAL, "cannot start the SOAP thread");
    w->thread_started = true;
    return 0;
}

int t_wsd_start(struct t_sim *sim, struct gw_errbuf *eb)
{
    struct t_wsd *w = gw_calloc(1, sizeof(*w));
    int rc;

    w->sim = sim;
    w->udp_fd = -1;
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, NULL);
    w->xml = soapc__ctx_new();
    sim->wsd = w;
    load_identities(w);
    rc = udp_open(w, eb);
    if (rc == 0)
        rc = soap_open(w, eb);
    return rc;
}

void t_wsd_stop(struct t_sim *sim)
{
    struct t_wsd *w = sim->wsd;

    if (!w)
        return;
    pthread_mutex_lock(&w->mu);
    w->stop = true;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
    if (w->thread_started) {
        /* At most accept_timeout, or the request being served (bounded by its timeouts). */
        pthread_join(w->thread, NULL);
        w->thread_started = false;
    }
    if (uv_is_active((uv_handle_t *)&w->poll) || w->udp_fd >= 0) {
        uv_poll_stop(&w->poll);
        if (w->poll.loop)
            uv_close((uv_handle_t *)&w->poll, NULL);
        if (w->timer.loop)
            uv_close((uv_handle_t *)&w->timer, NULL);
    }
    if (w->async.loop)
        uv_close((uv_handle_t *)&w->async, NULL);
}

void t_wsd_cleanup(struct t_sim *sim)
{
    struct t_wsd *w = sim->wsd;

    if (!w)
        return;
    if (w->udp_fd >= 0)
        close(w->udp_fd);
    soapc__ctx_free(w->srv);
    soapc__ctx_free(w->xml);
    free(w->ident);
    pthread_mutex_destroy(&w->mu);
    pthread_cond_destroy(&w->cv);
    free(w);
    sim->wsd = NULL;
}

int t_wsd_describe(const struct t_sim *sim, const struct t_dev *d, char *buf, size_t len)
{
    char uuid[48], a[16];

    t_wsd_uuid(sim, d, uuid);
    return snprintf(buf, len, "uuid=%s xaddr=http://%s:%u/%s snmp=%s wsd=%s", uuid,
                    t_addr_format(d->addr, a), sim->opt.soap_port, uuid + 9,
                    (d->flags & T_F_NOSNMP) ? "off" : "on", sim->opt.wsd ? "on" : "off");
}

void t_wsd_stats(const struct t_sim *sim, char *buf, size_t len)
{
    const struct t_wsd *w = sim->wsd;

    if (!w) {
        *buf = '\0';
        return;
    }
    snprintf(buf, len, "wsd_rx=%llu wsd_matches=%llu wsd_bad=%llu soap_get=%llu soap_gpe=%llu",
             (unsigned long long)w->probes, (unsigned long long)w->matches,
             (unsigned long long)w->bad, (unsigned long long)w->gets, (unsigned long long)w->gpes);
}
