/* deploy_event: the typed body of the deployment events ("deployment.*"), added by deployment.c,
 * rendered by the protocol layer. Never a name, a phone or a reply's text: events reach everyone
 * in the département (observers: not those about a volunteer). */
#ifndef RENFORT_DEPLOY_EVENT_H
#define RENFORT_DEPLOY_EVENT_H

enum deploy_event_kind {
	DEV_REQUEST,    /* deployment.requested, deployment.request_updated: the request's progress */
	DEV_WAVE,       /* deployment.wave_started */
	DEV_CALL,       /* deployment.called, deployment.call_updated */
	DEV_REPLY,      /* deployment.replied */
	DEV_ASSIGNMENT, /* deployment.assigned, deployment.unassigned */
	DEV_ESCALATION, /* deployment.escalated */
};

struct deploy_event {
	int kind;                 /* enum deploy_event_kind */
	long long request_id, structure_id;
	/* the request as it stands */
	char status[12];
	char urgency[12];
	int count, filled, open_calls, called, wave;
	long long starts_at, deadline;
	/* a wave */
	int wave_calls, extra_radius_km;
	/* a call */
	long long call_id, volunteer_id, expires_at;
	char call_status[12];
	char code[8];
	int rank, distance_m;
	/* a reply */
	char source[4];           /* sms, web */
	char verb[12];
	char result[24];
	/* an escalation */
	long long alert_id;
	char reason[16];          /* nobody_left, deadline */
	int missing;
};

#endif
