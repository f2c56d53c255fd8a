#include "plan.h"

/* The delay leaf fF starts with, if any: fF itself or the first child of a series. */
static adac_node *loop_head_delay(adac_node *ff)
{
    adac_node *head = ff->type == ADAC_NODE_SERIES ? ff->children[0] : ff;
    if (head->type != ADAC_NODE_DELAY && head->type != ADAC_NODE_PARALLEL_DELAY) return NULL;
    return head->min_latency >= 1 ? head : NULL;
}

static void assign(adac_node *n, int64_t k, adac_plan_policy policy)
{
    /* Invariant: k <= n->min_latency. */
    n->advance = k;
    n->post_delay = 0;
    n->loop_len = 0;
    switch (n->type) {
    case ADAC_NODE_DELAY:
    case ADAC_NODE_PARALLEL_DELAY:
    case ADAC_NODE_FIR:
    case ADAC_NODE_PARALLEL_FIR:
        return; /* every tap is shortened by k, and stays >= 0 */
    case ADAC_NODE_GAIN:
    case ADAC_NODE_PARALLEL_GAIN:
    case ADAC_NODE_SOS:
    case ADAC_NODE_PARALLEL_SOS:
        n->advance = 0;
        n->post_delay = -k; /* k <= 0 here */
        return;
    case ADAC_NODE_SHELL:
        n->advance = 0;
        assign(n->children[0], k, policy);
        return;
    case ADAC_NODE_PARALLEL:
        n->advance = 0;
        assign(n->children[0], k, policy);
        assign(n->children[1], k, policy);
        return;
    case ADAC_NODE_SERIES: {
        n->advance = 0;
        if (k <= 0) {
            /* Extra delay: give it to a delay leaf if there is one, else the last child. */
            int target = n->n_children - 1;
            for (int i = n->n_children - 1; i >= 0; i--)
                if (adac_node_has_taps(n->children[i])) {
                    target = i;
                    break;
                }
            for (int i = 0; i < n->n_children; i++)
                assign(n->children[i], i == target ? k : 0, policy);
            return;
        }
        int64_t left = k;
        for (int i = 0; i < n->n_children; i++) {
            adac_node *c = n->children[i];
            int64_t take = left < c->min_latency ? left : c->min_latency;
            assign(c, take, policy);
            left -= take;
        }
        return;
    }
    case ADAC_NODE_RECURSION: {
        adac_node *ff = n->children[0], *fb = n->children[1];
        int64_t a, b;
        n->delay_headed = 0;
        adac_node *head = loop_head_delay(ff);
        if (policy == ADAC_PLAN_LONGEST_LOOP && k == 0 && head) {
            n->advance = 0;
            n->delay_headed = 1;
            n->loop_len = head->min_latency;
            assign(ff, 0, policy);
            assign(fb, 0, policy);
            return;
        }
        if (policy == ADAC_PLAN_LONGEST_LOOP) {
            a = ff->min_latency;
            b = fb->min_latency;
        } else {
            /* loop_len 1: a + b = 1, a >= k so the output needs no advance beyond a,
             * b <= minlat(fB). Take as little from fF as possible. */
            a = 1 - fb->min_latency;
            if (a < k) a = k;
            b = 1 - a;
        }
        n->advance = 0;
        n->loop_len = a + b;
        n->post_delay = a - k;
        assign(ff, a, policy);
        assign(fb, b, policy);
        return;
    }
    }
}

void adac_plan(adac_graph *g, adac_plan_policy policy)
{
    assign(g->root, 0, policy);
}
