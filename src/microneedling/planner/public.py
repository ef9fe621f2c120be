"""The public treatment page: what a microneedling course does to the skin, drawn from the package itself.

Six figures, each computed by the engine on the package's default course and a typical skin (cheek, female,
30 years), each with one plain sentence and the sources the engine cited while computing it
(:mod:`microneedling.citations`):

* the skin's layers with the needle's nominal length and its real depth after the skin dimples
  (:func:`microneedling.mechanics.insertion.insert`, :func:`microneedling.tissue.skin.skin_layers`);
* the puncture map of one roller session (:func:`microneedling.mechanics.punctures.sample_punctures`);
* new collagen I and III over the months of the course, and the scar floor before and after it
  (:func:`microneedling.course.run_course`, :func:`microneedling.tissue.scars.profile`);
* the risk of darker patches (post-inflammatory hyperpigmentation) by skin type, against a fractional CO2 laser
  and a medium-depth TCA peel (:func:`microneedling.mechanics.modalities.compare`);
* a serum's uptake through the open channels against intact skin (:func:`microneedling.delivery.uptake.run_query`).

The typical course (sessions, spacing) is the planner's default course (Harris 2015 medians), the downtime
sentence is the aftercare data's sourced statement on expected effects, and the outcome band is the virtual
trial engine's prediction (:func:`microneedling.trials.predict_patient`) for a new patient of the example
trial's population: a prediction with its 95% band, not a promise. Nothing on the page depends on any
patient's data. Everything is computed once per process and kept: figures as PNG bytes with a content hash for
caching. The planner builds the page when it starts, in a background thread (:func:`start_build`; about half a
minute, most of it the healing and prediction engines compiling), so that the first visitor does not wait for
the engines; a request arriving before the build is done waits for the part it needs (each part is computed
under one lock, once), and without the start-up build the first request computes the page.
"""

from __future__ import annotations

import contextvars
import hashlib
import io
import logging
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.patches import Circle, Polygon, Rectangle  # noqa: E402

from microneedling.citations import citations_used, format_reference, reset_citations  # noqa: E402
from microneedling.clinic.zone_plan import default_course  # noqa: E402
from microneedling.patient import Fitzpatrick  # noqa: E402

ZONE, SEX, AGE_YEARS = "cheek", "F", 30.0  # the typical skin the figures are drawn for (display choice)
NEEDLE_MM = 1.5  # Harris 2015 median needle length of needling-alone acne-scar studies (as in the report)
DEVICE = "roller"
SCAR = "boxcar"  # the scar type drawn before and after the course
FOLLOW_WEEKS = 52.0  # one year from the first session
TOPICAL = "tranexamic-acid"
SERUM_HOURS = 24.0
WEEKS_PER_MONTH = 52.0 / 12.0
LAYER_COLOURS = {"stratum_corneum": "#c99a6b", "viable_epidermis": "#f2d0a9", "papillary_dermis": "#f4b6b6",
                 "reticular_dermis": "#e39a9a", "subcutis": "#fff2b3"}
MODALITY_NAMES = {"microneedling": "microneedling", "fractional_co2": "fractional CO2 laser",
                  "tca_peel": "medium-depth TCA peel"}
EXAMPLE_TRIAL = "data/examples/trial.yaml"

log = logging.getLogger(__name__)
_builds: Counter[str] = Counter()  # engine runs per builder in this process (cache hits not counted)


@dataclass(frozen=True)
class PublicFigure:
    """One figure of the page: its name (URL), title, alt text, plain sentence, references and PNG bytes."""

    name: str
    title: str
    alt: str
    sentence: str
    references: tuple[str, ...]
    png: bytes

    @property
    def etag(self) -> str:
        return hashlib.sha256(self.png).hexdigest()[:32]


_extra_refs: contextvars.ContextVar[list[str]] = contextvars.ContextVar("public_extra_refs")


def _sourced(build: Callable[[], tuple]) -> tuple[tuple, tuple[str, ...]]:
    """Run ``build`` with a fresh citation record; returns its result and the references it cited (those of
    cached engine runs it reused included)."""

    def run():
        _builds[build.__qualname__.split(".<locals>")[0]] += 1
        reset_citations()
        _extra_refs.set([])
        out = build()
        refs = [format_reference(k) for k in citations_used()] + _extra_refs.get()
        return out, tuple(dict.fromkeys(refs))

    return contextvars.copy_context().run(run)


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()


def _layers_figure() -> tuple:
    from microneedling.mechanics.insertion import insert, standard_needle
    from microneedling.tissue.skin import skin_layers

    layers = skin_layers(ZONE, SEX, AGE_YEARS)
    needle = standard_needle(NEEDLE_MM)
    real_mm = float(insert(needle).penetration_depth_mm)
    fig, ax = plt.subplots(figsize=(6.4, 3.8))
    bottom_um = max(layers.full_thickness_um + 300.0, 1e3 * NEEDLE_MM + 200.0)
    for name, (top, bot) in layers.boundaries_um().items():
        bot = min(bot, bottom_um)
        ax.add_patch(Rectangle((0, top), 1000, bot - top, color=LAYER_COLOURS[name], label=name.replace("_", " ")))
    ax.axhline(layers.plexus_depth_um, color="darkred", lw=1, ls="--", label="small blood vessels")
    for x0, d, style in ((300, 1e3 * NEEDLE_MM, {"fill": False, "ec": "#444", "ls": ":"}),
                         (700, 1e3 * real_mm, {"color": "#333333"})):
        rb, rt = float(needle.radius_at_um(d)), needle.tip_radius_um
        shoulder = max(d - (rb - rt) / needle.taper_slope, 0.0)
        ax.add_patch(Polygon([(x0 - rb, 0), (x0 + rb, 0), (x0 + rb, shoulder), (x0 + rt, d), (x0 - rt, d),
                              (x0 - rb, shoulder)], closed=True, **style))
    ax.annotate(f"needle length {NEEDLE_MM:g} mm", (300, 1e3 * NEEDLE_MM), xytext=(8, -4),
                textcoords="offset points", fontsize=8)
    ax.annotate(f"real depth {real_mm:.2f} mm", (700, 1e3 * real_mm), xytext=(8, -4), textcoords="offset points",
                fontsize=8)
    ax.set_xlim(0, 1000)
    ax.set_ylim(bottom_um, -20)
    ax.set_xlabel("width (micrometres)")
    ax.set_ylabel("depth below the surface (micrometres)")
    ax.legend(fontsize=7, loc="lower left", ncol=2)
    return fig, real_mm


def _punctures_figure() -> tuple:
    from microneedling.mechanics.devices import device
    from microneedling.mechanics.insertion import insert
    from microneedling.mechanics.punctures import sample_punctures

    roller = device(DEVICE, NEEDLE_MM)
    radius_mm = insert(roller.needle).channel_radius_um / 1e3
    side = 5.0
    pts = sample_punctures(1, roller.holes_per_pass_per_cm2, roller.usual_passes, side)
    fig, ax = plt.subplots(figsize=(4.2, 4.2))
    for x, y in pts:
        ax.add_patch(Circle((x, y), radius_mm, color="#a33", alpha=0.7))
    ax.set_xlim(0, side)
    ax.set_ylim(0, side)
    ax.set_aspect("equal")
    ax.set_xlabel("mm")
    ax.set_ylabel("mm")
    ax.set_title(f"{len(pts)} tiny channels in {side:g} x {side:g} mm", fontsize=9)
    return fig, (len(pts), roller.usual_passes)


@lru_cache(maxsize=1)
def _course_run():
    from microneedling.course import CourseQuery, run_course

    def build():
        sessions, interval = default_course()
        return (run_course(CourseQuery(device=DEVICE, needle_length_mm=NEEDLE_MM, sessions=sessions,
                                       interval_weeks=interval, zone=ZONE, scar=SCAR, weeks=FOLLOW_WEEKS,
                                       age_years=AGE_YEARS, sex=SEX)),)

    (result,), refs = _sourced(build)
    return result, refs


def _course():
    """The default course on a typical boxcar scar, its sources recorded for the figure that draws it."""
    result, refs = _course_run()
    for ref in refs:
        _extra_refs.get().append(ref)
    return result


def _collagen_figure() -> tuple:
    r = _course()
    months = np.asarray(r.weeks) / WEEKS_PER_MONTH
    fig, ax = plt.subplots(figsize=(6.4, 3.4))
    ax.plot(months, 100 * (np.asarray(r.collagen_III_rel) - 1), label="collagen III (early, soft)", color="#c63")
    ax.plot(months, 100 * (np.asarray(r.collagen_I_rel) - 1), label="collagen I (mature, firm)", color="#236")
    for w in r.session_weeks:
        ax.axvline(w / WEEKS_PER_MONTH, color="grey", lw=0.7, ls=":")
    ax.set_xlabel("months after the first session (dotted lines: sessions)")
    ax.set_ylabel("collagen above normal (%)")
    ax.legend(fontsize=8)
    peak = max(range(len(r.collagen_I_rel)), key=lambda k: r.collagen_I_rel[k])
    return fig, (100 * (r.collagen_I_rel[peak] - 1), r.weeks[peak] / WEEKS_PER_MONTH)


def _scar_figure() -> tuple:
    from microneedling.tissue import scars

    r = _course()
    before, after = r.scar_depth_mm[0], r.scar_depth_mm[-1]
    x = np.linspace(-4.0, 4.0, 401)
    fig, ax = plt.subplots(figsize=(6.4, 3.0))
    ax.plot(x, scars.profile(r.shape, before, x), color="#a55", label=f"before: {before:.2f} mm deep")
    ax.plot(x, scars.profile(r.shape, after, x), color="#386",
            label=f"after {FOLLOW_WEEKS / WEEKS_PER_MONTH:.0f} months: {after:.2f} mm deep")
    ax.set_xlabel("distance across the scar (mm)")
    ax.set_ylabel("surface height (mm)")
    ax.legend(fontsize=8, loc="lower left")
    return fig, (before, after)


def _pigment_figure() -> tuple:
    from microneedling.mechanics.modalities import compare

    sessions, _ = default_course()
    types = list(Fitzpatrick)
    risks = {f: compare(ZONE, f, SEX, AGE_YEARS, DEVICE, NEEDLE_MM, sessions) for f in types}
    fig, ax = plt.subplots(figsize=(6.4, 3.4))
    xs = np.arange(len(types))
    for i, (key, label) in enumerate(MODALITY_NAMES.items()):
        vals = [100 * risks[f][key]["pih_risk"] for f in types]
        lo = [100 * risks[f][key]["pih_risk_ci95"][0] for f in types]
        hi = [100 * risks[f][key]["pih_risk_ci95"][1] for f in types]
        err = [np.subtract(vals, lo), np.subtract(hi, vals)]
        bars = ax.bar(xs + (i - 1) * 0.27, vals, 0.27, yerr=err, capsize=2, label=label,
                      color=("#386", "#c63", "#669")[i])
        for b, f in zip(bars, types, strict=True):
            if "upper bound" in risks[f][key]["pih_basis"]:
                b.set_hatch("//")
                b.set_alpha(0.6)
    ax.set_xticks(xs, [f"type {f.value}" for f in types])
    ax.set_ylabel("chance of darker patches (%)")
    ax.set_title("hatched: upper bound (no data for types I-III); bars: 95% range", fontsize=8)
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=3, frameon=False)
    dark = risks[Fitzpatrick.V]
    return fig, (sessions, {k: 100 * dark[k]["pih_risk"] for k in MODALITY_NAMES})


def _uptake_figure() -> tuple:
    from microneedling.delivery.uptake import DeliveryQuery, run_query

    summary, res = run_query(DeliveryQuery(molecule=TOPICAL, needle_length_mm=NEEDLE_MM, hours=SERUM_HOURS,
                                           zone=ZONE, device=DEVICE))
    fig, ax = plt.subplots(figsize=(6.4, 3.2))
    ax.plot(res.times_h, res.cumulative_needled_ug_per_cm2, color="#b33", label="through the open channels")
    ax.plot(res.times_h, res.cumulative_intact_ug_per_cm2, color="#336", label="intact skin")
    ax.set_yscale("log")
    ax.set_ylim(bottom=max(1e-3, float(res.cumulative_intact_ug_per_cm2[-1]) / 100))
    ax.set_xlabel("hours after the session")
    ax.set_ylabel("amount taken up (micrograms per cm2)")
    ax.legend(fontsize=8)
    return fig, (summary["enhancement"], summary["channel_half_closure_hours"])


def _figure_specs() -> dict[str, tuple[str, Callable[[], tuple], Callable[[object], str], str]]:
    return {
        "layers": ("The needle in the skin's layers", _layers_figure, lambda real: (
            f"A {NEEDLE_MM:g} mm needle reaches about {real:.2f} mm, because the skin dips under it before it "
            "goes in; that is deep enough to reach the dermis, where new collagen is made."),
                   "Cross-section of cheek skin: layers from the surface down, the needle's length (dotted) and "
                   "the depth it really reaches (solid)."),
        "punctures": ("One session's channels", _punctures_figure, lambda v: (
            f"One session ({v[1]} roller passes) leaves about {v[0]} tiny channels on every 5 x 5 mm square; "
            "the skin between them stays whole, which is why it heals within days."),
                      "Map of a 5 by 5 millimetre square of skin with each needle channel drawn as a red dot."),
        "collagen": ("New collagen over the months", _collagen_figure, lambda v: (
            f"Each session starts a wave of repair: firm collagen I peaks about {v[0]:.0f}% above normal around "
            f"month {v[1]:.0f} and fades slowly, so results build over months, not days."),
                     "Line chart of collagen I and III above normal over twelve months, with the sessions marked."),
        "scar": ("A scar's floor before and after", _scar_figure, lambda v: (
            f"New collagen lifts the floor of a typical boxcar scar from {v[0]:.2f} mm to about {v[1]:.2f} mm "
            "deep in this model; scars get shallower, they do not disappear."),
                 "Profile across a boxcar scar before the course and one year after the first session."),
        "pigment": ("Risk of darker patches by skin type", _pigment_figure, lambda v: (
            f"After {v[0]} sessions the model's chance of darker patches is about {v[1]['microneedling']:.0f}% for "
            f"needling, against {v[1]['fractional_co2']:.0f}% for a fractional laser and "
            f"{v[1]['tca_peel']:.0f}% for a medium peel, because needling leaves most of the surface intact."),
                    "Bar chart of the chance of post-inflammatory hyperpigmentation for skin types I to VI, for "
                    "microneedling, a fractional CO2 laser and a medium-depth TCA peel, with 95% ranges."),
        "uptake": ("A serum through the open channels", _uptake_figure, lambda v: (
            f"Right after a session, a serum ({TOPICAL.replace('-', ' ')}) passes about {v[0]:.0f} times more than "
            f"through intact skin; the channels close again, half of them in about {v[1]:.0f} hours."),
                   "Line chart of the amount of serum taken up over 24 hours through needled and intact skin."),
    }


FIGURE_NAMES: tuple[str, ...] = ("layers", "punctures", "collagen", "scar", "pigment", "uptake")
_lock = threading.Lock()


@cache
def _figure(name: str) -> PublicFigure:
    title, build, sentence, alt = _figure_specs()[name]
    (fig, value), refs = _sourced(build)
    return PublicFigure(name=name, title=title, alt=alt, sentence=sentence(value), references=refs, png=_png(fig))


def figure(name: str) -> PublicFigure:
    """The figure ``name`` (one of :data:`FIGURE_NAMES`), computed on first use and kept (KeyError otherwise)."""
    if name not in FIGURE_NAMES:
        raise KeyError(name)
    with _lock:
        return _figure(name)


def clear_cache() -> None:
    """Forget the computed page (after a parameter changed)."""
    with _lock:
        _figure.cache_clear()
        _course_run.cache_clear()
        _evidence.cache_clear()
        _typical_course.cache_clear()


@lru_cache(maxsize=1)
def _typical_course() -> dict:
    from microneedling.clinic.aftercare import default_aftercare

    def build():
        sessions, interval = default_course()
        effects = [i for i in default_aftercare().expected_effects if i.sources]
        if effects:
            _extra_refs.get().extend(format_reference(s.key) for s in effects[0].sources)
        return {"sessions": sessions, "interval_weeks": interval, "downtime": effects[0].text if effects else None}

    out, refs = _sourced(lambda: (build(),))
    return {**out[0], "references": refs}


def typical_course() -> dict:
    """Sessions and spacing of the default course and the sourced sentence on expected effects (downtime)."""
    with _lock:
        return _typical_course()


@lru_cache(maxsize=1)
def _evidence() -> dict:
    from microneedling.trials import predict_patient
    from microneedling.trials.spec import load_spec

    def build():
        spec = load_spec(resources.files("microneedling").joinpath(EXAMPLE_TRIAL))
        arm = spec.arms[0]
        pop, protocol = arm.population, arm.protocol
        end = float(spec.timepoints_weeks[-1])
        out = predict_patient(pop.age_years.mean, {k.value: v for k, v in pop.scar_mix.items()},
                              pop.baseline.mean, pop.baseline.scale, protocol, [0.0, end])
        base = out["baseline"]
        return ({"scale": "Goodman & Baron quantitative score (points; lower is better)", "baseline": base,
                 "weeks": end, "mean": out["score_mean"][-1], "low": out["score_low"][-1],
                 "high": out["score_high"][-1],
                 "improvement_low_pct": 100 * (1 - out["score_high"][-1] / base),
                 "improvement_high_pct": 100 * (1 - out["score_low"][-1] / base),
                 "age_years": pop.age_years.mean, "sessions": protocol.sessions,
                 "interval_weeks": protocol.interval_weeks, "needle_length_mm": protocol.needle_length_mm,
                 "checked": _checked()},)

    out, refs = _sourced(build)
    return {**out[0], "references": refs}


def _checked() -> dict | None:
    """How the outcome model did on published results it was not fitted to (leave-one-trial-out and held-out
    arms, :mod:`microneedling.calibration.cross_validation`), or None before that check has been run."""
    from microneedling.calibration.cross_validation import stored

    cv = stored()
    if cv is None:
        return None
    inside = sum(t["inside95"] for t in cv["per_trial"])
    return {"outcomes": cv["outcomes"], "inside": inside, "groups": cv["trials"]}


def evidence() -> dict:
    """The predicted score band (95%) of a new patient like the example trial's population, after its course."""
    with _lock:
        return _evidence()


def _or_reason(compute: Callable[[], object]) -> object:
    """``compute()``, or ``{"available": False, "reason": ...}`` if the engine fails (not kept: retried on the
    next request), so that one failing engine leaves the rest of the page up."""
    try:
        return compute()
    except Exception as exc:  # noqa: BLE001 - a failing engine must not take the public page down; say why
        return {"available": False, "reason": f"{type(exc).__name__}: {exc}"[:300]}


def page_content() -> dict:
    """Everything the treatment page shows (figures without their bytes, course, evidence); no patient data.
    A part whose engine fails is ``{"available": False, "reason": ...}``."""
    return {"figures": [_or_reason(lambda n=n: figure(n)) for n in FIGURE_NAMES],
            "course": _or_reason(typical_course), "evidence": _or_reason(evidence)}


def build_counts() -> dict[str, int]:
    """How many times each part of the page has been computed in this process, by builder name (``_layers_figure``
    ... ``_evidence``): engine runs, not cache hits. A part is computed again only after :func:`clear_cache` or
    after its engine failed."""
    return dict(_builds)


def build_page() -> list[str]:
    """Compute and keep every part of the page now, through the same cached, locked accessors a request uses;
    returns the parts that could not be computed (each with its reason; they are retried on the next request)."""
    content = page_content()
    parts = [*zip(FIGURE_NAMES, content["figures"], strict=True), ("course", content["course"]),
             ("evidence", content["evidence"])]
    return [f"{name}: {part['reason']}" for name, part in parts
            if isinstance(part, dict) and part.get("available") is False]


def start_build() -> threading.Thread:
    """Build the page in a daemon thread (:func:`build_page`), off the request path; returns it (``join`` to
    wait). A failure is logged, never raised: the page is then computed on request."""

    def run() -> None:
        start = time.perf_counter()
        try:
            failed = build_page()
        except Exception:  # noqa: BLE001 - building ahead is an optimisation: a failure must not stop the app
            log.exception("public treatment page build failed")
            return
        if failed:
            log.warning("public treatment page built without: %s", "; ".join(failed))
        log.info("public treatment page built in %.1f s", time.perf_counter() - start)

    thread = threading.Thread(target=run, name="public-page-build", daemon=True)
    thread.start()
    return thread
