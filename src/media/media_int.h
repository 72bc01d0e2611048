/* SPDX-License-Identifier: MIT */
/*
 * media_int.h — helpers shared by the files of src/media and by nothing else (all named hq__m…,
 * as the library links into one static archive with the other modules): error filling, a
 * growable byte buffer with a ceiling, the QR encoder wrapper drawn by both qr.c and
 * ticket_render.c, and the ticket validation shared by escpos.c and ticket_render.c.
 */
#ifndef HQ_MEDIA_INT_H
#define HQ_MEDIA_INT_H

#include <cairo.h>
#include <qrencode.h>

#include "hq_media.h"

/* Fill *why (may be NULL) and return code. */
int hq__media_fail(struct hq_media_why *why, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* A growable byte buffer refusing to grow past max (then ok becomes false and stays false). */
struct hq__mbuf {
    unsigned char *data;
    size_t len, cap, max;
    bool ok;
};
void hq__mbuf_init(struct hq__mbuf *b, size_t max);
void hq__mbuf_add(struct hq__mbuf *b, const void *p, size_t n);
void hq__mbuf_byte(struct hq__mbuf *b, unsigned char c);
void hq__mbuf_str(struct hq__mbuf *b, const char *s);
void hq__mbuf_release(struct hq__mbuf *b);
/* cairo_write_func_t appending to a struct hq__mbuf. */
cairo_status_t hq__mbuf_cairo_write(void *closure, const unsigned char *data, unsigned int length);

/* Encode text as a QR code (8-bit, level M). NULL on invalid input (empty, > HQ_QR_TEXT_MAX) or
 * failure. Free with QRcode_free. */
QRcode *hq__media_qr_encode(const char *text);
/* Fill the dark modules of qr with the current source, module size m user units, top-left at
 * (x, y) (quiet zone not included). */
void hq__media_qr_draw(cairo_t *cr, const QRcode *qr, double x, double y, double m);

/* Check a ticket: required fields, valid UTF-8 without control characters, document count. */
int hq__media_ticket_check(const struct hq_print_ticket *t, struct hq_media_why *why);
/* true when s is valid UTF-8 without C0/C1 control characters or DEL. */
bool hq__media_utf8_clean(const char *s);

/* ---- voice (voice.c, voice_clips.c) ---- */
/* 16-bit PCM found in a WAV file (data points into the file's bytes). */
struct hq__pcm {
    uint16_t channels;
    uint32_t rate;
    const unsigned char *data; /* 16-bit little-endian samples */
    size_t len;                /* bytes, whole frames */
};
/* Parse a RIFF/WAVE file of 16-bit PCM; 0 or -1. */
int hq__wav_parse(const unsigned char *b, size_t n, struct hq__pcm *out);

#define HQ__LANG_ZH 0
#define HQ__LANG_EN 1
/* Synthesise one phrase in a language to a WAV file's bytes (*wav malloc'd). 0 or hq_media_err
 * with err filled. */
typedef int (*hq__clip_synth_fn)(void *ctx, int lang, const char *text, unsigned char **wav,
                                 size_t *len, char *err, size_t err_size);
/* A recorded clip of a phrase (a WAV's bytes, owned by the caller and valid while the table is
 * used), or NULL to have it synthesised. */
typedef const unsigned char *(*hq__clip_lookup_fn)(void *ctx, int lang, const char *text,
                                                   size_t *len);
struct hq__clips;
/* A table of at most max (>= 16) trimmed phrase clips, made by synth on first use. */
struct hq__clips *hq__clips_new(size_t max, hq__clip_synth_fn synth, void *ctx);
void hq__clips_free(struct hq__clips *c);
/* Take clips from lookup (with the same ctx as synth) before synthesising them. */
void hq__clips_set_lookup(struct hq__clips *c, hq__clip_lookup_fn lookup);
/* The words of a line, in order: clip texts, "|" for a pause. Returns how many, or -1 when the
 * line has more than max words or a word of 96 bytes or more. Pure. */
int hq__clips_tokens(const char *tpl, int lang, const char *number, int window,
                     enum hq_voice_numbers mode, char words[][96], int max);
/* Append the PCM of one line (template filled) to out: clips joined by gap_ms of silence,
 * pause_ms at punctuation. Returns 0 or hq_media_err with err filled. */
int hq__clips_line(struct hq__clips *c, int lang, const char *tpl, const char *number, int window,
                   enum hq_voice_numbers mode, int gap_ms, int pause_ms, struct hq__mbuf *out,
                   char *err, size_t err_size);
/* Forget every clip (the voice pack changed). */
void hq__clips_flush(struct hq__clips *c);
/* Or-ed into the mode of hq__clips_tokens/line: a voice pack is active (see voice_clips.c). */
#define HQ__TOK_PACK 0x100
/* Make sure the clip of word is in the table (synthesise it now if not). 0 or hq_media_err. */
int hq__clips_warm(struct hq__clips *c, int lang, const char *word, char *err, size_t err_size);
/* The format of the clips (0 before the first), and how many were synthesised so far. */
void hq__clips_format(const struct hq__clips *c, uint16_t *channels, uint32_t *rate);
uint64_t hq__clips_synthesised(const struct hq__clips *c);

/* The wait line of a printed ticket into buf (escpos.c): 当前无窗口办理 when no window serves the
 * service, else the range (约 10–20 分钟) when known, else the estimate; false when there is none.
 */
bool hq__media_wait_line(const struct hq_print_ticket *t, char *buf, size_t len);

/* ---- voice packs (wav.c, voice_pack.c) ---- */
/* A mono 16-bit WAV of frames samples at rate (*out malloc'd). 0 or hq_media_err. */
int hq__wav_write(const int16_t *s, size_t frames, uint32_t rate, unsigned char **out, size_t *len);
/* The frames [*from, *to) of s that are not leading or trailing silence (10 ms windows quieter
 * than 8 % of the loudest one, 30 ms kept around the sound). */
void hq__pcm_trim(const int16_t *s, size_t n, uint32_t rate, size_t *from, size_t *to);
/* Bring the samples to the target loudness (RMS ~ -20 dBFS, peak under -1 dBFS, gain <= 16). */
void hq__pcm_normalise(int16_t *s, size_t n);
/* The chime at rate into out (at most max samples); returns the samples written. */
size_t hq__chime(uint32_t rate, int16_t *out, size_t max);
size_t hq__chime_frames(uint32_t rate);
/* The pack's templates (fixed: their words are the pack's phrases). */
#define HQ__PACK_TEMPLATE_ZH "请{number}号，到{window}号窗口办理"
#define HQ__PACK_TEMPLATE_EN "Number {number}, please go to window {window}"
/* The clip of (lang, text) in the pack (a single capital letter matches the letter phrase in
 * either language): the WAV's bytes, or NULL. */
const unsigned char *hq__pack_find(const struct hq_voice_pack *p, int lang, const char *text,
                                   size_t *len);
/* Reference counting of a pack shared by the voice and its jobs (under the voice's lock). */
struct hq_voice_pack *hq__pack_ref(struct hq_voice_pack *p);
void hq__pack_unref(struct hq_voice_pack *p);
uint64_t hq__pack_gen(const struct hq_voice_pack *p);

#endif
