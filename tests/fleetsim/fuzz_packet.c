/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * libFuzzer target for the simulator's packet path (build with --enable-fuzz; the binary is
 * tests/fleetsim/fuzz_packet). The first input byte picks what the rest is fed to:
 *   mode 0  a datagram to a device, as the UDP path hands it over: BER decoding, community and
 *           USM checks, PDU processing, response encoding;
 *   mode 1  a decrypted scoped PDU, as if it had passed the digest and decryption: this is the
 *           part random bytes never reach through mode 0;
 *   mode 2  the same scoped PDU wrapped into a correctly authenticated and encrypted SNMPv3
 *           message, so USM decoding of valid framing with hostile content is covered too;
 *   mode 3  a control-socket command line.
 * Bit 7 of the first byte advances simulated time by one tick first. The devices are reset
 * before every input, so one input cannot change what the next one sees.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "tests/fleetsim/fleetsim.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NDEV 4

static struct t_sim sim;
static struct t_dev pristine[NDEV];
static uint32_t *pristine_htab;
static uint8_t out[T_TX_MAX + 1];

static void setup(void)
{
    struct t_opts o = {
        .devices = NDEV,
        .base = 0x7f140001,
        .port = 161,
        .community = "public",
        .v3_user = "fuzz",
        .auth_key = "authpass123",
        .priv_key = "privpass123",
        .auth = t_auth_find("SHA"),
        .seed = 1,
        .page_rate = 100,
        .max_msg = T_DEFAULT_MSG,
    };
    struct gw_errbuf eb;
    if (t_sim_init(&sim, &o, &eb) < 0)
        abort();
    sim.now_ms = 5000;
    memcpy(pristine, sim.dev, sizeof pristine);
    pristine_htab = malloc((sim.hmask + 1) * sizeof *pristine_htab);
    memcpy(pristine_htab, sim.htab, (sim.hmask + 1) * sizeof *pristine_htab);
}

static size_t wrap_v3(struct t_dev *d, const uint8_t *sp, size_t len)
{
    static uint8_t msg[T_RX_MAX];
    struct t_benc e;
    struct t_v3out o = {
        .msg_id = 7,
        .max_size = T_RX_MAX,
        .flags = 7,
        .engine_id = d->engine_id,
        .engine_id_len = d->engine_len,
        .user = sim.user,
        .user_len = sim.user_len,
        .boots = d->boots,
        .time = t_dev_engine_time(&sim, d),
        .auth = sim.auth,
        .kul_auth = t_sim_kul_auth(&sim, d),
        .kul_priv = t_sim_kul_priv(&sim, d),
        .salt = 42,
    };
    t_benc_init(&e, msg, sizeof msg);
    if (t_v3_encode(&e, &o, sp, len) < 0)
        return 0;
    return t_sim_packet(&sim, 0x7f000001, d->addr, t_benc_data(&e), t_benc_len(&e), out,
                        sizeof out - 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!sim.ndev)
        setup();
    if (size < 1)
        return 0;
    memcpy(sim.dev, pristine, sizeof pristine);
    memcpy(sim.htab, pristine_htab, (sim.hmask + 1) * sizeof *pristine_htab);
    sim.tick = 0;
    sim.opt.events_per_hour = 0;
    uint8_t mode = data[0];
    struct t_dev *d = &sim.dev[(mode >> 4) % NDEV];
    data++;
    size--;
    if (mode & 0x80)
        t_dev_tick_all(&sim);
    switch (mode & 3) {
    case 0:
        t_sim_packet(&sim, 0x7f000001, d->addr, data, size, out, sizeof out - 1);
        break;
    case 1:
        t_sim_scoped(&sim, d, data, size, out, sizeof out - 1);
        break;
    case 2:
        wrap_v3(d, data, size);
        break;
    case 3: {
        char line[600];
        size_t n = size < sizeof line - 1 ? size : sizeof line - 1;
        memcpy(line, data, n);
        line[n] = '\0';
        free(t_ctl_exec(&sim, line));
        break;
    }
    }
    return 0;
}
