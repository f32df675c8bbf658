/* geo: pure helpers about places: distances, and place names compared the way people write them. */
#ifndef RENFORT_GEO_H
#define RENFORT_GEO_H

#include <stddef.h>

/* Great-circle distance in km (haversine). */
double geo_distance_km(double lat1, double lng1, double lat2, double lng2);

/* "St-Geniez-d'Olt", "ST GENIEZ D OLT" and "Saint Géniez d'Olt" all become "SAINT GENIEZ D OLT":
 * uppercase ASCII without accents, separators as single spaces, ST/STE expanded, CEDEX dropped. */
void geo_name_normalize(const char *in, char *out, size_t outlen);

#endif
