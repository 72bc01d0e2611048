/* SPDX-License-Identifier: MIT */
/*
 * hq_idcard.h — the serial protocol of second-generation resident ID card readers (二代证阅读器,
 * the SAM module's frames): framing, the XOR checksum, decoding the reader's answers and the base
 * text of a card (fixed UCS-2LE fields; the photo is not decoded). No other dependency: no I/O,
 * no JSON, no clock (src/idcard/idcard_frame.c; the serial line is src/cli/cmd_idreader.c;
 * docs/IDCARD.md).
 *
 * A command:  AA AA AA 96 69 | LEN (2, big-endian) | CMD PARA | data | CHK
 * An answer:  AA AA AA 96 69 | LEN (2, big-endian) | SW1 SW2 SW3 | data | CHK
 * LEN counts the bytes after it, CHK included; CHK is the XOR of the LEN bytes and everything
 * between them and CHK.
 */
#ifndef HQ_IDCARD_H
#define HQ_IDCARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HQ_IDC_PREAMBLE "\xAA\xAA\xAA\x96\x69"
#define HQ_IDC_PREAMBLE_LEN 5
#define HQ_IDC_FRAME_MAX 4096 /* a base-text answer is 7 + 4 + 256 + 1024 + 1 bytes */

/* Commands (CMD, PARA). */
#define HQ_IDC_FIND 0x20, 0x01   /* find a card: SW3 0x9F found, 0x80 none */
#define HQ_IDC_SELECT 0x20, 0x02 /* select it: SW3 0x90 done, 0x81 failed */
#define HQ_IDC_READ 0x30, 0x01   /* read base text and photo: SW3 0x90, data below */

/* Status words (SW3; SW1 SW2 are 00 00). */
#define HQ_IDC_OK 0x90
#define HQ_IDC_FOUND 0x9F
#define HQ_IDC_NO_CARD 0x80
#define HQ_IDC_SELECT_FAILED 0x81

/* XOR of n bytes. */
uint8_t hq_idc_xor(const uint8_t *p, size_t n);

/* Encode a command frame into out (cap bytes); its length, or 0 when it does not fit. */
size_t hq_idc_command(uint8_t cmd, uint8_t para, const uint8_t *data, size_t n, uint8_t *out,
                      size_t cap);
/* Encode an answer frame (what a reader sends; tests and simulators); length or 0. */
size_t hq_idc_answer(uint8_t sw1, uint8_t sw2, uint8_t sw3, const uint8_t *data, size_t n,
                     uint8_t *out, size_t cap);

/* One frame found in a byte stream: the 3 (answer) or 2 (command) head bytes and the data. */
struct hq_idc_frame {
    uint8_t head[3];
    const uint8_t *data; /* points into the buffer given to hq_idc_decode */
    size_t len;
};
enum hq_idc_status {
    HQ_IDC_NEED_MORE = 0, /* no whole frame yet: read more and call again */
    HQ_IDC_FRAME = 1,     /* *f is a frame; *used bytes are done with */
    HQ_IDC_BAD = -1,      /* garbage or a bad checksum: *used bytes are to be dropped */
};
/* Look for a frame at the start of buf[0..n): skips garbage before a preamble, checks LEN and the
 * checksum. head_len: 3 for answers, 2 for commands. */
enum hq_idc_status hq_idc_decode(const uint8_t *buf, size_t n, size_t head_len,
                                 struct hq_idc_frame *f, size_t *used);

/* The base text of a card (256 bytes of UCS-2LE fixed fields), as UTF-8. */
#define HQ_IDC_TEXT_LEN 256
struct hq_idc_person {
    char name[64];      /* 30 bytes: 15 characters, padded with spaces */
    char sex[4];        /* "1" male, "2" female */
    char nation[8];     /* "01" … */
    char birth[12];     /* YYYYMMDD */
    char address[128];  /* 70 bytes */
    char id_number[20]; /* 36 bytes: 18 characters */
};
/* Decode the text fields; trailing spaces dropped. false when n is short or a field that must be
 * digits is not (then *p is cleared). */
bool hq_idc_parse_text(const uint8_t *text, size_t n, struct hq_idc_person *p);
/* The data of a READ answer: text length (2, BE), photo length (2, BE), text, photo. Points *text
 * at the text; false when the lengths do not fit n. */
bool hq_idc_read_payload(const uint8_t *data, size_t n, const uint8_t **text, size_t *text_len);

#endif
