/* geo: pure helpers about places: distances, and place names compared the way people write them. */
#ifndef RENFORT_GEO_H
#define RENFORT_GEO_H

#include <stddef.h>

/* Great-circle distance in km (haversine). */
double geo_distance_km(double lat1, double lng1, double lat2, double lng2);

/* The same distance, bit for bit, with the cosines of both latitudes given (geo_cos_lat): for many
 * distances to one place, each cosine computed once. */
double geo_cos_lat(double lat);
double geo_distance_km_cos(double lat1, double lng1, double cos_lat1, double lat2, double lng2, double cos_lat2);

/* "St-Geniez-d'Olt", "ST GENIEZ D OLT" and "Saint Géniez d'Olt" all become "SAINT GENIEZ D OLT":
 * uppercase ASCII without accents, separators as single spaces, ST/STE expanded, CEDEX dropped. */
void geo_name_normalize(const char *in, char *out, size_t outlen);

#endif
