/* SPDX-License-Identifier: MIT */
/*
 * content_type.h — the Content-Type of a web file by its ending, one table for the two places
 * that need it: tools/embed.c (the types of the files built into the binary) and server.c (files
 * served from disk with HQ_STATIC_DIR). Header-only, so the build tool needs no library.
 */
#ifndef HQ_CONTENT_TYPE_H
#define HQ_CONTENT_TYPE_H

#include <string.h>

static inline const char *hq_content_type(const char *path)
{
    static const struct {
        const char *ext, *type;
    } types[] = {
        {".html", "text/html; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".mjs", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".json", "application/json; charset=utf-8"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".ico", "image/x-icon"},
        {".wav", "audio/wav"},
        {".txt", "text/plain; charset=utf-8"},
        {".woff2", "font/woff2"},
    };
    const char *dot = strrchr(path, '.');
    if (dot)
        for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
            if (strcmp(dot, types[i].ext) == 0) return types[i].type;
    return "application/octet-stream";
}

#endif
