/* gzip: HTTP answers compressed for the clients that accept it. The regional dashboard's first
 * load was 3.4 MB of JSON, JavaScript and GeoJSON, which compress six to ten times: 20 s on 3G. */
#ifndef RENFORT_GZIP_H
#define RENFORT_GZIP_H

#include <stddef.h>

/* Answers smaller than this go as they are: the gzip frame and the header cost more than they save. */
#define GZIP_MIN_BYTES 1024

/* Does the Accept-Encoding value (NULL: none) accept gzip? "gzip;q=0" refuses it. */
int gzip_accepted(const char *accept_encoding);
/* Is a media type worth compressing (text, JSON, JavaScript, SVG, XML, CSV)? */
int gzip_worth(const char *type);
/* data[0..len) as a gzip member at level (1 fast .. 9 small). 0 with *out (free() it) and *out_len,
 * -1 when memory runs out or it would not be smaller. */
int gzip_compress(const char *data, size_t len, int level, char **out, size_t *out_len);

#endif
