/*
 * text.h: short professional free text for record summaries, and the
 * child's voice (or why it was not captured).  Invented, generic
 * wording: no names, places or other personal data.
 */
#ifndef SYNTH_TEXT_H
#define SYNTH_TEXT_H

#include <stddef.h>

#include "rng.h"
#include "synth.h"

/* What a summary may mention. */
#define SYNTH_TEXT_CHILDREN 0x01    /* children in the household */
#define SYNTH_TEXT_SC 0x02          /* family known to social care */
#define SYNTH_TEXT_REFUGE 0x04      /* victim in refuge */
#define SYNTH_TEXT_UNBORN 0x08      /* victim pregnant */
#define SYNTH_TEXT_ASK 0x10         /* DVDS: right to ask (else know) */
#define SYNTH_TEXT_CHILD_ED 0x20    /* ED: the patient is a child */
#define SYNTH_TEXT_ENCOMPASS 0x40   /* school: Operation Encompass */
#define SYNTH_TEXT_YOUNG 0x80       /* health visiting: child under 5 */

/**
 * synth_text_summary(r, kind, flags, out, outlen):
 * Write a one- or two-sentence summary for a record of ${kind} to ${out}.
 */
void synth_text_summary(struct synth_rng *r, enum synth_kind kind,
    unsigned flags, char *out, size_t outlen);

/**
 * synth_text_voice(r, age):
 * Return a short quote, in a child's words, fitting a child of ${age}.
 */
const char *synth_text_voice(struct synth_rng *r, int age);

/**
 * synth_text_not_captured(r, young):
 * Return why the child's voice was not captured; ${young} when every
 * child present was under four.
 */
const char *synth_text_not_captured(struct synth_rng *r, int young);

#endif /* !SYNTH_TEXT_H */
