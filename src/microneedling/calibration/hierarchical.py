"""Hierarchical Bayesian calibration of the clinical response on the published trial arms (NumPyro NUTS).

Parameters (:mod:`microneedling.trials.response`): the population median of the course's scar-fill efficiency
(``mu = ln fill``), the between-trial SD ``tau`` of ``ln fill`` (a random effect ``eta_j`` per arm:
``ln fill_j = mu + tau eta_j``), the patients' response spread (log-SD of the multiplier on the fill) and the
qualitative rater SD. The quantitative rater SD stays the value derived from the scale's validation.

Priors (weakly informative, on the natural scale of each parameter): ``mu ~ N(ln 0.996, 1.5)`` (centred on
the single-arm Garg & Chaudhary fit of the fill, ``scars.fill_efficiency``), ``tau ~ HalfNormal(1)``,
``response SD ~ LogNormal(ln 0.3, 1)``, ``qualitative rater SD ~ LogNormal(ln 0.5, 1)``.

Likelihood: every published mean of an arm with role ``fit`` (SE = SD / sqrt(n)) and every published SD
(SE = SD / sqrt(2 (n - 1))), against the expected recorded values of a fixed virtual cohort of
:data:`N_VIRTUAL` patients per arm (common random numbers: the likelihood is smooth in the parameters).
The model's mean is conditioned on the published baseline: mean = published baseline - model change. Each
arm's course is precomputed on the fill grid (:func:`microneedling.trials.response.log_relative_depth_grid`,
stored in ``data/calibration/trial_emulator.json`` and reused while the arm and its weeks are unchanged).

No inflation of any interval: the posterior is what the data and priors give; misfit is reported per
outcome (z-scores) and in ``chi2``.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from functools import partial
from importlib import resources
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
from jax.scipy.stats import norm

from microneedling.calibration.trial_response import TrialRecord, observed_change
from microneedling.config import cache_dir
from microneedling.errors import InputError
from microneedling.outcomes.raters import expected_cohort_means, rater_sd
from microneedling.params import registry
from microneedling.protocol import Scale
from microneedling.trials import response
from microneedling.trials.population import sample_cohort
from microneedling.trials.run import QUAL_RESPONDER_GRADES, QUANT_RESPONDER_REDUCTION

N_VIRTUAL = 50
EMULATOR_FILE = "data/calibration/trial_emulator.json"
# mu's prior is centred on the single-arm Garg & Chaudhary fit of the course engine's fill (scars.fill_efficiency,
# 0.9962 in data/parameters/scars.csv)
PRIOR = {"mu": ("normal", float(np.log(0.9962)), 1.5), "tau": ("halfnormal", 1.0),
         "response_sd": ("lognormal", float(np.log(0.3)), 1.0), "qual_sd": ("lognormal", float(np.log(0.5)), 1.0)}
THIN_TO = 400  # posterior draws kept in the record
# SD of a published mean whose SD was not reported: the median follow-up SD published by the arms of
# data/trials (qualitative: Minh 2019 0.56-0.58, Sharma 0.56; quantitative: Al Chalabi 2.79, Dogra 2.71)
FALLBACK_SD = {Scale.goodman_baron_qualitative: 0.57, Scale.goodman_baron_quantitative: 2.75}


def engine_parameters() -> dict[str, float]:
    """The registry's values other than the ones this calibration fits (the course engine's inputs)."""
    fitted = set(response.THETA_NAMES)
    return {name: p.value for name, p in sorted(registry().items()) if name not in fitted}


def arm_fingerprint(rec: TrialRecord) -> str:
    """Hash of what an arm's course depends on (protocol, mean age, outcome weeks, fill grid, the engine's
    parameter values)."""
    payload = json.dumps({"protocol": rec.arm.protocol.model_dump(mode="json"),
                          "age": rec.arm.population.age_years.mean, "weeks": [o.week for o in rec.outcomes],
                          "grid": response.FILL_GRID.tolist(), "parameters": engine_parameters()}, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


def load_emulator(path: Path | None = None) -> dict:
    try:
        text = path.read_text() if path else resources.files("microneedling").joinpath(EMULATOR_FILE).read_text()
    except FileNotFoundError:
        return {}
    return json.loads(text)


def emulator_entry(rec: TrialRecord) -> dict:
    """The arm's course on the fill grid (real pipeline)."""
    weeks = [o.week for o in rec.outcomes]
    grid = response.log_relative_depth_grid(rec.arm.protocol, rec.arm.population.age_years.mean, weeks)
    return {"fingerprint": arm_fingerprint(rec), "weeks": weeks, "log_rel": np.round(grid, 10).tolist()}


def emulators(records: list[TrialRecord], stored: dict | None = None) -> dict:
    """Emulator entries of ``records`` (stored ones reused when their fingerprint matches)."""
    stored = load_emulator() if stored is None else stored
    out = {}
    for rec in records:
        e = stored.get(rec.id)
        out[rec.id] = e if e and e["fingerprint"] == arm_fingerprint(rec) else emulator_entry(rec)
    return out


class ArmData:
    """A fit arm prepared for the likelihood: fixed virtual cohort, scar counts, emulator, observations."""

    def __init__(self, rec: TrialRecord, log_rel_grid, key, n_virtual: int = N_VIRTUAL):
        arm = rec.arm
        self.rec, self.scale, self.n = rec, arm.population.baseline.scale, arm.population.n
        cohort = sample_cohort(arm.population.model_copy(update={"n": n_virtual}), key,
                               qualitative_rater_sd=float(np.exp(PRIOR["qual_sd"][1])))
        self.baseline_true = cohort.baseline_true
        self.z = cohort.response_z
        self.counts = response.scar_counts(cohort.baseline_true, cohort.scar_weights, self.scale)
        self.grid = jnp.asarray(log_rel_grid)
        self.obs_baseline = arm.population.baseline.mean
        self.quant_rater_sd = rater_sd(Scale.goodman_baron_quantitative)
        self.table = true_score_table(self.grid, self.counts, self.z, self.scale)

    def predicted(self, fill, response_sd, qual_sd):
        """(expected recorded mean, predicted SD, expected responder rate) at each outcome week for one
        parameter set."""
        return arm_prediction(self.grid, self.counts, self.z, self.baseline_true, self.obs_baseline, fill,
                              response_sd, qual_sd, self.quant_rater_sd, self.scale)

    def observations(self):
        """(kind, outcome index, observed value, SE) of every published mean, SD and responder rate. A mean
        without a published SD takes :data:`FALLBACK_SD` of its scale (the median published follow-up SD)."""
        out = []
        for j, o in enumerate(self.rec.outcomes):
            n = o.n or self.n
            sd = o.score_sd if o.score_sd is not None else FALLBACK_SD[self.scale]
            if o.score_mean is not None:
                out.append(("mean", j, o.score_mean, sd / np.sqrt(n)))
            elif o.change_mean is not None:
                se = (o.change_ci95[1] - o.change_ci95[0]) / 3.92 if o.change_ci95 else sd / np.sqrt(n)
                out.append(("mean", j, self.obs_baseline - o.change_mean, se))
            if o.score_sd is not None and n > 1:
                out.append(("sd", j, o.score_sd, o.score_sd / np.sqrt(2.0 * (n - 1))))
            if o.responder_rate is not None:
                p = min(max(o.responder_rate, 0.5 / n), 1.0 - 0.5 / n)
                out.append(("responder", j, o.responder_rate, float(np.sqrt(p * (1.0 - p) / n))))
        return out


def arm_moments(true, baseline_true, obs_baseline, qual_sd, quant_rater_sd, scale: Scale):
    """Expected recorded mean (conditioned on the published baseline), predicted SD and expected responder rate
    [T] of a virtual cohort whose true scores are ``true`` [n, T] (baseline ``baseline_true`` [n])."""
    sd_r = quant_rater_sd if scale is Scale.goodman_baron_quantitative else qual_sd
    e0, et = expected_cohort_means(baseline_true, true, scale, sd_r)
    mean = obs_baseline - (e0 - et)
    sd_pred = jnp.sqrt(jnp.var(true, axis=0) + sd_r**2 + 1.0 / 12.0)
    # responder (>= 1 grade, or >= 25% of the baseline points): two independent ratings, rounded
    need = (QUAL_RESPONDER_GRADES if scale is Scale.goodman_baron_qualitative
            else QUANT_RESPONDER_REDUCTION * baseline_true[:, None])
    drop = baseline_true[:, None] - true
    responder = norm.cdf((drop - need + 0.5) / jnp.sqrt(2.0 * sd_r**2 + 1.0 / 6.0)).mean(0)
    return mean, sd_pred, responder


def arm_prediction(grid, counts, z, baseline_true, obs_baseline, fill, response_sd, qual_sd, quant_rater_sd,
                   scale: Scale):
    """:func:`arm_moments` of one arm's virtual cohort with the true scores solved directly (no table)."""
    rel = response.interpolate_relative_depth(grid, fill)
    true = response.true_scores(rel, counts, z, response_sd, scale)
    return arm_moments(true, baseline_true, obs_baseline, qual_sd, quant_rater_sd, scale)


# The likelihood reads each arm's true scores from a table over (ln fill, ln response SD), bilinear in the
# logarithms: the expected-score model (binomial multipliers, log-normal depths) cost ~0.1 s per gradient on 9
# arms and 2-3 min to compile (measured with betainc's binomial tails), the table lookup ~1 ms. The table spans the fill grid of the emulator and
# response SDs from 0.01 to 4 (the prior's 99.9% range is 0.014-6.6; outside, the table's edge value holds).
TABLE_FILL = np.geomspace(response.FILL_GRID[0], response.FILL_GRID[-1], 73)
TABLE_SD = np.geomspace(0.01, 4.0, 31)


@partial(jax.jit, static_argnames=("scale",))
def _table(grid, counts, z, fills, sds, scale: Scale):
    def at(fs):
        return response.true_scores(response.interpolate_relative_depth(grid, fs[0]), counts, z, fs[1], scale)

    f, s = jnp.meshgrid(fills, sds, indexing="ij")
    return jax.lax.map(at, jnp.stack([f.ravel(), s.ravel()], axis=1), batch_size=sds.shape[0]).reshape(
        (fills.shape[0], sds.shape[0]) + z.shape + (grid.shape[-1],))


def _table_key(grid, counts, z, scale: Scale) -> str:
    """Content hash of everything a table depends on: its inputs, axes, the registry's values and the source of
    the score model."""
    import inspect

    from microneedling.outcomes import expected_score, goodman_baron

    h = hashlib.sha256()
    for a in (grid, counts, z, TABLE_FILL, TABLE_SD):
        h.update(np.ascontiguousarray(np.asarray(a, dtype=np.float64)).tobytes())
    h.update(scale.value.encode())
    h.update(json.dumps({n: p.value for n, p in sorted(registry().items())}).encode())
    for module in (response, expected_score, goodman_baron):
        h.update(inspect.getsource(module).encode())
    return h.hexdigest()[:32]


def true_score_table(grid, counts, z, scale: Scale) -> jnp.ndarray:
    """True scores [F, S, n, T] of a virtual cohort on :data:`TABLE_FILL` x :data:`TABLE_SD`. Kept in the
    package's cache folder (:func:`microneedling.config.cache_dir`, ``tables/`` beside the compiled kernels)
    under a hash of its inputs, so the cross-validation folds and later calibrations reuse it; written
    atomically, so processes may share it."""
    folder = cache_dir()
    path = folder.parent / "tables" / f"{_table_key(grid, counts, z, scale)}.npy" if folder else None
    if path is not None and path.exists():
        return jnp.asarray(np.load(path))
    table = _table(jnp.asarray(grid), jnp.asarray(counts), jnp.asarray(z), jnp.asarray(TABLE_FILL),
                   jnp.asarray(TABLE_SD), scale)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        with open(tmp, "wb") as f:
            np.save(f, np.asarray(table))
        os.replace(tmp, path)
    return table


def _bracket(axis, value):
    x = jnp.log(jnp.asarray(axis))
    v = jnp.clip(jnp.log(value), x[0], x[-1])
    i = jnp.clip(jnp.searchsorted(x, v, side="right") - 1, 0, x.shape[0] - 2)
    return i, (v - x[i]) / (x[i + 1] - x[i])


def interpolate_table(table, fill, response_sd):
    """True scores [n, T] at (``fill``, ``response_sd``) from a :func:`true_score_table`."""
    i, u = _bracket(TABLE_FILL, fill)
    j, v = _bracket(TABLE_SD, response_sd)
    return ((1 - u) * (1 - v) * table[i, j] + u * (1 - v) * table[i + 1, j]
            + (1 - u) * v * table[i, j + 1] + u * v * table[i + 1, j + 1])


class ScaleBatch:
    """The fit arms of one scale stacked (weeks padded to the longest), for one vmapped likelihood."""

    def __init__(self, data: list[ArmData], index: list[int]):
        self.scale, self.index = data[index[0]].scale, index
        t_max = max(len(data[i].rec.outcomes) for i in index)

        def pad(g):
            g = np.asarray(g)
            return np.concatenate([g] + [g[..., -1:]] * (t_max - g.shape[-1]), axis=-1)

        self.table = jnp.asarray(np.stack([pad(data[i].table) for i in index]))
        self.baseline_true = jnp.stack([data[i].baseline_true for i in index])
        self.obs_baseline = jnp.asarray([data[i].obs_baseline for i in index])
        kinds = {"mean": 0, "sd": 1, "responder": 2}
        rows = [(a, kinds[k], j, v, se) for a, i in enumerate(index) for k, j, v, se in data[i].observations()]
        self.arm, self.kind, self.week = (jnp.asarray([r[c] for r in rows]) for c in range(3))
        self.value = jnp.asarray([r[3] for r in rows])
        self.se = jnp.asarray([r[4] for r in rows])
        self.quant_rater_sd = data[index[0]].quant_rater_sd

    def predicted(self, fills, response_sd, qual_sd):
        """Model values of every observation of the batch for the arms' ``fills``."""
        out = jax.vmap(lambda tab, b, ob, f: jnp.stack(arm_moments(
            interpolate_table(tab, f, response_sd), b, ob, qual_sd, self.quant_rater_sd, self.scale)))(
            self.table, self.baseline_true, self.obs_baseline, fills)  # [A, 3, T]
        return out[self.arm, self.kind, self.week]


def batches(data: list[ArmData]) -> list[ScaleBatch]:
    by_scale: dict[Scale, list[int]] = {}
    for i, d in enumerate(data):
        by_scale.setdefault(d.scale, []).append(i)
    return [ScaleBatch(data, idx) for idx in by_scale.values()]


def prepare(records: list[TrialRecord], seed: int = 0, n_virtual: int = N_VIRTUAL,
            emulator: dict | None = None) -> list[ArmData]:
    """The fit arms of ``records`` as :class:`ArmData` (cohorts keyed by arm id, so a fold keeps the same ones)."""
    fit_recs = [r for r in records if r.role == "fit"]
    if not fit_recs:
        raise InputError("trials", [r.id for r in records], "no trial has role 'fit'")
    emu = emulators(fit_recs, emulator)
    key = jax.random.PRNGKey(seed)
    return [ArmData(r, emu[r.id]["log_rel"], jax.random.fold_in(key, _id_int(r.id)), n_virtual) for r in fit_recs]


def _id_int(arm_id: str) -> int:
    return int(hashlib.sha256(arm_id.encode()).hexdigest()[:7], 16)


def _pick(predicted, observations):
    mean, sd, resp = predicted
    table = {"mean": mean, "sd": sd, "responder": resp}
    return jnp.stack([table[kind][j] for kind, j, _, _ in observations])


def model(data: list[ArmData], stacked: list[ScaleBatch] | None = None):
    """NumPyro model of the module docstring (``stacked``: :func:`batches` of ``data``, built once)."""
    import numpyro
    import numpyro.distributions as dist

    mu = numpyro.sample("mu", dist.Normal(PRIOR["mu"][1], PRIOR["mu"][2]))
    tau = numpyro.sample("tau", dist.HalfNormal(PRIOR["tau"][1]))
    rsd = numpyro.sample("response_sd", dist.LogNormal(PRIOR["response_sd"][1], PRIOR["response_sd"][2]))
    qsd = numpyro.sample("qual_sd", dist.LogNormal(PRIOR["qual_sd"][1], PRIOR["qual_sd"][2]))
    with numpyro.plate("arms", len(data)):
        eta = numpyro.sample("eta", dist.Normal(0.0, 1.0))
    fills = jnp.exp(mu + tau * eta)
    for b in stacked if stacked is not None else batches(data):
        numpyro.sample(f"obs_{b.scale.value}", dist.Normal(b.predicted(fills[jnp.asarray(b.index)], rsd, qsd), b.se),
                       obs=b.value)


MAX_TREE_DEPTH = 8  # at most 255 leapfrog steps per draw (the fit of all arms uses 160 on average)


def run_nuts(data: list[ArmData], warmup: int = 400, samples: int = 400, chains: int = 2, seed: int = 0):
    """NUTS on :func:`model`; returns the MCMC object (chains run one after the other)."""
    from numpyro.infer import MCMC, NUTS

    mcmc = MCMC(NUTS(model, target_accept_prob=0.9, max_tree_depth=MAX_TREE_DEPTH), num_warmup=warmup, num_samples=samples, num_chains=chains,
                chain_method="sequential", progress_bar=False)
    mcmc.run(jax.random.PRNGKey(seed), data, batches(data))
    return mcmc


def diagnostics(mcmc) -> dict:
    """ArviZ R-hat, bulk and tail ESS per parameter, and the number of divergent transitions."""
    import arviz as az

    idata = az.from_numpyro(mcmc)
    summ = az.summary(idata, var_names=["mu", "tau", "response_sd", "qual_sd", "eta"], kind="diagnostics")
    div = int(np.asarray(mcmc.get_extra_fields(group_by_chain=True)["diverging"]).sum())
    return {"r_hat_max": float(summ["r_hat"].max()), "ess_bulk_min": float(summ["ess_bulk"].min()),
            "ess_tail_min": float(summ["ess_tail"].min()), "divergences": div,
            "per_parameter": {k: {"r_hat": float(r["r_hat"]), "ess_bulk": float(r["ess_bulk"]),
                                  "ess_tail": float(r["ess_tail"])} for k, r in summ.iterrows()}}


def prior_sd(name: str) -> float:
    """Prior SD of a parameter on its natural scale (mu: log fill), by sampling the prior."""
    rng = np.random.default_rng(0)
    spec = PRIOR[name]
    if spec[0] == "normal":
        return spec[2]
    if spec[0] == "halfnormal":
        return float(np.std(np.abs(rng.normal(0.0, spec[1], 200_000))))
    return float(np.std(np.exp(rng.normal(spec[1], spec[2], 200_000))))


def fit_table(data: list[ArmData], samples: dict) -> tuple[list[dict], float]:
    """Each fitted outcome at the posterior median of the arm's own parameters: model vs data (z)."""
    rows, chi2 = [], 0.0
    rsd, qsd = float(np.median(samples["response_sd"])), float(np.median(samples["qual_sd"]))
    for i, d in enumerate(data):
        fill = float(np.median(np.exp(samples["mu"] + samples["tau"] * samples["eta"][:, i])))
        pred = _pick(d.predicted(fill, rsd, qsd), d.observations())
        for (kind, j, v, se), m in zip(d.observations(), np.asarray(pred).tolist(), strict=True):
            z = (m - v) / se
            chi2 += z * z
            rows.append({"trial": d.rec.id, "week": d.rec.outcomes[j].week, "scale": d.scale.value,
                         "n": d.rec.outcomes[j].n or d.n,
                         "quantity": kind, "observed": v, "se": float(se), "model": m, "z": float(z),
                         "arm_fill": fill, "where": d.rec.outcomes[j].where})
    return rows, chi2


def fit(records: list[TrialRecord], seed: int = 0, warmup: int = 400, samples: int = 400, chains: int = 2,
        emulator: dict | None = None, n_virtual: int = N_VIRTUAL, prepared: list[ArmData] | None = None) -> dict:
    """NUTS fit to the ``fit`` arms of ``records``: thinned draws, summaries, diagnostics and the fit table.
    ``prepared``: :func:`prepare` of a superset of the arms, reused (the cross-validation folds share it)."""
    t0 = time.perf_counter()
    if prepared is None:
        data = prepare(records, seed, n_virtual, emulator)
    else:
        ids = {r.id for r in records if r.role == "fit"}
        data = [d for d in prepared if d.rec.id in ids]
    mcmc = run_nuts(data, warmup, samples, chains, seed)
    s = {k: np.asarray(v) for k, v in mcmc.get_samples().items()}
    diag = diagnostics(mcmc)
    keep = np.linspace(0, s["mu"].shape[0] - 1, min(THIN_TO, s["mu"].shape[0])).astype(int)
    rows, chi2 = fit_table(data, s)
    n_obs = len(rows)

    def summary(v):
        return {"median": float(np.median(v)), "mean": float(np.mean(v)), "sd": float(np.std(v)),
                "ci95": [float(np.percentile(v, 2.5)), float(np.percentile(v, 97.5))]}

    natural = {"mu": s["mu"], "tau": s["tau"], "response_sd": s["response_sd"], "qual_sd": s["qual_sd"]}
    return {
        "method": "NumPyro NUTS, hierarchical (trial random effect on ln fill)",
        "fitted_to": sorted({d.rec.source for d in data}), "arms": [d.rec.id for d in data],
        "summary": {k: summary(v) for k, v in natural.items()} | {"fill": summary(np.exp(s["mu"]))},
        "prior": {k: list(v) for k, v in PRIOR.items()},
        "prior_sd": {k: prior_sd(k) for k in PRIOR},
        "draws": {k: np.round(v[keep], 8).tolist() for k, v in natural.items()},
        "eta": {d.rec.id: summary(s["eta"][:, i]) for i, d in enumerate(data)},
        "diagnostics": diag,
        "sampler": {"warmup": warmup, "samples": samples, "chains": chains, "chain_method": "sequential",
                    "seed": seed, "n_virtual": n_virtual, "seconds": round(time.perf_counter() - t0, 1)},
        "chi2": chi2, "n_observations": n_obs, "fit": rows,
    }


HELD_OUT_DRAWS = 200
HELD_OUT_SEED = 2024


def predict_held_out(records: list[TrialRecord], post: response.Posterior, draws: int = HELD_OUT_DRAWS,
                     seed: int = HELD_OUT_SEED, roles: tuple[str, ...] = ("held_out",),
                     emulator: dict | None = None) -> list[dict]:
    """Each arm of ``roles`` as a virtual trial at its n, against what it published: the change of the mean
    (predicted change with the 95% prediction interval for a new trial and the population-mean interval) and
    the responder rate (95% prediction interval of the rate a new trial of that n records)."""
    from microneedling.trials.run import simulate_arm

    recs = [r for r in records if r.role in roles]
    emu = emulators(recs, emulator)
    rows = []
    for rec in recs:
        weeks = [o.week for o in rec.outcomes]
        key = jax.random.fold_in(jax.random.PRNGKey(seed), _id_int(rec.id))
        summary = simulate_arm(rec.arm, weeks, key, draws, post, log_rel_grid=emu[rec.id]["log_rel"])
        for o, tp in zip(rec.outcomes, summary["timepoints"], strict=True):
            common = {"trial": rec.id, "week": o.week, "scale": summary["scale"], "n": o.n or summary["n"],
                      "where": o.where}
            published = observed_change(rec, o)
            if published is not None:
                obs, obs_ci = published
                lo, hi = tp["change_ci95"]
                rows.append(common | {
                    "quantity": "change", "observed": obs, "observed_ci95": obs_ci,
                    "predicted": tp["change_mean"], "predicted_ci95": [lo, hi],
                    "predicted_ci95_population": tp["change_ci95_population"], "inside": bool(lo <= obs <= hi)})
            if o.responder_rate is not None:
                lo, hi = tp["responder_rate_ci95"]
                rows.append(common | {
                    "quantity": "responder_rate", "observed": o.responder_rate, "observed_ci95": None,
                    "predicted": tp["responder_rate"], "predicted_ci95": [lo, hi],
                    "predicted_ci95_population": None, "inside": bool(lo <= o.responder_rate <= hi)})
    return rows


def parameter_rows(result: dict) -> str:
    """The calibrated rows of ``data/parameters/trial_response.csv`` for ``result`` (posterior medians)."""
    s = result["summary"]
    rows = {response.FILL: ("fill", "1", 0.001, 1000.0, "scar-fill efficiency of the course engine, population "
                                                       "median over trials (exp mu)"),
            response.FILL_TAU: ("tau", "1", 0.0, 5.0, "between-trial SD of ln fill (trial random effect)"),
            response.RESPONSE_SD: ("response_sd", "1", 0.001, 3.0, "log-SD of the patient's response multiplier "
                                                                   "on the fill"),
            "scales.gb_qualitative.rater_sd_grade": ("qual_sd", "grade", 0.05, 2.0, "qualitative rater SD")}
    fitted = "; ".join(result["fitted_to"])
    lines = [
        "# Clinical-response parameters of the virtual trials: posterior medians of the hierarchical NUTS fit of",
        "# `microneedling calibrate` (microneedling.calibration.hierarchical) to the arms with role fit named in",
        "# fitted_to (data/trials/*.yaml). Draws, diagnostics and the fit table: data/calibration/trial_response_fit.json.",
        "name,value,unit,low,high,source,where,status,fitted_to",
    ]
    for name, (key, unit, lo, hi, what) in rows.items():
        ci = s[key]["ci95"]
        where = (f"{what}; fitted by microneedling calibrate (NUTS); posterior 95% interval [{ci[0]:.4g}, "
                 f"{ci[1]:.4g}]; low/high are refusal bounds")
        lines.append(f"{name},{s[key]['median']:.6g},{unit},{lo},{hi},{result['fitted_to'][0]},\"{where}\","
                     f"calibrated,{fitted}")
    return "\n".join(lines) + "\n"
