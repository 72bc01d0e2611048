/* SPDX-License-Identifier: MIT */
/*
 * hq_media.h — what the hall says and prints: QR codes (libqrencode; qr.c), call announcements
 * rendered to WAV by the espeak-ng program (voice.c), ESC/POS bytes for thermal ticket printers
 * and their transport (escpos.c), and the same ticket drawn as PNG/PDF with cairo
 * (ticket_render.c). See docs/MEDIA.md for the decisions behind it.
 *
 * This module is self-contained: it depends on no other hallq module, does no logging and keeps
 * no global state. It knows nothing of the queue; callers hand it plain strings and numbers.
 *
 * Errors: every function that can fail returns 0 or a negative enum hq_media_err; functions that
 * take a struct hq_media_why * (may be NULL) fill it with the code and an English message on
 * failure. Out-parameters are written only on success.
 *
 * Ownership: every buffer handed out (char **, unsigned char **) is allocated with malloc and is
 * the caller's to free(). Input strings are borrowed for the duration of the call only (struct
 * hq_voice_options is copied by hq_voice_new).
 *
 * Threads: the QR, ESC/POS and ticket functions are reentrant (no shared state). A struct
 * hq_voice is thread-safe: any thread may call request/get/key/cached/stats concurrently; only
 * hq_voice_free must not race with the others.
 */
#ifndef HQ_MEDIA_H
#define HQ_MEDIA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum hq_media_err {
    HQ_MEDIA_OK = 0,
    HQ_MEDIA_EINVAL = -1,     /* bad input; the message names the field */
    HQ_MEDIA_ENOMEM = -2,     /* out of memory */
    HQ_MEDIA_EPROGRAM = -3,   /* an external program (espeak-ng) is missing, failed or hung */
    HQ_MEDIA_EOFFLINE = -4,   /* printer refused the connection, timed out or hung up */
    HQ_MEDIA_EPAPER = -5,     /* printer reports its paper is out */
    HQ_MEDIA_EIO = -6,        /* file, encoder (iconv, cairo, libqrencode) or format failure */
    HQ_MEDIA_EBUSY = -7,      /* voice queue full */
    HQ_MEDIA_EPENDING = -8,   /* voice job not rendered yet (timeout reached) */
    HQ_MEDIA_ENOTFOUND = -9,  /* unknown or expired voice job / key not in the cache */
    HQ_MEDIA_ECANCELLED = -10 /* voice job dropped because the voice was being freed */
};

struct hq_media_why {
    int code;          /* enum hq_media_err */
    char message[256]; /* English: "printer 10.0.0.5:9100: connection refused (offline?)" */
};

/* "einval", "offline", … for logs and API error mapping; "unknown" for other values. */
const char *hq_media_err_name(int code);

/* ======================================= QR codes (qr.c) ===================================== */

/* Largest text accepted for a QR code (bytes, without NUL). A tracking URL is ~60. */
#define HQ_QR_TEXT_MAX 1024

/* Encode text (8-bit mode, error correction level M, 4-module quiet zone) as a standalone SVG
 * document: one black <path> on a white background, viewBox in modules, crisp edges.
 * On success *svg_out is a NUL-terminated malloc'd string (caller frees).
 * Returns 0, HQ_MEDIA_EINVAL (NULL/empty/too long text), HQ_MEDIA_ENOMEM or HQ_MEDIA_EIO. */
int hq_qr_svg(const char *text, char **svg_out);

/* Same code as a PNG image, scale pixels per module (1..64), 8-bit grey-free black on white.
 * On success *png (malloc'd, caller frees) holds *len bytes.
 * Returns 0, HQ_MEDIA_EINVAL, HQ_MEDIA_ENOMEM or HQ_MEDIA_EIO. */
int hq_qr_png(const char *text, int scale, unsigned char **png, size_t *len);

/* ================================= voice announcements (voice.c) ============================= */
/*
 * hq_voice_request() queues an announcement and returns at once with a job id; one worker thread
 * per struct hq_voice renders jobs strictly in request order (FIFO), so a call is never delayed by
 * speech and announcements complete in the order they were requested. An announcement is
 * assembled from phrase clips (voice_clips.c): each letter, digit, window number and fixed word of
 * the templates is synthesised once by the espeak-ng program (never linked: it is GPL-3; the text
 * a single argv element, no shell), trimmed of silence and kept; a line is the clips joined by
 * short gaps; the announcement is, for each repetition, the Chinese line, a pause, the English
 * line (unless HQ_VOICE_NO_ENGLISH), a pause. The result is cached in memory keyed by a hash of
 * the final texts and every voice setting.
 */

#define HQ_VOICE_KEY_SIZE 33 /* 32 lowercase hex chars + NUL */

enum hq_voice_numbers {
    HQ_VOICE_DIGITS = 0, /* A001 -> zh "A 零零一", en "A0 0 1" (each digit said) */
    HQ_VOICE_NATURAL = 1 /* A001 -> zh "A 一",     en "A1" (the number as a quantity) */
};

struct hq_voice_options {
    const char *espeak; /* program, PATH-searched if it has no '/'; NULL = "espeak-ng" */
    /* Templates: {number} and {window} are filled; the other text is said as fixed words, cut at
     * punctuation (，,。. etc: a short pause) and spaces. */
    const char *template_zh; /* NULL = "{number}号，请到{window}号窗口"; "" = no Chinese line */
    const char *template_en; /* NULL = "{number}, window {window}"; "" = none */
    const char *voice_zh;    /* NULL = "cmn-latn-pinyin" (reads 号/请/到 right; see docs) */
    const char *voice_en;    /* NULL = "en" */
    enum hq_voice_numbers numbers;
    int speed;           /* espeak-ng -s, words per minute, 80..450; 0 = 190 */
    int repeat;          /* times the whole announcement is said, 1..5; 0 = 1 */
    int pause_ms;        /* silence after each line, 0..3000; 0 = 300; <0 = none */
    int gap_ms;          /* silence between two clips of a line, 0..1000; 0 = 20; <0 = none */
    int phrase_pause_ms; /* silence at punctuation in a template, 0..2000; 0 = 150; <0 = none */
    int clips_max;       /* phrase clips kept (LRU), 16..100000; 0 = 256 */
    bool prewarm;        /* when idle, synthesise the digits and fixed words before any call */
    int queue_max;       /* pending jobs before hq_voice_request says EBUSY; 0 = 256 */
    int jobs_kept;       /* finished jobs remembered for hq_voice_get; 0 = 32 */
    int cache_max;       /* rendered announcements kept (LRU); 0 = 32 */
    int timeout_ms;      /* per espeak-ng run before it is killed; 0 = 20000 */
    const char *tmp_dir; /* for espeak-ng's WAV files; NULL = $TMPDIR or /tmp */
    /* Called on the worker thread after each job, in job order, with status 0 or a negative
     * hq_media_err. Must not call hq_voice_free; may call the other hq_voice_* functions. */
    void (*on_done)(void *arg, uint64_t job, int status);
    void *on_done_arg;
};

struct hq_voice_stats {
    uint64_t requests;  /* jobs accepted */
    uint64_t renders;   /* announcements assembled (not served from the announcement cache) */
    uint64_t clips;     /* phrase clips synthesised (one espeak-ng run each) */
    uint64_t processes; /* espeak-ng processes started */
    uint64_t hits;      /* jobs served from the cache */
    uint64_t failures;  /* jobs that ended in an error */
    uint64_t pending;   /* jobs queued or being rendered now */
};

struct hq_voice;

/* Create a voice and start its worker thread. Options are validated and copied (strings too).
 * Fails (NULL, *why filled) when an option is out of range or the espeak-ng program cannot be
 * found/executed — the caller then runs without voice; it never crashes for a missing program. */
struct hq_voice *hq_voice_new(const struct hq_voice_options *opts, struct hq_media_why *why);

/* Queue the announcement for ticket number (1-2 capital letters then 1-7 digits, "A001") and
 * window (1..9999). Never blocks on rendering. On success *job is a new id (> 0, increasing in
 * queue order). Returns 0, HQ_MEDIA_EINVAL or HQ_MEDIA_EBUSY (queue_max jobs pending). */
int hq_voice_request(struct hq_voice *v, const char *number, int window, uint64_t *job,
                     struct hq_media_why *why);
#define HQ_VOICE_NO_ENGLISH 1u /* flag: the Chinese line only (a hall with English off) */
/* The same with flags (HQ_VOICE_NO_ENGLISH). */
int hq_voice_request_ex(struct hq_voice *v, const char *number, int window, unsigned flags,
                        uint64_t *job, struct hq_media_why *why);

/* Fetch the WAV of a job, waiting up to timeout_ms (0 = do not wait, <0 = wait as long as it
 * takes) for it to be rendered. On success *wav (malloc'd copy, caller frees) holds *len bytes.
 * Returns 0, HQ_MEDIA_EPENDING (still queued at the timeout), HQ_MEDIA_ENOTFOUND (never issued or
 * forgotten: more than jobs_kept newer jobs finished), or the job's own error (HQ_MEDIA_EPROGRAM
 * with espeak-ng's message, …). */
int hq_voice_get(struct hq_voice *v, uint64_t job, int timeout_ms, unsigned char **wav, size_t *len,
                 struct hq_media_why *why);

/* The cache key of a job (stable: same texts and settings, same key), for URLs such as
 * /audio/<key>.wav that browsers may cache. Returns 0 or HQ_MEDIA_ENOTFOUND. */
int hq_voice_job_key(struct hq_voice *v, uint64_t job, char key[HQ_VOICE_KEY_SIZE]);

/* The WAV cached under key (from hq_voice_job_key), without waiting or rendering.
 * Returns 0 (*wav malloc'd, caller frees), HQ_MEDIA_EINVAL or HQ_MEDIA_ENOTFOUND. */
int hq_voice_cached(struct hq_voice *v, const char *key, unsigned char **wav, size_t *len);

void hq_voice_stats(struct hq_voice *v, struct hq_voice_stats *out);

/* Stop the worker (after the job it is rendering; queued jobs are dropped), free everything.
 * No other hq_voice_* call on v may be running or follow. NULL is a no-op. */
void hq_voice_free(struct hq_voice *v);

/* The two lines that would be spoken (UTF-8, templates filled, numbers as read). Either output
 * may be NULL. An empty template gives "". Returns 0 or HQ_MEDIA_EINVAL (bad number/window,
 * output too small). opts may be NULL for the defaults. Pure; any thread. */
int hq_voice_text(const struct hq_voice_options *opts, const char *number, int window, char *zh,
                  size_t zh_size, char *en, size_t en_size);

/* How a ticket number is read in Chinese: letters spaced (Latin letters are said by their names),
 * then the digits: HQ_VOICE_DIGITS "A001" -> "A 零零一"; HQ_VOICE_NATURAL "A001" -> "A 一",
 * "B120" -> "B 一百二十", "C1005" -> "C 一千零五", "AB20" -> "A B 二十". A number without digits
 * or with anything but [A-Z] then [0-9] is refused. Returns 0 or HQ_MEDIA_EINVAL. */
int hq_voice_number_zh(const char *number, enum hq_voice_numbers mode, char *out, size_t size);

/* The same in English for espeak-ng's "en" voice: DIGITS "A001" -> "A0 0 1" (letters glued to
 * the first digit so "A" is not read as the article); NATURAL "A001" -> "A1", "B120" -> "B120". */
int hq_voice_number_en(const char *number, enum hq_voice_numbers mode, char *out, size_t size);

/* A non-negative integer (0..99999999) in Chinese numerals as said aloud: 10 -> "十",
 * 15 -> "十五", 105 -> "一百零五", 110 -> "一百一十", 20000 -> "二万". Returns 0 or EINVAL. */
int hq_voice_zh_integer(uint32_t n, char *out, size_t size);

/* ============================ voice packs: recorded clips (voice_pack.c, wav.c) ================
 * A voice pack is a set of recorded phrase clips (docs/MEDIA.md "Voice packs"): the fixed words of
 * a call, the digits and numerals in Mandarin and English, and the letters. With a pack set on a
 * voice (hq_voice_set_live), announcements use the pack's templates
 * (请{number}号，到{window}号窗口办理 / Number {number}, please go to window {window}), each word
 * taken from the pack when it has it and from espeak-ng when not; a chime may come first and the
 * whole is said `repeat` times. */

#define HQ_WAV_RATE 22050       /* every pack clip: mono, 16-bit PCM at this rate */
#define HQ_WAV_CLIP_MAX_MS 8000 /* an uploaded clip before trimming */

struct hq_wav_info {
    uint16_t channels;
    uint32_t rate;
    uint32_t frames;
    int ms;
    int peak; /* largest |sample| */
    int rms;  /* root mean square of the samples */
};

/* Check a WAV file's bytes: RIFF/WAVE, 16-bit PCM, 1-2 channels, 8000..48000 Hz, min_ms..max_ms
 * long. 0 (info filled except peak/rms, may be NULL) or HQ_MEDIA_EINVAL with a clear message. */
int hq_wav_check(const unsigned char *b, size_t n, int min_ms, int max_ms, struct hq_wav_info *info,
                 struct hq_media_why *why);
/* Make a pack clip of an uploaded WAV: checked (100 ms..max_ms), mixed to mono, resampled to
 * HQ_WAV_RATE, leading/trailing silence trimmed, loudness normalised (RMS about -20 dBFS, peak
 * under -1 dBFS). *out is a new WAV (malloc'd); info describes it. EINVAL when no speech is left.
 */
int hq_wav_clip(const unsigned char *b, size_t n, int max_ms, unsigned char **out, size_t *out_len,
                struct hq_wav_info *info, struct hq_media_why *why);
/* Length, format, peak and RMS of a 16-bit PCM WAV. 0 or HQ_MEDIA_EINVAL / ENOMEM. */
int hq_wav_info(const unsigned char *b, size_t n, struct hq_wav_info *info);

/* The phrases of a pack, in the order the admin page asks for them (Chinese first). lang is "zh",
 * "en" or "letter" (a letter is said once, by its name, and used in both languages). */
struct hq_voice_phrase {
    const char *id;   /* "zh-qing", "zh-3", "letter-A", "en-window" … (URL-safe) */
    const char *lang; /* "zh", "en", "letter" */
    const char *text; /* what is said: "请", "三", "A", "please go to window" */
};
const struct hq_voice_phrase *hq_voice_phrases(size_t *n);
/* The phrase of an id, or NULL. */
const struct hq_voice_phrase *hq_voice_phrase_find(const char *id);

struct hq_voice_pack;
/* An empty pack (NULL when out of memory). */
struct hq_voice_pack *hq_voice_pack_new(void);
/* Add (or replace) the clip of phrase id: a WAV made by hq_wav_clip (mono, HQ_WAV_RATE). Copied.
 * 0, HQ_MEDIA_EINVAL (unknown phrase, other format) or HQ_MEDIA_ENOMEM. */
int hq_voice_pack_add(struct hq_voice_pack *p, const char *id, const unsigned char *wav,
                      size_t len);
size_t hq_voice_pack_count(const struct hq_voice_pack *p);
/* Free a pack that was not handed to a voice. NULL is a no-op. */
void hq_voice_pack_free(struct hq_voice_pack *p);

/* Set what announcements requested from now on use: pack (ownership passes to the voice; NULL =
 * espeak-ng only, with the voice's own templates), repeat (1..3; 0 = the voice's option) and a
 * chime first. Announcements already cached under the old settings are never served for the new
 * ones (the settings are part of the key). 0 or HQ_MEDIA_EINVAL (then the pack is freed). */
int hq_voice_set_live(struct hq_voice *v, struct hq_voice_pack *pack, int repeat, bool chime);

/* How many clips of the last rendered announcements came from the pack and from espeak-ng. */
void hq_voice_pack_stats(struct hq_voice *v, uint64_t *from_pack, uint64_t *from_espeak);

/* =================================== paper tickets (escpos.c) ================================ */

#define HQ_PRINT_DOCS_MAX 16

/* A ticket as printed or drawn. All strings UTF-8, borrowed; NULL or "" fields are left out
 * (number and hall are required). Control characters are refused so no input can smuggle printer
 * commands. */
struct hq_print_ticket {
    const char *hall;         /* "市民服务中心" */
    const char *number;       /* "A001" */
    const char *service_zh;   /* "社保办理" */
    const char *service_en;   /* "Social insurance" */
    int ahead;                /* people ahead; < 0 = unknown, left out */
    int wait_s;               /* estimated wait in seconds; < 0 = unknown, left out */
    bool no_window;           /* no open window serves the service now: said instead of the wait */
    int wait_lo_s, wait_hi_s; /* the wait's likely range (API.md wait_range_s) when wait_hi_s > 0 */
    const char *issued;       /* issue time as the caller formats it: "2024-05-06 09:31" */
    const char *documents[HQ_PRINT_DOCS_MAX];
    int n_documents;
    const char *url;    /* tracking URL, printed as a QR code */
    const char *footer; /* optional last line: "请留意叫号 Please listen for your number" */
};

struct hq_escpos_options {
    int number_size; /* GS ! magnification of the number, 1..8; 0 = 5 */
    int qr_module;   /* QR module size in dots, 1..16; 0 = 6 */
    bool no_cut;     /* leave out the final GS V cut */
};

/* Build the ESC/POS byte stream of a ticket (ESC @; FS & Chinese mode with text in GB18030; hall
 * name double size; number at number_size; service zh/en; people ahead, wait, time; documents;
 * QR model 2 level M via GS ( k; feed; partial cut). opts may be NULL.
 * On success *out (malloc'd, caller frees) holds *len bytes.
 * Returns 0, HQ_MEDIA_EINVAL (missing field, control character, invalid UTF-8, too many documents),
 * HQ_MEDIA_ENOMEM or HQ_MEDIA_EIO (iconv unavailable). */
int hq_escpos_ticket(const struct hq_print_ticket *t, const struct hq_escpos_options *opts,
                     unsigned char **out, size_t *len, struct hq_media_why *why);

/* Send bytes to a network printer (raw TCP, "host:port", "host" = port 9100, "[v6]:port"):
 * connect, write everything, close, all within timeout_ms (0 = 3000) in total. Blocks the calling
 * thread: call it off the event loop. SIGPIPE is never raised.
 * Returns 0, HQ_MEDIA_EINVAL (bad address) or HQ_MEDIA_EOFFLINE (refused, unreachable, timed out,
 * reset) with the reason. */
int hq_escpos_send(const char *hostport, const unsigned char *buf, size_t len, int timeout_ms,
                   struct hq_media_why *why);

/* Write bytes to a file or device (/dev/usb/lp0), created 0644 / truncated.
 * Returns 0 or HQ_MEDIA_EIO. */
int hq_escpos_write_file(const char *path, const unsigned char *buf, size_t len,
                         struct hq_media_why *why);

struct hq_printer_status {
    bool paper_near_end; /* DLE EOT 4 bits 2-3 */
    bool paper_out;      /* DLE EOT 4 bits 5-6 */
    uint8_t raw;         /* the status byte */
};

/* Ask a network printer for its paper sensor (DLE EOT 4) and read the one-byte answer within
 * timeout_ms (0 = 2000). Returns 0 (*st filled), HQ_MEDIA_EINVAL or HQ_MEDIA_EOFFLINE (no
 * connection, or no answer: some printers do not implement real-time status over TCP). */
int hq_escpos_status(const char *hostport, int timeout_ms, struct hq_printer_status *st,
                     struct hq_media_why *why);

/* Status check then send: HQ_MEDIA_EPAPER when the printer answers that its paper is out, the
 * ticket is sent when it answers anything else or does not answer the status query at all (the
 * send then decides). Returns 0, HQ_MEDIA_EINVAL, HQ_MEDIA_EOFFLINE or HQ_MEDIA_EPAPER. */
int hq_escpos_print(const char *hostport, const unsigned char *buf, size_t len, int timeout_ms,
                    struct hq_media_why *why);

/* ================================ ticket image (ticket_render.c) ============================= */

/* The ticket drawn 80 mm wide (height as needed), in "Noto Sans CJK SC", with its QR code.
 * PNG: px_per_mm pixels per millimetre (2..40; 0 = 8, i.e. 203 dpi like a thermal printer).
 * PDF: one page, 80 mm wide, text as text (searchable, pdftotext reads it back).
 * On success *out (malloc'd, caller frees) holds *len bytes.
 * Returns 0, HQ_MEDIA_EINVAL (as hq_escpos_ticket), HQ_MEDIA_ENOMEM or HQ_MEDIA_EIO. */
int hq_ticket_png(const struct hq_print_ticket *t, int px_per_mm, unsigned char **out, size_t *len,
                  struct hq_media_why *why);
int hq_ticket_pdf(const struct hq_print_ticket *t, unsigned char **out, size_t *len,
                  struct hq_media_why *why);

#endif
