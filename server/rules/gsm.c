#include "gsm.h"

#include "validate.h"

#include <string.h>

/* Code points of the GSM 03.38 basic set outside ASCII, and the ASCII characters it lacks. */
static const unsigned basic_extra[] = {0x00A3, 0x00A5, 0x00E8, 0x00E9, 0x00F9, 0x00EC, 0x00F2, 0x00C7, 0x00D8,
				       0x00F8, 0x00C5, 0x00E5, 0x0394, 0x03A6, 0x0393, 0x039B, 0x03A9, 0x03A0,
				       0x03A8, 0x03A3, 0x0398, 0x039E, 0x00C6, 0x00E6, 0x00DF, 0x00C9, 0x00A4,
				       0x00A1, 0x00C4, 0x00D6, 0x00D1, 0x00DC, 0x00A7, 0x00BF, 0x00E4, 0x00F6,
				       0x00F1, 0x00FC, 0x00E0};
/* In the extension table: two septets each. */
static const unsigned extension[] = {0x000C, '^', '{', '}', '\\', '[', '~', ']', '|', 0x20AC};

static int in(const unsigned *set, size_t n, unsigned cp)
{
	for (size_t i = 0; i < n; i++)
		if (set[i] == cp)
			return 1;
	return 0;
}

/* Septets of cp in GSM 7-bit, or 0 when it is not in the alphabet. */
static int septets(unsigned cp)
{
	if (in(extension, sizeof extension / sizeof extension[0], cp))
		return 2;
	if (cp == '`' || cp == 0x7F)
		return 0;
	if (cp == '\n' || cp == '\r' || (cp >= 0x20 && cp < 0x7F))
		return 1;
	return in(basic_extra, sizeof basic_extra / sizeof basic_extra[0], cp) ? 1 : 0;
}

/* Next code point of UTF-8 text, or -1. */
static long next_cp(const unsigned char **p)
{
	const unsigned char *s = *p;
	unsigned c = s[0], cp;
	int extra;
	if (c < 0x80) {
		cp = c;
		extra = 0;
	} else if ((c & 0xE0) == 0xC0) {
		cp = c & 0x1F;
		extra = 1;
	} else if ((c & 0xF0) == 0xE0) {
		cp = c & 0x0F;
		extra = 2;
	} else if ((c & 0xF8) == 0xF0) {
		cp = c & 0x07;
		extra = 3;
	} else
		return -1;
	for (int i = 1; i <= extra; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return -1;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	*p = s + 1 + extra;
	return (long)cp;
}

int sms_size_of(const char *text, struct sms_size *out)
{
	size_t sept = 0, u16 = 0;
	int gsm = 1;
	/* next_cp() decodes; what is UTF-8 at all (no overlong form, surrogate, or past U+10FFFF) is
	 * the validator's one definition */
	if (utf8_length(text) < 0)
		return -1;
	for (const unsigned char *p = (const unsigned char *)text; *p;) {
		long cp = next_cp(&p);
		if (cp < 0)
			return -1;
		int n = septets((unsigned)cp);
		if (!n)
			gsm = 0;
		sept += (size_t)n;
		u16 += cp > 0xFFFF ? 2 : 1;
	}
	out->ucs2 = !gsm;
	out->units = gsm ? sept : u16;
	size_t one = gsm ? 160 : 70, part = gsm ? 153 : 67;
	out->segments = out->units <= one ? 1 : (int)((out->units + part - 1) / part);
	return 0;
}
