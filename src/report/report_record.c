/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * report_record: a flow in the table -> the self-contained flow_record every
 * writer reads (report.h). Roles are resolved here, once: src is the client.
 * Called by whoever owns the flow's table (the engine, or a worker thread),
 * while the flow is live or inside its end callback.
 */
#include <config.h>

#include "report/report.h"

#include <string.h>

#include "flow/flow_ids.h"
#include "tcp/tcp_observer.h"

/* Suricata flow.state from our timeout class. */
static const char *
flow_state_name(const struct flow *f)
{
    switch ((enum flow_tclass)f->tclass) {
    case FLOW_TC_NEW:
        return "new";
    case FLOW_TC_ESTABLISHED:
    case FLOW_TC_CLOSING:
        return "established";
    case FLOW_TC_CLOSED:
    case FLOW_TC_COUNT:
        break;
    }
    return "closed";
}

void
report_record_build(struct flow_record *r, const struct flow *f, const struct tcp_observer *obs,
                    uint64_t now_ns, unsigned ids, const char *event, enum flow_end_reason why)
{
    int c = f->client_dir, sv = !f->client_dir;

    memset(r, 0, sizeof(*r));
    r->event = event;
    r->ip_version = f->key.ip_version;
    r->proto = f->key.proto;
    if (c == FLOW_DIR_AB) {
        r->src_ip = f->key.a;
        r->src_port = f->key.pa;
        r->dest_ip = f->key.b;
        r->dest_port = f->key.pb;
    } else {
        r->src_ip = f->key.b;
        r->src_port = f->key.pb;
        r->dest_ip = f->key.a;
        r->dest_port = f->key.pa;
    }
    memcpy(r->vlan, f->vlan, sizeof(r->vlan));
    r->vlan_count = f->vlan_count;
    r->start_ns = f->first_ts_ns;
    r->end_ns = f->last_ts_ns;
    r->now_ns = now_ns;
    r->pkts_toserver = f->pkts[c];
    r->pkts_toclient = f->pkts[sv];
    r->bytes_toserver = f->bytes[c];
    r->bytes_toclient = f->bytes[sv];
    r->ip_bytes_toserver = f->ip_bytes[c];
    r->ip_bytes_toclient = f->ip_bytes[sv];
    r->tcp_flags_ts = f->tcp_flags[c];
    r->tcp_flags_tc = f->tcp_flags[sv];
    r->reason = (uint8_t)why;
    r->flow_state = flow_state_name(f);
    r->roles_guessed = (f->flags & FLOW_F_ROLES_GUESSED) != 0;
    r->has_session = obs->summarize != NULL;
    /* Only what the writer prints: the community ID is a SHA-1 per record. */
    if (ids & REPORT_ID_FLOW_ID)
        r->flow_id = flow_id(&f->key, f->first_ts_ns);
    if (ids & REPORT_ID_UID)
        flow_uid(&f->key, f->first_ts_ns, r->uid);
    if (ids & REPORT_ID_COMMUNITY)
        flow_community_id_key(&f->key, r->community_id);
    if (r->has_session)
        obs->summarize(f, now_ns, &r->s);
}
