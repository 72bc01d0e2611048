/* SPDX-License-Identifier: MIT */
/*
 * mask.c — masking of personal data for displays, logs and public output (STANDARD.md 4.5).
 * Pure string work; never allocates.
 */
#include <string.h>

#include "hq_core.h"

/* Keep the first 3 and last 4 characters of an 11-character mobile number; in general hide at
 * least 4 characters in the middle, keep the last 4 and what is left at the front, at most 3.
 * Inputs shorter than 8 characters become all stars (same length). Non-ASCII bytes are never
 * kept (they could be half a UTF-8 sequence). The result is at most HQ_PHONE_MAX - 1 bytes. */
void hq_mask_phone(char *out, const char *phone)
{
    size_t len = phone ? strlen(phone) : 0;
    size_t max = HQ_PHONE_MAX - 1;
    size_t o = 0;
    if (len < 8) {
        for (size_t i = 0; i < len && o < max; i++)
            out[o++] = '*';
        out[o] = '\0';
        return;
    }
    size_t tail = 4;
    size_t head = len - tail - 4; /* at least 4 hidden */
    if (head > 3) head = 3;
    size_t stars = len - head - tail;
    if (head + stars + tail > max) stars = max - head - tail;
    for (size_t i = 0; i < head; i++)
        out[o++] = ((unsigned char)phone[i] < 0x80) ? phone[i] : '*';
    for (size_t i = 0; i < stars; i++)
        out[o++] = '*';
    for (size_t i = len - tail; i < len; i++)
        out[o++] = ((unsigned char)phone[i] < 0x80) ? phone[i] : '*';
    out[o] = '\0';
}
