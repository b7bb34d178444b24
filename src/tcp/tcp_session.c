/*
 * tcp_session: composes the three TCP observers over one flow. The state
 * observer goes first because it alone may declare the segment the start of a
 * new connection (port reuse); the others then see only segments of this
 * connection. Called by the engine once per TCP segment.
 */
#include <config.h>

#include "tcp/tcp_session.h"

#include <string.h>

void
tcp_session_init(struct tcp_session *s, const struct tcp_cfg *cfg)
{
    (void)cfg;
    memset(s, 0, sizeof(*s));
    tcp_state_init(&s->st);
    tcp_an_init(&s->an);
    tcp_zeek_init(&s->zk);
}

enum tcp_step_result
tcp_session_step(struct tcp_session *s, struct flow *f, int dir, const struct pkt_meta *m,
                 uint64_t pkt_no, const struct tcp_cfg *cfg)
{
    if (tcp_state_step(&s->st, f, dir, m, pkt_no, cfg) == TCP_STEP_REUSE)
        return TCP_STEP_REUSE;
    tcp_an_step(&s->an, f, dir, m, pkt_no);
    tcp_zeek_step(&s->zk, dir, m);
    return TCP_STEP_OK;
}

enum flow_tclass
tcp_session_tclass(const struct tcp_session *s)
{
    return tcp_state_tclass(&s->st);
}

bool
tcp_session_check_stuck(struct tcp_session *s, const struct flow *f, uint64_t now_ns,
                        const struct tcp_cfg *cfg)
{
    return tcp_state_check_stuck(&s->st, f, now_ns, cfg);
}

void
tcp_session_summarize(const struct tcp_session *s, const struct flow *f, uint64_t now_ns,
                      struct session_summary *out)
{
    memset(out, 0, sizeof(*out));
    tcp_state_summarize(&s->st, f, now_ns, out);
    tcp_an_summarize(&s->an, f, out);
    tcp_zeek_summarize(&s->zk, f, out);
}
