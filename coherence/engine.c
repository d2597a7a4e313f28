/*
 * The coherence epoch loop (see coherence.h and docs/coherence.md).
 *
 * The engine keeps one FM search (cohfm.h) over its live graph for its whole life. Traffic
 * and decay change an edge's weight through reweigh(), which updates the two ends' part
 * connections, the cut and the two nodes' gains: O(k + log n). An epoch, every step inside
 * the budget:
 *   1. count the decay periods since the last epoch (time, not events, drives decay), and
 *      sweep edges to them, at most until half the budget;
 *   2. go on with the FM pass (tentative moves, locked nodes, best prefix), leaving time to
 *      roll back the moves after the best prefix;
 *   3. roll back to the best prefix and adopt it if its gain net of migration_cost per move
 *      is positive (the gains already count the cost, so the best prefix is the best paying
 *      one); a pass that ended starts again next epoch, its nodes unlocked in budgeted steps;
 *   4. finish the sweep with the time left.
 * The work between two budget checks is at most one move (O(deg (k + log n))), 8 unlocks or
 * 8 edges of the sweep: that is the constant an epoch may pass its budget by.
 */
#include <ruvix/check.h>
#include <ruvix/coherence.h>
#include <ruvix/hal.h>
#include <ruvix/klib.h>

/* weight * COH_PER_MILLE / total without overflow for weights below 2^54. */
static u16 per_mille(u64 weight, u64 total)
{
	CHECK(weight <= total && total > 0);
	if (total > (1ull << 53)) { /* scale both down: the ratio keeps 10+ bits */
		weight >>= 11;
		total >>= 11;
		if (total == 0)
			return 0;
	}
	return (u16)(weight * COH_PER_MILLE / total);
}

/*
 * CoherenceScore(i) = 1000 * internal(i) / total(i): the share of i's traffic that stays on its
 *   own node (1000 with no traffic).
 * CutPressure(i) = 1000 * max(0, max_q into(i, q) - internal(i)) / total(i), q another part:
 *   what moving i to its best other node would take off the cut, as a share of its traffic.
 * Kept per node whenever its connections change (the FM tables have into(i, q)): O(k).
 */
static void signals(void *ctx, u32 i)
{
	struct coh_engine *e = ctx;
	const u64 *into = e->fm.conn + (u64)i * e->cfg.parts;
	u64 total = 0, own = into[e->place[i]], best = own;

	for (u32 q = 0; q < e->cfg.parts; q++) {
		total += into[q];
		if (into[q] > best)
			best = into[q];
	}
	if (total == 0) {
		e->score[i] = COH_PER_MILLE;
		e->pressure[i] = 0;
		return;
	}
	e->score[i] = per_mille(own, total);
	e->pressure[i] = per_mille(best - own, total);
}

void coh_engine_init(struct coh_engine *e, u32 n, const struct coh_config *cfg, const u8 *place)
{
	u32 size[COH_MAX_PARTS] = { 0 };

	CHECK(cfg->parts >= 1 && cfg->parts <= COH_MAX_PARTS);
	CHECK(cfg->decay_shift >= 1 && cfg->decay_shift < 64);
	CHECK(n <= COH_MAX_NODES);
	e->cfg = *cfg;
	coh_graph_init(&e->g, n);
	e->g.shift = cfg->decay_shift;
	for (u32 i = 0; i < n; i++) {
		CHECK(place[i] < cfg->parts);
		/* A start that holds more than a part's share widens it: the placement a system
		 * boots with (its manifest) is always allowed. */
		if (++size[place[i]] > e->cfg.cap[place[i]])
			e->cfg.cap[place[i]] = size[place[i]];
		e->place[i] = e->start[i] = place[i];
	}
	e->epoch = e->stale_epochs = e->migrations = 0;
	memset(e->moved_in, 0, n * sizeof(e->moved_in[0]));
	e->crossed = e->crossed_start = e->returns = 0;
	e->run_crossed = e->run_crossed_start = 0;
	e->away = 0;
	e->pull_kind = PULL_NONE;
	e->pull_seen = 0;
	e->pull_off = 0;
	e->pass_moves = 0;
	e->total = 0;
	e->job = JOB_IDLE;
	e->job_runs = e->job_adopted = 0;
	e->job_ref_cut = e->job_ref_total = 0;
	e->decay_at = hal_now_ns();
	e->sweep = 0;
	e->sweep_for = 0;
	e->swept = true;
	e->pass_done = false;
	coh_graph_view(&e->g, &e->view);
	i64 cost = cfg->migration_cost > (1ull << 60) ? 1ll << 60 : (i64)cfg->migration_cost;
	fm_init(&e->fm, &e->store, &e->view, cfg->parts, e->cfg.cap, e->place, cost);
	e->cost = cost;
	e->slack_ns = 0;
	e->pass_ended = false;
	e->rent = 0;
	e->cand_gain = 0;
	e->cand_len = 0;
	e->fm.changed = signals;
	e->fm.ctx = e;
	for (u32 i = 0; i < n; i++)
		signals(e, i);
}

/* Set edge @x's weight to @w and keep every table in step; the edge goes when w is 0. */
static void reweigh(struct coh_engine *e, u32 x, u64 w)
{
	struct coh_graph *g = &e->g;
	u32 a = g->to[2 * x + 1], b = g->to[2 * x], k = e->cfg.parts;
	u64 old = g->w[x];
	u8 pa = e->place[a], pb = e->place[b];

	g->w[x] = w;
	/* Unsigned arithmetic: old is part of both sums, so each stays >= 0. */
	e->fm.conn[(u64)a * k + pb] += w - old;
	e->fm.conn[(u64)b * k + pa] += w - old;
	if (pa != pb)
		e->fm.cut += w - old;
	e->total += w - old;
	fm_update(&e->fm, a);
	fm_update(&e->fm, b);
	if (w == 0)
		coh_graph_remove(g, x);
}

/* Bring edge @x up to the graph's decay periods. */
static void catch_up(struct coh_engine *e, u32 x)
{
	struct coh_graph *g = &e->g;
	u32 missed = g->decays - g->stamp[x];

	if (missed == 0)
		return;
	u64 w = coh_decayed(g->w[x], g->shift, missed);
	g->stamp[x] = g->decays;
	coh_work_units++;
	if (w != g->w[x])
		reweigh(e, x, w);
}

void coh_engine_traffic(struct coh_engine *e, u32 a, u32 b, u64 weight)
{
	struct coh_graph *g = &e->g;

	CHECK(a < g->n && b < g->n && a != b);
	if (e->place[a] != e->place[b]) {
		e->crossed += weight;
		e->run_crossed += weight;
	}
	if (e->start[a] != e->start[b]) {
		e->crossed_start += weight;
		e->run_crossed_start += weight;
	}
	u32 x = coh_graph_edge(g, a, b);
	if (x == COH_NIL) {
		g->dropped += weight;
		return;
	}
	catch_up(e, x); /* may remove it when it decays to 0: look it up again */
	x = coh_graph_edge(g, a, b);
	u64 w = g->w[x];
	w = weight > COH_WEIGHT_MAX - w ? COH_WEIGHT_MAX : w + weight;
	if (w != g->w[x] || w == 0)
		reweigh(e, x, w);
}

/* Passes per epoch at most: each one that moves lowers the cut, so even without a budget an
 * epoch ends; the next epoch goes on. */
#define MAX_PASSES 8

static bool past(u64 deadline)
{
	return deadline && hal_now_ns() >= deadline;
}

/* Bring edges to the current decay period, 8 between clock reads; true when all are. */
static bool sweep(struct coh_engine *e, u64 deadline)
{
	struct coh_graph *g = &e->g;

	for (;;) {
		if (e->sweep >= g->used) {
			if (e->sweep_for == g->decays) {
				e->swept = true;
				return true;
			}
			e->sweep = 0; /* periods passed since this sweep began: one more */
			e->sweep_for = g->decays;
		}
		if ((e->sweep & 7) == 0 && past(deadline))
			return false;
		u32 x = e->sweep++;
		if (g->to[2 * x] != COH_NIL)
			catch_up(e, x);
	}
}

/* Count the decay periods that hal_now_ns time has passed since the last epoch. */
static void decay_periods(struct coh_engine *e, u64 now)
{
	struct coh_graph *g = &e->g;
	u64 periods = 1;

	if (e->cfg.decay_period_ns) {
		periods = now > e->decay_at ? (now - e->decay_at) / e->cfg.decay_period_ns : 0;
		e->decay_at += periods * e->cfg.decay_period_ns;
	}
	if (periods == 0)
		return;
	/* Beyond 2^20 periods every weight is long 0 (at most 2^48, shift >= 1). A sweep
	 * under way when more periods pass goes round once more (sweep()). */
	g->decays += periods > (1u << 20) ? 1u << 20 : (u32)periods;
}

static void start_pull(struct coh_engine *e, const u8 *to, u32 off, u8 kind)
{
	e->fm.pull = to;
	e->fm.pull_bonus = 1ll << 50; /* above any cut gain (weights < 2^48, k <= 64) */
	e->pull_kind = kind;
	e->pull_off = off;
	e->pull_seen |= 1u << kind;
	e->pass_moves = 0; /* fm_refresh_all ends the pass */
	fm_refresh_all(&e->fm);
	e->pass_done = true;
}

static void end_pull(struct coh_engine *e)
{
	e->fm.pull = NULL;
	e->fm.pull_bonus = 0;
	e->pull_kind = PULL_NONE;
	e->pass_moves = 0;
	fm_refresh_all(&e->fm);
	e->pass_done = true;
}

/* Ask the caller's accept hook about the placement in force, now that the prefix of @moved
 * moves just kept (the search's log) is applied, against the placement the epoch began with
 * (the nodes in e->touched moved earlier this epoch), and the cut saved since @cut0, the cut
 * then. A caller that applies placements after the epoch compares the same two. O(n): only
 * callers that set it pay. */
static bool accepted(struct coh_engine *e, u32 moved, u32 ntouched, u64 cut0)
{
	const struct fm *f = &e->fm;
	u32 n = e->g.n;

	memcpy(e->before, e->place, n);
	for (u32 i = moved; i-- > 0;)
		e->before[f->log_v[i]] = f->log_from[i];
	for (u32 i = 0; i < ntouched; i++)
		e->before[e->touched[i]] = e->was[e->touched[i]];
	coh_work_units += n;
	return cut0 > f->cut &&
	       e->cfg.accept(e->cfg.accept_ctx, e->before, e->place, n, cut0 - f->cut);
}

/* Keep the pass's best balanced prefix by cut decrease, which did not pay for its moves, as
 * the epoch's candidate for rent if it beats the one kept. */
static void note_candidate(struct coh_engine *e)
{
	const struct fm *f = &e->fm;

	if (f->raw_len == 0 || f->raw_max <= e->cand_gain)
		return;
	e->cand_gain = f->raw_max;
	e->cand_len = f->raw_len;
}

/*
 * Ski rental (Karlin, Manasse, Rudolph and Sleator, "Competitive randomized algorithms for
 * nonuniform problems", Algorithmica 11, 1994): a move is bought once the rent paid for not
 * making it reaches its price. The decayed graph holds about 2^shift decay periods of traffic,
 * so the candidate's gain >> shift is the cut it would have saved per period; each period it
 * stays held back adds that, per move, to the rent, and the rent comes off the cost the next
 * passes charge per move. Sparse traffic, whose decayed gain never reaches the cost, is then
 * followed after cost / (gain per period) periods instead of never. The rent is what staying
 * put cost, whichever candidate was best in each period (requiring the same one each time kept
 * the Nezha replays where they were: the best candidate changes as the traffic comes and goes);
 * an adoption, a pull, a return home or a whole pass with nothing held back start it over. An
 * epoch that saw no whole pass (its slice went on unlocking, or the job held the search) keeps
 * the rent as it is: with a tight budget such epochs used to wipe it out.
 */
static void pay_rent(struct coh_engine *e, u32 periods, bool adopted)
{
	if (adopted || e->pull_kind != PULL_NONE || (e->cand_gain <= 0 && e->pass_ended)) {
		e->rent = 0;
	} else if (e->cand_gain > 0 && periods) {
		unsigned __int128 r =
			(unsigned __int128)((u64)e->cand_gain / e->cand_len) * periods;
		r >>= e->g.shift;
		u64 add = r > (1ull << 60) ? 1ull << 60 : (u64)r;
		e->rent = e->rent + add > (1ull << 60) ? 1ull << 60 : e->rent + add;
	}
	e->fm.cost = (u64)e->cost > e->rent ? e->cost - (i64)e->rent : 0;
	e->cand_gain = 0;
	e->cand_len = 0;
	e->pass_ended = false;
}

/* The FM search until it ends, finds nothing, or the deadline nears; the moves it adopts are
 * noted in e->touched. True when the deadline stopped it. */
static bool search(struct coh_engine *e, struct coh_epoch_report *rep, u64 deadline, u32 *ntouched)
{
	struct fm *f = &e->fm;

	f->deadline = deadline;
	f->out_of_time = false;
	for (u32 passes = 0; passes < MAX_PASSES; passes++) {
		/* A pass begun in an earlier epoch has rolled back what it saw then: only one begun
		 * here and run to its end says "nothing to hold back" (pay_rent). */
		bool whole = e->pass_done;
		if (e->pass_done) {
			if (!fm_unlock(f, deadline))
				return true;
			e->pass_done = false;
		}
		enum fm_end end = fm_run(f);
		i64 net = f->best;
		u32 moved = f->best_len;
		if (net <= 0 && f->raw_max > 0) {
			rep->held_back = true;
			note_candidate(e);
		}
		if (end == FM_PASS_DONE && whole)
			e->pass_ended = true; /* a whole pass looked: pay_rent may trust a miss */
		CHECK(moved == 0 || net > 0);
		fm_rollback(f); /* keeps the best prefix, which pays: net > 0 or no moves */
		if (moved && !f->pull && e->cfg.accept &&
		    !accepted(e, moved, *ntouched, rep->cut_before)) {
			for (u32 i = moved; i-- > 0;) /* the caller said no: undo the prefix */
				fm_move(f, f->log_v[i], f->log_from[i]);
			rep->held_back = true;
			moved = 0;
		}
		for (u32 i = 0; i < moved; i++) { /* the prefix kept: note where its nodes were */
			u32 v = f->log_v[i];
			if (e->moved_in[v] != e->epoch + 1) {
				e->moved_in[v] = e->epoch + 1;
				e->was[v] = f->log_from[i];
				e->touched[(*ntouched)++] = v;
			}
		}
		for (u32 i = 0; i < moved; i++) {
			u32 v = f->log_v[i], from = f->log_from[i];
			e->away += e->place[v] != e->start[v];
			e->away -= from != e->start[v];
			if (f->pull) {
				e->pull_off += e->place[v] != f->pull[v];
				e->pull_off -= from != f->pull[v];
			}
		}
		/* A pass may span epochs: what it did counts over all of them. */
		e->pass_moves += moved;
		if (end == FM_OUT_OF_TIME)
			return true;
		u32 pass_moves = e->pass_moves;
		e->pass_moves = 0;
		fm_new_pass(f);
		e->pass_done = true;
		if (pass_moves == 0) {
			if (f->pull && e->pull_kind == PULL_TARGET)
				end_pull(
					e); /* the target cannot be reached from here: give it up */
			break;		    /* a whole pass found nothing: wait for new traffic */
		}
	}
	return false;
}

/* Part names are arbitrary in the job's result: rename them to keep as many partitions in
 * place as the capacities allow. Exhaustive up to 6 parts (720 renamings), greedy beyond. */
#define RENAME_EXACT 6

static void rename_search(struct coh_engine *e, u32 p, u32 keep, u8 *perm, bool *used)
{
	u32 k = e->cfg.parts;
	if (p == k) {
		if (keep > e->rn_keep) {
			e->rn_keep = keep;
			memcpy(e->rn_best, perm, k);
		}
		return;
	}
	for (u32 q = 0; q < k; q++) {
		if (used[q] || e->rn_size[p] > e->cfg.cap[q])
			continue;
		used[q] = true;
		perm[p] = (u8)q;
		rename_search(e, p + 1, keep + e->overlap[p][q], perm, used);
		used[q] = false;
	}
}

static void rename_parts(struct coh_engine *e)
{
	u32 k = e->cfg.parts;
	u8 perm[COH_MAX_PARTS];
	bool used[COH_MAX_PARTS] = { false };

	e->rn_keep = 0;
	for (u32 p = 0; p < k; p++) {
		e->rn_best[p] = (u8)p; /* the identity is always allowed */
		e->rn_keep += e->overlap[p][p];
	}
	if (k <= RENAME_EXACT) {
		rename_search(e, 0, 0, perm, used);
		return;
	}
	bool named[COH_MAX_PARTS] = { false };
	u32 keep = 0;
	for (u32 done = 0; done < k; done++) {
		u32 bp = 0, bq = 0;
		bool found = false;
		for (u32 p = 0; p < k; p++)
			for (u32 q = 0; q < k; q++)
				if (!named[p] && !used[q] && e->rn_size[p] <= e->cfg.cap[q] &&
				    (!found || e->overlap[p][q] > e->overlap[bp][bq]))
					bp = p, bq = q, found = true;
		if (!found)
			return; /* no full renaming fits this way: keep the identity */
		named[bp] = used[bq] = true;
		perm[bp] = (u8)bq;
		keep += e->overlap[bp][bq];
	}
	if (keep > e->rn_keep) {
		e->rn_keep = keep;
		memcpy(e->rn_best, perm, k);
	}
}

/* gain > moved * cost, without the product overflowing. */
static bool pays(u64 gain, u32 moved, u64 cost)
{
	return moved == 0 ? gain > 0
			  : gain / moved > cost || (gain / moved == cost && gain % moved);
}

/*
 * The multilevel job (cohml.h) for cold starts and large changes, in budgeted steps: run it,
 * then compare its placement with the one in force on the job's snapshot (both cuts and the
 * part overlap, 16 nodes between clock reads), rename its parts, and if it pays for its moves,
 * pull the partitions to it through ordinary FM passes.
 */
static void job_step(struct coh_engine *e, u64 deadline)
{
	struct coh_ml *m = &e->ml;
	const struct coh_view *s = &m->lv[0].v;
	u32 n = e->g.n;

	if (e->job == JOB_RUN) {
		enum coh_ml_status st = coh_ml_run(m, deadline);
		if (st == COH_ML_PENDING)
			return;
		if (st == COH_ML_FAILED) {
			e->job = JOB_IDLE;
			return;
		}
		e->job = JOB_EVAL;
		e->job_pos = 0;
		e->job_cut_new = e->job_cut_now = 0;
		memset(e->overlap, 0, sizeof(e->overlap));
		memset(e->rn_size, 0, sizeof(e->rn_size));
	}
	if (e->job == JOB_EVAL) {
		const u8 *cand = m->result;
		while (e->job_pos < n) {
			if (deadline && (e->job_pos & 15) == 0 && hal_now_ns() >= deadline)
				return;
			u32 v = e->job_pos++;
			e->overlap[cand[v]][e->place[v]]++;
			e->rn_size[cand[v]]++;
			for (u32 h = s->head[v]; h != COH_NIL; h = s->next[h]) {
				u32 u = s->to[h];
				e->job_cut_new += cand[u] != cand[v] ? s->w[h] : 0;
				e->job_cut_now += e->place[u] != e->place[v] ? s->w[h] : 0;
				coh_work_units++;
			}
		}
		rename_parts(e);
		u32 moved = n - e->rn_keep;
		u64 now = e->job_cut_now / 2, cand_cut = e->job_cut_new / 2;
		e->job = JOB_IDLE;
		e->job_ref_cut = e->fm.cut;
		e->job_ref_total = e->total;
		if (moved == 0 || cand_cut >= now || !pays(now - cand_cut, moved, (u64)e->cost))
			return;
		e->job = JOB_TARGET;
		e->job_pos = 0;
		e->pull_off = 0;
	}
	if (e->job == JOB_TARGET) {
		while (e->job_pos < n) {
			if (deadline && (e->job_pos & 15) == 0 && hal_now_ns() >= deadline)
				return;
			u32 v = e->job_pos++;
			e->target[v] = e->rn_best[m->result[v]];
			e->pull_off += e->target[v] != e->place[v];
		}
		e->job = JOB_IDLE;
		u64 gain = e->job_cut_now / 2 - e->job_cut_new / 2;
		if (e->cfg.accept &&
		    !e->cfg.accept(e->cfg.accept_ctx, e->place, e->target, n, gain))
			return; /* the caller said no */
		e->job_adopted++;
		start_pull(e, e->target, e->pull_off, PULL_TARGET);
	}
}

/* Start the job on a cold start, and when the cut's share of all traffic has grown by half
 * (and 5 points) since the last one decided: a large change. */
static bool job_due(const struct coh_engine *e)
{
	if (e->job != JOB_IDLE || e->pull_kind != PULL_NONE || e->g.edges == 0 ||
	    e->cfg.parts < 2 || e->g.n <= e->cfg.parts)
		return false;
	if (e->job_runs == 0)
		return true;
	/* The graph has more than doubled since the last job saw it (a run's ramp-up). */
	if (e->total / 2 > e->job_ref_total)
		return true;
	/* cut / total > (1.5 ref_cut / ref_total) + 1/20, in integers */
	unsigned __int128 lhs = (unsigned __int128)e->fm.cut * e->job_ref_total * 20;
	unsigned __int128 rhs = (unsigned __int128)e->job_ref_cut * e->total * 30 +
				(unsigned __int128)e->total * e->job_ref_total;
	return e->total > 0 && lhs > rhs;
}

void coh_engine_epoch(struct coh_engine *e, struct coh_epoch_report *rep)
{
	u64 start = hal_now_ns(), work = coh_work_units;
	/* Plan to stop the slack early: the most an epoch has run past its plan so far (the
	 * DC-2 constant on this machine, learned), so epochs end within the budget itself. */
	u64 budget = e->cfg.budget_ns;
	u64 plan = budget - (e->slack_ns < budget / 8 ? e->slack_ns : budget / 8);
	u64 deadline = !budget ? 0 : plan > ~0ull - start ? ~0ull : start + plan;
	struct fm *f = &e->fm;
	bool out = false;
	u32 ntouched = 0;

	memset(rep, 0, sizeof(*rep));
	rep->cut_before = f->cut;
	rep->move_cost = (u64)f->cost;
	/* Traffic counts in full in the epoch it came in, then ages: the search first, then the
	 * decay periods that passed. With a sweep due, or a job under way, the budget is shared:
	 * the search, the job and the sweep each get their slice (a third, or a half). */
	u32 before = e->g.decays;
	decay_periods(e, start);
	u32 periods = e->g.decays - before;
	e->g.decays = before;
	bool sweep_due = e->g.edges > 0 && (periods > 0 || !e->swept);
	if (e->pull_kind != PULL_HOME && e->away && e->crossed > e->crossed_start) {
		/* Behind staying put: pull every partition home through ordinary passes. */
		e->returns++;
		e->job = JOB_IDLE; /* a job's result is not wanted now */
		start_pull(e, e->start, e->away, PULL_HOME);
	}
	/* A pull that ends during the epoch (reached, or given up in search()), or starts and
	 * ends in it, still explains a cut that rose on the way: note every kind in force. */
	e->pull_seen = (u8)(1u << e->pull_kind);
	if (job_due(e)) {
		coh_ml_start(&e->ml, &e->g, e->cfg.parts, e->cfg.cap);
		e->job = JOB_RUN;
		e->job_runs++;
	}
	u32 slices = 1 + (e->job != JOB_IDLE) + sweep_due;
	u64 slice = plan / slices;
	u64 search_end = !budget ? 0 : start + slice;
	/* The placement stays still while the job compares against it. */
	if (e->job == JOB_IDLE || e->job == JOB_RUN)
		out = search(e, rep, search_end, &ntouched);
	if (e->job != JOB_IDLE) {
		u64 job_end = !budget ? 0 : sweep_due ? start + 2 * slice : deadline;
		job_step(e, job_end);
		out = out || e->job != JOB_IDLE;
		/* The job decided with time left in its slice: the search goes on in that time
		 * (towards the job's placement when it started a pull), not next epoch. */
		if (e->job == JOB_IDLE && !past(job_end))
			out = search(e, rep, job_end, &ntouched); /* where the search stands now */
	}
	/* A node may move in one pass and back in the next: count the ones that changed. */
	for (u32 i = 0; i < ntouched; i++)
		rep->moved += e->place[e->touched[i]] != e->was[e->touched[i]];
	if (ntouched)
		rep->held_back = false;
	e->migrations += rep->moved;
	rep->cut_after = f->cut;
	pay_rent(e, periods, ntouched > 0);
	rep->returning = (e->pull_seen >> PULL_HOME) & 1;
	rep->pulling = (e->pull_seen >> PULL_TARGET) & 1;
	if (e->pull_kind == PULL_HOME && e->away == 0) {
		/* Home: a new window, and moves must now win eight times as much to be made: each
		 * lost window prices noise out three times as fast as doubling did, and rent brings
		 * the cost down again where a better placement keeps being held back
		 * (docs/coherence.md, "Never worse"). */
		end_pull(e);
		e->cost = e->cost > (1ll << 57) ? 1ll << 60 : e->cost ? 8 * e->cost : 1;
		f->cost = e->cost;
		e->rent = 0;
		e->crossed = e->crossed_start = 0;
	} else if (e->pull_kind == PULL_TARGET && e->pull_off == 0) {
		end_pull(e);
	}
	e->g.decays += periods;
	if (periods && e->swept) {
		e->sweep = 0;
		e->sweep_for = e->g.decays;
		e->swept = false;
	}
	rep->decay_pending = !sweep(e, deadline);
	rep->out_of_budget = out;
	rep->stale = out && ntouched == 0; /* the search ran out of time, found nothing yet */
	e->stale_epochs += rep->stale;
	e->epoch++;
	rep->elapsed_ns = hal_now_ns() - start;
	if (budget && rep->elapsed_ns > plan && rep->elapsed_ns - plan > e->slack_ns)
		e->slack_ns =
			rep->elapsed_ns - plan > budget / 8 ? budget / 8 : rep->elapsed_ns - plan;
	rep->work = coh_work_units - work;
	/* Going home or to the job's placement may raise the cut on the way. */
	CHECK(rep->returning || rep->pulling || rep->cut_after <= rep->cut_before);
}
