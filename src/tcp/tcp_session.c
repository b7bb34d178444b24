/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp_session: composes the three TCP observers over one flow. The state
 * observer goes first because it alone may declare the segment the start of a
 * new connection (port reuse); the others then see only segments of this
 * connection. Called by the engine once per TCP segment.
 */
#include <config.h>

#include "tcp/tcp_session.h"

#include "tcp/tcp_observer.h"

#include <string.h>

_Static_assert(sizeof(struct tcp_session) == 912,
               "the session size is visible in the output (stats flowstate.flow.slot_bytes)");
_Static_assert(offsetof(struct tcp_session, st_cold) == 296, "hot parts: 296 bytes");

/*
 * s arrives zeroed (tcp_session.h), so only the fields whose "nothing seen"
 * value is not 0 are written: the same result as the three observers' init
 * functions (which memset their parts first), without writing 912 bytes a
 * second time per connection. check_tcp_state.c compares the two.
 */
void
tcp_session_init(struct tcp_session *s, const struct tcp_cfg *cfg)
{
    (void)cfg;
    tcp_state_init_zeroed(&s->st);
    tcp_an_init_zeroed(&s->an);
}

enum tcp_step_result
tcp_session_step(struct tcp_session *s, struct flow *f, int dir, const struct pkt_meta *m,
                 uint64_t pkt_no, const struct tcp_cfg *cfg)
{
    if (tcp_state_step(&s->st, &s->st_cold, f, dir, m, pkt_no, cfg) == TCP_STEP_REUSE)
        return TCP_STEP_REUSE;
    tcp_an_step(&s->an, &s->an_cold, f, dir, m, pkt_no);
    tcp_zeek_step(&s->zk, &s->zk_cold, dir, m);
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
    return tcp_state_check_stuck(&s->st, &s->st_cold, f, now_ns, cfg);
}

void
tcp_session_summarize(const struct tcp_session *s, const struct flow *f, uint64_t now_ns,
                      struct session_summary *out)
{
    memset(out, 0, sizeof(*out));
    tcp_state_summarize(&s->st, &s->st_cold, f, now_ns, out);
    tcp_an_summarize(&s->an, &s->an_cold, f, out);
    tcp_zeek_summarize(&s->zk, &s->zk_cold, f, out);
}

/* ---- the observer ops (tcp_observer.h) ---------------------------------------- */

static void
obs_init(struct flow *f, int dir, const struct pkt_meta *m, const struct tcp_cfg *cfg)
{
    (void)dir;
    (void)m;
    tcp_session_init(flow_ext(f), cfg);
}

static enum tcp_step_result
obs_step(struct flow *f, int dir, const struct pkt_meta *m, uint64_t pkt_no,
         const struct tcp_cfg *cfg)
{
    return tcp_session_step(flow_ext(f), f, dir, m, pkt_no, cfg);
}

static enum flow_tclass
obs_tclass(const struct flow *f)
{
    return tcp_session_tclass(flow_ext_const(f));
}

static void
obs_mark_loss(struct flow *f)
{
    struct tcp_session *s = flow_ext(f);

    tcp_state_mark_loss(&s->st);
}

static bool
obs_check_stuck(struct flow *f, uint64_t now_ns, const struct tcp_cfg *cfg)
{
    return tcp_session_check_stuck(flow_ext(f), f, now_ns, cfg);
}

static void
obs_summarize(const struct flow *f, uint64_t now_ns, struct session_summary *out)
{
    tcp_session_summarize(flow_ext_const(f), f, now_ns, out);
}

const struct tcp_observer tcp_session_observer = {
    .name = "session",
    .ext_size = sizeof(struct tcp_session),
    .ext_cold_off = TCP_SESSION_COLD_OFF,
    .ext_cold_len = TCP_SESSION_COLD_LEN,
    .init = obs_init,
    .step = obs_step,
    .tclass = obs_tclass,
    .check_stuck = obs_check_stuck,
    .mark_loss = obs_mark_loss,
    .summarize = obs_summarize,
};
