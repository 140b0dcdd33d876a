"""Adaptive large-neighbourhood search for visits with windows, skills and paired visits.

Why a search of our own rather than a generic routing library: paired visits make every run
depend on others (two staff must meet, or keep a lag), and lateness is priced rather than
forbidden (including the single latest visit). PyVRP cannot express either; a plain OR-Tools
routing model was measured far from the targets and left visits out (ADR 0016). Here pairs
are inserted deliberately: both halves are placed together, on two different qualified staff,
with the start times that the two arrivals allow; the rest is routed around them, and the
whole day is rescheduled exactly after every change.

A solution is one ordered run per staff member. Given the runs, the earliest start times are
optimal (every rule is a "no earlier than" bound and lateness only grows with time), so the
search is over runs only; `_schedule` computes the times exactly, `_best_insertion` estimates
the cost of placing a visit from the current times of the run it joins.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass

from .model import Plan, Problem, Stop

INF = math.inf


@dataclass
class _State:
    routes: list[list[int]]
    objective: float
    start: list[float]
    tmax: float


_Sched = tuple[float, list[float], float]  # objective, start of each task, worst lateness


class Solver:
    """Plans a day. `solve(seconds)` returns the best plan found within the time."""

    def __init__(self, problem: Problem, seed: int = 0) -> None:
        self.problem = problem
        self.rng = random.Random(seed)  # noqa: S311 - search randomness, not security
        w = problem.weights
        self.wd, self.wt, self.wm = w.distance, w.total_tardiness, w.max_tardiness
        self.wo = w.overtime
        staff = problem.staff
        self.K = len(staff)
        self.sp = [s.start_place for s in staff]
        self.ep = [s.end_place for s in staff]
        self.ss = [s.shift_start for s in staff]
        self.se = [s.shift_end for s in staff]
        self.TT = problem.travel_time
        self.D = problem.distance

        # One task per service of a visit; a paired visit is two tasks that know each other.
        self.place: list[int] = []
        self.e: list[float] = []
        self.l: list[float] = []
        self.dur: list[list[float]] = []
        self.qual: list[list[int]] = []
        self.partner: list[int] = []
        self.first: list[bool] = []
        self.mn: list[float] = []
        self.mx: list[float] = []
        self.task_of: list[tuple[int, int]] = []  # (visit, service index)
        self.jobs: list[tuple[int, ...]] = []
        for j, visit in enumerate(problem.visits):
            ids = []
            for si, service in enumerate(visit.services):
                t = len(self.place)
                ids.append(t)
                qualified = problem.qualified(service)
                if not qualified:
                    raise ValueError(
                        f"visit {visit.label or j}: nobody is qualified for skill {service.skill}"
                    )
                self.place.append(visit.place)
                self.e.append(visit.window_open)
                self.l.append(visit.window_close)
                self.dur.append(
                    [service.duration_for(k) if k in qualified else INF for k in range(self.K)]
                )
                self.qual.append(qualified)
                self.first.append(si == 0)
                self.mn.append(visit.min_lag)
                self.mx.append(visit.max_lag)
                self.task_of.append((j, si))
                self.partner.append(-1)
            if len(ids) == 2:
                a, b = ids
                self.partner[a], self.partner[b] = b, a
                if not any(x != y for x in self.qual[a] for y in self.qual[b]):
                    raise ValueError(
                        f"visit {visit.label or j}: needs two different qualified staff"
                    )
            self.jobs.append(tuple(ids))
        self.n = len(self.place)
        self.job_of = [0] * self.n
        for j, job in enumerate(self.jobs):
            for t in job:
                self.job_of[t] = j
        self.pref = [
            [
                problem.weights.preference * staff[k].visit_cost.get(self.task_of[t][0], 0.0)
                for t in range(self.n)
            ]
            for k in range(self.K)
        ]
        # Jobs close in place and time are removed together by the related-removal operator.
        self._related: list[list[int]] | None = None

    # ------------------------------------------------------------------ exact schedule

    def _schedule(self, routes: list[list[int]]) -> _Sched | None:
        """Earliest start of every routed task; (objective, starts, max tardiness) or None on deadlock."""
        TT, D, place, e, dur = self.TT, self.D, self.place, self.e, self.dur
        partner, first, mn, mx = self.partner, self.first, self.mn, self.mx
        n = self.n
        start = [0.0] * n
        arrival = [-1.0] * n
        owner = [-1] * n
        K = self.K
        for k in range(K):
            for t in routes[k]:
                owner[t] = k
        ptr = [0] * K
        ready = list(self.ss)
        at = list(self.sp)
        stack = [k for k in range(K) if routes[k]]
        while stack:
            k = stack.pop()
            r = routes[k]
            i, rd, pl = ptr[k], ready[k], at[k]
            m = len(r)
            while i < m:
                t = r[i]
                pt = place[t]
                a = rd + TT[pl][pt]
                q = partner[t]
                if q < 0:
                    s = a if a > e[t] else e[t]
                    start[t] = s
                    rd = s + dur[t][k]
                    pl = pt
                    i += 1
                    continue
                aq = arrival[q]
                if aq < 0.0:
                    arrival[t] = a  # wait here for the partner's staff
                    break
                et = e[t]
                if first[t]:
                    b1 = a if a > et else et
                    b2 = aq if aq > et else et
                else:
                    b1 = aq if aq > et else et
                    b2 = a if a > et else et
                t1 = b2 - mx[t]
                if t1 < b1:
                    t1 = b1
                t2 = t1 + mn[t]
                if t2 < b2:
                    t2 = b2
                st, sq = (t1, t2) if first[t] else (t2, t1)
                start[t] = st
                start[q] = sq
                rd = st + dur[t][k]
                pl = pt
                i += 1
                kq = owner[q]
                ptr[kq] += 1
                ready[kq] = sq + dur[q][kq]
                at[kq] = place[q]
                stack.append(kq)
            ptr[k], ready[k], at[k] = i, rd, pl
        dist = 0.0
        over = 0.0
        tard = 0.0
        tmax = 0.0
        pref = 0.0
        lt = self.l
        for k in range(K):
            r = routes[k]
            if ptr[k] != len(r):
                return None
            if not r:
                continue
            pl = self.sp[k]
            for t in r:
                pt = place[t]
                dist += D[pl][pt]
                pl = pt
                late = start[t] - lt[t]
                if late > 0.0:
                    tard += late
                    if late > tmax:
                        tmax = late
                pref += self.pref[k][t]
            dist += D[pl][self.ep[k]]
            back = ready[k] + TT[pl][self.ep[k]]
            if back > self.se[k]:
                over += back - self.se[k]
        obj = self.wd * dist + self.wt * tard + self.wm * tmax + self.wo * over + pref
        return obj, start, tmax

    # ------------------------------------------------------------------ insertion estimates

    def _push(
        self, r: list[int], p: int, k: int, f: float, pl: int, start: list[float]
    ) -> tuple[float, float, float]:
        """Extra tardiness, worst lateness and overtime when the task before r[p] now ends at f."""
        TT, place, due, dur, partner = self.TT, self.place, self.l, self.dur, self.partner
        extra = 0.0
        worst = -INF
        m = len(r)
        while p < m:
            u = r[p]
            pu = place[u]
            a = f + TT[pl][pu]
            su = start[u]
            if a <= su:
                return extra, worst, 0.0
            new = a - due[u]
            if new > 0.0:
                old = su - due[u]
                d = new - old if old > 0.0 else new
                # A paired task pushed drags its partner (exactly so when they arrive together).
                extra += d + d if partner[u] >= 0 else d
                if new > worst:
                    worst = new
            f = a + dur[u][k]
            pl = pu
            p += 1
        back = f + TT[pl][self.ep[k]]
        return extra, worst, (back - self.se[k] if back > self.se[k] else 0.0)

    def _positions(
        self, t: int, routes: list[list[int]], start: list[float]
    ) -> list[tuple[float, int, int, float]]:
        """Every place task t could go: (travel and preference cost, staff k, position p, arrival)."""
        TT, D, place, dur = self.TT, self.D, self.place, self.dur
        pt = place[t]
        out = []
        for k in self.qual[t]:
            r = routes[k]
            pl = self.sp[k]
            dep = self.ss[k]
            end = self.ep[k]
            pk = self.pref[k][t]
            m = len(r)
            for p in range(m + 1):
                nxt = place[r[p]] if p < m else end
                dd = D[pl][pt] + D[pt][nxt] - D[pl][nxt]
                out.append((self.wd * dd + pk, k, p, dep + TT[pl][pt]))
                if p < m:
                    u = r[p]
                    dep = start[u] + dur[u][k]
                    pl = place[u]
        return out

    def _best_insertion(
        self,
        job: tuple[int, ...],
        routes: list[list[int]],
        start: list[float],
        tmax: float,
        noise: float,
    ) -> list[tuple[float, int, int, int, int]]:
        """Candidate placements, cheapest first: (cost, k1, p1, k2, p2) (k2 = -1 for one-staff visits)."""
        rng = self.rng
        wt, wm, wo = self.wt, self.wm, self.wo
        t = job[0]
        if len(job) == 1:
            e, due = self.e[t], self.l[t]
            cands = []
            for base, k, p, a in self._positions(t, routes, start):
                s = a if a > e else e
                f = s + self.dur[t][k]
                extra, worst, over = self._push(routes[k], p, k, f, self.place[t], start)
                late = s - due
                if late > worst:
                    worst = late
                c = base + wt * (extra + (late if late > 0.0 else 0.0)) + wo * over
                if worst > tmax:
                    c += wm * (worst - tmax)
                if noise:
                    c *= 1.0 + noise * (rng.random() - 0.5)
                cands.append((c, k, p, -1, -1))
            cands.sort()
            return cands

        # A paired visit: score each half alone, then combine the most promising halves.
        ta, tb = (job[0], job[1]) if self.first[job[0]] else (job[1], job[0])
        e, due, lo, hi = self.e[ta], self.l[ta], self.mn[ta], self.mx[ta]
        halves = []
        for t in (ta, tb):
            scored = []
            for base, k, p, a in self._positions(t, routes, start):
                s = a if a > e else e
                extra, worst, over = self._push(
                    routes[k], p, k, s + self.dur[t][k], self.place[t], start
                )
                late = s - due
                solo = base + wt * (extra + (late if late > 0.0 else 0.0)) + wo * over
                scored.append((solo, k, p, a, base))
            scored.sort()
            halves.append(scored[:10])
        cands = []
        for _, k1, p1, a1, base1 in halves[0]:
            b1 = a1 if a1 > e else e
            for _, k2, p2, a2, base2 in halves[1]:
                if k1 == k2:
                    continue
                b2 = a2 if a2 > e else e
                t1 = b2 - hi
                if t1 < b1:
                    t1 = b1
                t2 = t1 + lo
                if t2 < b2:
                    t2 = b2
                x1, w1, o1 = self._push(
                    routes[k1], p1, k1, t1 + self.dur[ta][k1], self.place[ta], start
                )
                x2, w2, o2 = self._push(
                    routes[k2], p2, k2, t2 + self.dur[tb][k2], self.place[tb], start
                )
                late1, late2 = t1 - due, t2 - due
                worst = max(w1, w2, late1, late2)
                c = (
                    base1
                    + base2
                    + wt * (x1 + x2 + max(late1, 0.0) + max(late2, 0.0))
                    + wo * (o1 + o2)
                )
                if worst > tmax:
                    c += wm * (worst - tmax)
                if noise:
                    c *= 1.0 + noise * (rng.random() - 0.5)
                cands.append((c, k1, p1, k2, p2))
        cands.sort()
        return cands

    def _insert(
        self, job: tuple[int, ...], routes: list[list[int]], sched: _Sched, noise: float
    ) -> _Sched:
        """Insert one job where it costs least; returns the exact schedule afterwards."""
        _, start, tmax = sched
        cands = self._best_insertion(job, routes, start, tmax, noise)
        for _, k1, p1, k2, p2 in cands[:8]:
            routes[k1].insert(p1, job[0] if k2 < 0 or self.first[job[0]] else job[1])
            if k2 >= 0:
                routes[k2].insert(p2, job[1] if self.first[job[0]] else job[0])
            after = self._schedule(routes)
            if after is not None:
                return after
            routes[k1].pop(p1)
            if k2 >= 0:
                routes[k2].pop(p2)
        # Appending both halves last can never deadlock: nothing follows them.
        ta, tb = (job[0], job[1]) if self.first[job[0]] else (job[1], job[0])
        k1, k2 = min(
            ((x, y) for x in self.qual[ta] for y in self.qual[tb] if x != y),
            key=lambda pair: len(routes[pair[0]]) + len(routes[pair[1]]),
        )
        routes[k1].append(ta)
        routes[k2].append(tb)
        after = self._schedule(routes)
        assert after is not None
        return after

    # ------------------------------------------------------------------ destroy operators

    def _related_lists(self) -> list[list[int]]:
        if self._related is None:
            jobs = self.jobs
            dist = self.D
            rel = []
            for a in range(len(jobs)):
                ta = jobs[a][0]
                scores = sorted(
                    range(len(jobs)),
                    key=lambda b: (
                        dist[self.place[ta]][self.place[jobs[b][0]]]
                        + abs(self.e[ta] - self.e[jobs[b][0]])
                    ),
                )
                rel.append(scores)
            self._related = rel
        return self._related

    def _destroy(self, routes: list[list[int]], start: list[float], q: int, op: int) -> list[int]:
        rng = self.rng
        nj = len(self.jobs)
        job_of = self.job_of
        chosen: set[int] = set()
        if op == 0:  # random
            chosen.update(rng.sample(range(nj), q))
        elif op == 1:  # related: near in place and window to a random visit
            rel = self._related_lists()[rng.randrange(nj)]
            i = 0
            while len(chosen) < q and i < nj:
                if rng.random() < 0.8:
                    chosen.add(rel[i])
                i += 1
        elif op == 2:  # worst: the latest and the longest detours
            cost = []
            for k, r in enumerate(routes):
                pl = self.sp[k]
                for i, t in enumerate(r):
                    nxt = self.place[r[i + 1]] if i + 1 < len(r) else self.ep[k]
                    pt = self.place[t]
                    gain = self.D[pl][pt] + self.D[pt][nxt] - self.D[pl][nxt]
                    late = start[t] - self.l[t]
                    cost.append((self.wd * gain + (self.wt + self.wm) * max(late, 0.0), job_of[t]))
                    pl = pt
            cost.sort(reverse=True)
            while len(chosen) < q and cost:
                idx = int(len(cost) * rng.random() ** 4)
                chosen.add(cost.pop(idx)[1])
        elif op == 3:  # strings: consecutive visits from runs near a random visit
            rel = self._related_lists()[rng.randrange(nj)]
            owner = {t: k for k, r in enumerate(routes) for t in r}
            seen_routes: set[int] = set()
            for j in rel:
                if len(chosen) >= q:
                    break
                k = owner[self.jobs[j][0]]
                if k in seen_routes:
                    continue
                seen_routes.add(k)
                r = routes[k]
                pos = r.index(self.jobs[j][0])
                length = rng.randint(1, max(1, min(len(r), q - len(chosen), 6)))
                lo = max(0, min(pos - rng.randrange(length), len(r) - length))
                for t in r[lo : lo + length]:
                    chosen.add(job_of[t])
        else:  # a slice of the day: visits starting near one moment, across every run
            moment = start[rng.randrange(self.n)]
            by_time = sorted(range(self.n), key=lambda t: abs(start[t] - moment))
            for t in by_time:
                if len(chosen) >= q:
                    break
                chosen.add(job_of[t])
        removed_tasks = {t for j in chosen for t in self.jobs[j]}
        for r in routes:
            r[:] = [t for t in r if t not in removed_tasks]
        return list(chosen)

    # ------------------------------------------------------------------ main loop

    def solve(
        self,
        seconds: float,
        progress: Callable[[float, float], None] | None = None,
        should_stop: Callable[[], bool] | None = None,
    ) -> Plan:
        rng = self.rng
        t0 = time.monotonic()
        deadline = t0 + seconds
        nj = len(self.jobs)

        # Start: every visit in order of its window, pairs placed deliberately like the rest.
        routes: list[list[int]] = [[] for _ in range(self.K)]
        order = sorted(range(nj), key=lambda j: (self.e[self.jobs[j][0]], -len(self.jobs[j])))
        sched = self._schedule(routes)
        assert sched is not None
        for j in order:
            sched = self._insert(self.jobs[j], routes, sched, 0.0)
        current = _State([list(r) for r in routes], sched[0], sched[1], sched[2])
        best = _State([list(r) for r in routes], sched[0], sched[1], sched[2])

        n_ops = 5
        weights = [1.0] * n_ops
        scores = [0.0] * n_ops
        uses = [0] * n_ops
        # Simulated-annealing acceptance, cooling with the clock: early on, a plan worse by 2/n
        # of the objective (n visits) is taken about one time in three; by the end almost never.
        t_start = 2.0 * current.objective / max(1, nj)
        t_end = t_start / 1000.0
        iterations = 0
        since_best = 0
        q_max = min(nj, max(8, min(40, int(0.35 * nj))))
        while nj > 1:
            now = time.monotonic()
            if now >= deadline or (should_stop is not None and should_stop()):
                break
            frac = (now - t0) / seconds
            temp = t_start * (t_end / t_start) ** frac
            iterations += 1
            op = rng.choices(range(n_ops), weights)[0]
            q = rng.randint(2, max(2, int(q_max * (0.3 + 0.7 * rng.random()))))
            q = min(q, nj)
            routes = [list(r) for r in current.routes]
            removed = self._destroy(routes, current.start, q, op)
            mode = rng.random()
            if mode < 0.35:
                rng.shuffle(removed)
            elif mode < 0.6:
                removed.sort(key=lambda j: self.e[self.jobs[j][0]])
            elif mode < 0.8:
                removed.sort(key=lambda j: (-len(self.jobs[j]), rng.random()))
            else:
                removed.sort(key=lambda j: -self.l[self.jobs[j][0]] + self.e[self.jobs[j][0]])
            noise = 0.2 if rng.random() < 0.3 else 0.0
            sched = self._schedule(routes)
            assert sched is not None
            for j in removed:
                sched = self._insert(self.jobs[j], routes, sched, noise)
            obj = sched[0]
            uses[op] += 1
            if obj < best.objective - 1e-9:
                best = _State([list(r) for r in routes], obj, sched[1], sched[2])
                current = _State(routes, obj, sched[1], sched[2])
                scores[op] += 5.0
                since_best = 0
                if progress is not None:
                    progress(frac, obj)
            elif obj < current.objective - 1e-9:
                current = _State(routes, obj, sched[1], sched[2])
                scores[op] += 2.0
                since_best += 1
            elif obj <= current.objective + 1e-9 or rng.random() < math.exp(
                (current.objective - obj) / temp
            ):
                current = _State(routes, obj, sched[1], sched[2])
                scores[op] += 0.5
                since_best += 1
            else:
                since_best += 1
            if iterations % 100 == 0:
                for i in range(n_ops):
                    if uses[i]:
                        weights[i] = 0.8 * weights[i] + 0.2 * max(0.05, scores[i] / uses[i])
                    scores[i], uses[i] = 0.0, 0
            if since_best > 2000:
                current = _State(
                    [list(r) for r in best.routes], best.objective, best.start, best.tmax
                )
                since_best = 0

        return self._plan(best, iterations)

    def _plan(self, state: _State, iterations: int) -> Plan:
        runs = []
        for r in state.routes:
            runs.append(
                tuple(Stop(self.task_of[t][0], self.task_of[t][1], state.start[t]) for t in r)
            )
        return Plan(runs=tuple(runs), objective=state.objective, iterations=iterations)


def solve(problem: Problem, seconds: float, seed: int = 0) -> Plan:
    return Solver(problem, seed).solve(seconds)
