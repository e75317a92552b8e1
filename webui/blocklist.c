/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * The common-password blocklist of the password policy: webui/common-passwords.txt (made by
 * tools/gen-common-passwords.sh from Debian's john-data wordlist), installed beside the www
 * directory. It is loaded once per process, before any thread checks passwords, and read
 * only afterwards, so ui_password_check() stays callable from any thread.
 *
 * The composition rule (digit, upper, lower, symbol) turns "password" into "Password1!", so a
 * plain lookup would find almost nothing: the check also looks up the password with trailing
 * digits and symbols and leading non-letters stripped, and that core with common letter
 * substitutions undone ("P@ssw0rd2024!" -> "password").
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "webui/ui_int.h"

#define ENTRY_MAX 64

static struct {
    char **v;
    size_t n;
} list;

static int cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int ui_blocklist_load(const char *path, struct gw_errbuf *eb)
{
    FILE *f = fopen(path, "r");
    char line[256], **v = NULL;
    size_t n = 0, cap = 0, lineno = 0;
    if (!f)
        return gw_errbuf_set(eb, -errno, "%s: %s", path, strerror(errno));
    while (fgets(line, sizeof line, f)) {
        size_t len = strcspn(line, "\r\n");
        lineno++;
        line[len] = '\0';
        if (len == 0 || line[0] == '#')
            continue;
        if (len > ENTRY_MAX) {
            fclose(f);
            for (size_t i = 0; i < n; i++)
                free(v[i]);
            free(v);
            return gw_errbuf_set(eb, GW_E_PARSE, "%s:%zu: entry longer than %d bytes", path, lineno,
                                 ENTRY_MAX);
        }
        if (n == cap)
            v = gw_realloc(v, (cap = cap ? cap * 2 : 4096) * sizeof *v);
        v[n++] = gw_strdup(line);
    }
    fclose(f);
    qsort(v, n, sizeof *v, cmp);
    ui_blocklist_free();
    list.v = v;
    list.n = n;
    return (int)n;
}

int ui_blocklist_load_default(const struct gw_cfg *cfg, struct gw_errbuf *eb)
{
    char www[1024], path[1100];
    char *slash;
    if (!gw_cfg_webui_www(cfg, www, sizeof www))
        return gw_errbuf_set(eb, GW_E_CONFIG, "the www directory's path is too long");
    /* "<datadir>/www" or a configured ".../www/": the list sits beside it. */
    while (strlen(www) > 1 && www[strlen(www) - 1] == '/')
        www[strlen(www) - 1] = '\0';
    slash = strrchr(www, '/');
    if (slash)
        *slash = '\0';
    snprintf(path, sizeof path, "%s/common-passwords.txt", slash ? www : ".");
    return ui_blocklist_load(path, eb);
}

void ui_blocklist_free(void)
{
    for (size_t i = 0; i < list.n; i++)
        free(list.v[i]);
    free(list.v);
    list.v = NULL;
    list.n = 0;
}

size_t ui_blocklist_size(void)
{
    return list.n;
}

static bool listed(const char *s)
{
    const char *key = s;
    return strlen(s) >= 4 && bsearch(&key, list.v, list.n, sizeof *list.v, cmp) != NULL;
}

static char unleet(char c)
{
    static const char from[] = "@4013$57!", to[] = "aaoiessti";
    const char *p = strchr(from, c);
    return p && c ? to[p - from] : c;
}

bool ui__password_common(const char *pw)
{
    char low[ENTRY_MAX + 1], core[ENTRY_MAX + 1];
    size_t n = strlen(pw), b = 0, e;
    if (!list.n || n > ENTRY_MAX)
        return false;
    for (size_t i = 0; i <= n; i++)
        low[i] = (char)tolower((unsigned char)pw[i]);
    if (listed(low))
        return true;
    /* Strip what the composition rule makes people add: symbols and digits at the end,
     * anything but letters at the start. */
    e = n;
    while (e > 0 && !isalnum((unsigned char)low[e - 1]))
        e--;
    memcpy(core, low, e);
    core[e] = '\0';
    if (listed(core))
        return true;
    while (e > 0 && !isalpha((unsigned char)low[e - 1]))
        e--;
    /* The start: "!1dragon" is "dragon", "@dmin" may be "admin": both ways. */
    for (int pass = 0; pass < 2; pass++) {
        b = 0;
        while (b < e && !isalpha((unsigned char)low[b]) &&
               (pass == 0 || !strchr("@4013$57", low[b])))
            b++;
        memcpy(core, low + b, e - b);
        core[e - b] = '\0';
        if (listed(core))
            return true;
        for (char *p = core; *p; p++)
            *p = unleet(*p);
        if (listed(core))
            return true;
    }
    return false;
}
