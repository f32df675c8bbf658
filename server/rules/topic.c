#include "topic.h"

#include "validate.h"

#include <stdio.h>
#include <string.h>

/* Event families: a topic name and the event type prefix it covers. */
static const struct {
	const char *topic;
	const char *prefix;
} families[] = {
	{"structures", "structure."}, {"depots", "depot."},	    {"items", "item."},
	{"volunteers", "volunteer."}, {"alerts", "alert."},	    {"stock", "stock."},
	{"sms", "sms."},	      {"allocations", "allocation."}, {"deployments", "deployment."},
};
#define NFAMILIES (sizeof families / sizeof families[0])

static const char *const entity_topics[] = {"structure", "depot", "volunteer"};

static const char *const region_deps[] = {"09", "11", "12", "30", "31", "32", "34",
					  "46", "48", "65", "66", "81", "82"};

const char *topic_parse(const char *text, struct topic *t, const char **entity)
{
	memset(t, 0, sizeof *t);
	*entity = NULL;
	if (strcmp(text, "*") == 0) {
		t->kind = TOPIC_ALL;
		return NULL;
	}
	for (size_t i = 0; i < NFAMILIES; i++)
		if (strcmp(text, families[i].topic) == 0) {
			t->kind = TOPIC_FAMILY;
			t->family = (unsigned char)i;
			return NULL;
		}
	const char *colon = strchr(text, ':');
	if (colon && strncmp(text, "departement", (size_t)(colon - text)) == 0 && colon - text == 11) {
		for (size_t i = 0; i < sizeof region_deps / sizeof region_deps[0]; i++)
			if (strcmp(colon + 1, region_deps[i]) == 0) {
				t->kind = TOPIC_DEP;
				snprintf(t->dep, sizeof t->dep, "%s", region_deps[i]);
				return NULL;
			}
		return "names no département of the region";
	}
	for (size_t i = 0; colon && i < sizeof entity_topics / sizeof entity_topics[0]; i++)
		if (strlen(entity_topics[i]) == (size_t)(colon - text) && strncmp(text, entity_topics[i], (size_t)(colon - text)) == 0) {
			long long id;
			if (int_from_text(colon + 1, 1, INT_EXACT_MAX, &id))
				return "must end with a positive id, like structure:12";
			t->kind = TOPIC_ENTITY;
			t->family = (unsigned char)i;
			t->id = id;
			*entity = entity_topics[i];
			return NULL;
		}
	return "must be *, a family (structures, depots, items, volunteers, alerts, stock, sms, allocations, "
	       "deployments), structure:<id>, depot:<id>, volunteer:<id> or departement:<code>";
}

const char *topic_format(const struct topic *t, char out[40])
{
	switch (t->kind) {
	case TOPIC_ALL:
		snprintf(out, 40, "*");
		break;
	case TOPIC_FAMILY:
		snprintf(out, 40, "%s", families[t->family].topic);
		break;
	case TOPIC_ENTITY:
		snprintf(out, 40, "%s:%lld", entity_topics[t->family], t->id);
		break;
	default:
		snprintf(out, 40, "departement:%s", t->dep);
		break;
	}
	return out;
}

int topic_matches(const struct topic *t, const char *type, const char *dep, const char *entity, long long id)
{
	switch (t->kind) {
	case TOPIC_ALL:
		return 1;
	case TOPIC_FAMILY:
		return strncmp(type, families[t->family].prefix, strlen(families[t->family].prefix)) == 0;
	case TOPIC_ENTITY:
		return entity && strcmp(entity, entity_topics[t->family]) == 0 && id == t->id;
	case TOPIC_DEP:
		return dep && strcmp(dep, t->dep) == 0;
	}
	return 0;
}

int event_visible(const struct principal *p, const char *type, const char *dep, const char *entity, long long id)
{
	switch (p->role) {
	case ROLE_ADMIN:
		return 1;
	case ROLE_OBSERVER:
		/* the observatory reads counts, not people: no volunteers, SMS or duty officers */
		if (strncmp(type, "volunteer.", 10) == 0 || strncmp(type, "sms.", 4) == 0 ||
		    strncmp(type, "duty_officer.", 13) == 0)
			return 0;
		/* a deployment's calls and replies are about a volunteer: observers get its counts only */
		if (entity && strcmp(entity, "volunteer") == 0)
			return 0;
		/* fall through */
	case ROLE_COORDINATOR:
		if (dep && dep[0])
			return principal_covers_dep(p, dep);
		/* region-wide: everyone's, but for a region-wide duty officer, whom only region-wide
		 * coordinators read (the store's scope: dep IN their départements, and NULL is in none) */
		return strncmp(type, "duty_officer.", 13) != 0 || !p->deps[0];
	case ROLE_STRUCTURE:
		return entity && ((strcmp(entity, "structure") == 0 && id == p->subject_id) || strcmp(entity, "item") == 0);
	case ROLE_DEPOT:
		return entity && ((strcmp(entity, "depot") == 0 && id == p->subject_id) || strcmp(entity, "item") == 0);
	case ROLE_VOLUNTEER:
		return entity && strcmp(entity, "volunteer") == 0 && id == p->subject_id;
	default:
		return 0;
	}
}

const char *topic_family_name(const struct topic *t)
{
	return t->kind == TOPIC_FAMILY ? families[t->family].topic : NULL;
}
