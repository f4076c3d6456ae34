#!/usr/bin/env python3
"""Figures of a study store (rnnlab study; docs/study.md) as PNG files: the panels of McMahan et
al. 2021 Figures 1-5 that the store's networks allow.

    python3 scripts/plot_study.py STORE [--out DIR]

Writes into DIR (default STORE/figures), for each experiment group G (rdm, cdi, ncdi1, ...):
  fig1_distances_G.png     SVCCA and topology distance matrices, rows sorted by rule (Fig. 1a, 2a)
  fig1_mds_G.png           MDS of both matrices, coloured by rule, unconverged networks hollow (Fig. 1b/e, 2b/d)
  fig1_attractors_G.png    stable fixed points of the five "large" probe inputs in the top two PCs of
                           one network per rule (Fig. 1c/d)
  fig3_attractor_counts_G.png  stable fixed points per probe input, by rule and noise (Fig. 3a/d)
  psychometric_G.png       psychometric curves and fitted sigmoids (Fig. 5-style curves)
and for the whole store:
  fig2_silhouette_vs_N.png SVCCA and topology silhouettes by rule against N (Fig. 2c/e)
  fig5_silhouette_vs_N.png the same by noise level (Fig. 5)
  fig4_integration.png     output traces of a transient and a stable integrator (Fig. 4a/d)
A panel whose networks are not in the store says so in the figure instead of being left out.
Needs numpy and matplotlib (Debian: python3-numpy python3-matplotlib; scripts/install-deps.sh).
"""
import argparse
import json
import os
import sys

import numpy as np

try:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
except ImportError:  # the CTest wrapper reports a skip on exit status 77
    print("plot_study: matplotlib is not installed (apt-get install python3-matplotlib)", file=sys.stderr)
    sys.exit(77)


def load_json(path):
    with open(path) as f:
        return json.load(f)


# One colour per learning rule in every figure: the paper's four rules fixed, any other rule next.
PAPER_RULES = ["bptt", "genetic", "hebbian", "full_force"]


def rule_colours(rules):
    palette = plt.get_cmap("tab10")
    others = sorted(set(rules) - set(PAPER_RULES))
    order = PAPER_RULES + others
    return {r: palette(order.index(r) % 10) for r in set(rules)}


def converged(adir, net):
    """Whether a network of the store reached the stopping rule in its budget (training.json)."""
    path = os.path.join(os.path.dirname(os.path.dirname(adir)), "networks", net["folder"], "training.json")
    try:
        return load_json(path).get("status") == "converged"
    except OSError:
        return True


def note(ax, text):
    ax.text(0.5, 0.5, text, ha="center", va="center", wrap=True, fontsize=9, transform=ax.transAxes)
    ax.set_xticks([])
    ax.set_yticks([])


def save(fig, out, name, written):
    path = os.path.join(out, name)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
    written.append(path)


def distances_figure(adir, group, nets, out, written):
    rules = [n["rule"] for n in nets]
    order = np.argsort(np.array(rules), kind="stable")
    fig, axes = plt.subplots(1, 2, figsize=(9, 4))
    for ax, name, title in zip(axes, ["svcca_distances.npy", "topology_distances.npy"],
                               ["SVCCA distance (1 - mean CCA)", "topology distance"]):
        D = np.load(os.path.join(adir, name))
        im = ax.imshow(D[np.ix_(order, order)], cmap="viridis")
        ax.set_title(f"{group}: {title}", fontsize=9)
        fig.colorbar(im, ax=ax, fraction=0.046)
        ticks, labels, last = [], [], None
        for pos, i in enumerate(order):
            if rules[i] != last:
                ticks.append(pos)
                labels.append(rules[i])
                last = rules[i]
        ax.set_yticks(ticks)
        ax.set_yticklabels(labels, fontsize=7)
        ax.set_xticks([])
    save(fig, out, f"fig1_distances_{group}.png", written)


def mds_figure(adir, group, nets, out, written):
    rules = [n["rule"] for n in nets]
    colours = rule_colours(rules)
    conv = [converged(adir, n) for n in nets]
    sil = load_json(os.path.join(adir, "silhouettes.json"))
    fig, axes = plt.subplots(1, 2, figsize=(9, 4))
    for ax, name, key in zip(axes, ["svcca_mds.npy", "topology_mds.npy"], ["svcca", "topology"]):
        X = np.load(os.path.join(adir, name))
        for r in sorted(set(rules), key=lambda x: (x not in PAPER_RULES, PAPER_RULES.index(x) if x in PAPER_RULES else 0, x)):
            idx = [i for i, x in enumerate(rules) if x == r and conv[i]]
            bad = [i for i, x in enumerate(rules) if x == r and not conv[i]]
            label = f"{r} ({len(idx) + len(bad)}" + (f", {len(bad)} unconverged: hollow)" if bad else ")")
            ax.scatter(X[idx, 0], X[idx, 1], color=colours[r], label=label, s=18)
            if bad:
                ax.scatter(X[bad, 0], X[bad, 1], facecolors="none", edgecolors=colours[r], s=18)
        s = sil[key]["rule"]["overall"]
        title = f"{group}: {key} MDS"
        if s is not None:
            title += f"\nsilhouette by rule {s['score']:.2f} (p = {s['p_value']:.3f})"
        ax.set_title(title, fontsize=9)
        ax.legend(fontsize=7)
    save(fig, out, f"fig1_mds_{group}.png", written)


def attractors_figure(store, group, nets, out, written):
    shown = {}
    for n in nets:
        shown.setdefault(n["rule"], n)
    fig, axes = plt.subplots(1, len(shown), figsize=(4 * len(shown), 3.6), squeeze=False)
    for ax, (rule, n) in zip(axes[0], sorted(shown.items())):
        entry = os.path.join(store, "networks", n["folder"])
        A = np.load(os.path.join(entry, "activity.npy")).astype(np.float64)
        mean = A.mean(axis=1, keepdims=True)
        U, _, _ = np.linalg.svd(A - mean, full_matrices=False)
        pcs = U[:, :2]
        fp = os.path.join(entry, "fixed_points", "large")
        P = np.load(os.path.join(fp, "points.npy"))
        probe = np.load(os.path.join(fp, "probe.npy"))
        stab = np.load(os.path.join(fp, "stability.npy"))
        values = np.load(os.path.join(fp, "values.npy"))
        contexts = np.load(os.path.join(fp, "contexts.npy"))
        if len(P) and P.shape[1] != A.shape[0]:
            # Clamped units (Miconi's network for the Hebbian rule) are left out of the activity:
            # project the fixed points' free coordinates only.
            with open(os.path.join(entry, "network", "network.json")) as f:
                clamped = [c["unit"] for c in json.load(f).get("clamped_units", [])]
            P = np.delete(P, clamped, axis=1)
            if P.shape[1] != A.shape[0]:
                raise SystemExit(f"plot_study: {entry}: fixed points have {P.shape[1]} free coordinates, "
                                 f"activity has {A.shape[0]} units")
        proj = (P - mean.T) @ pcs if len(P) else np.zeros((0, 2))
        cmap = plt.get_cmap("coolwarm")
        vmax = max(np.abs(values).max(), 1e-12)
        for k in range(len(values)):
            sel = probe == k
            colour = cmap(0.5 + 0.5 * values[k] / vmax)
            st = sel & (stab == 0)
            un = sel & (stab != 0)
            label = f"u={values[k]:+.2f}" + (f" c{contexts[k]}" if contexts.max() > 0 else "")
            ax.scatter(proj[st, 0], proj[st, 1], color=colour, s=30, label=label)
            ax.scatter(proj[un, 0], proj[un, 1], color=colour, s=30, marker="x")
        ax.set_title(f"{group} {rule} (net {n['folder']}): attractors (dots), other roots (x)", fontsize=8)
        ax.set_xlabel("PC 1")
        ax.set_ylabel("PC 2")
        ax.legend(fontsize=6)
    save(fig, out, f"fig1_attractors_{group}.png", written)


def counts_figure(adir, group, out, written):
    c = load_json(os.path.join(adir, "attractor_counts.json"))
    values = c["probe_values"]
    cells = c["mean_stable_per_probe"]
    fig, ax = plt.subplots(figsize=(6, 3.6))
    width = 0.8 / max(len(cells), 1)
    for i, (key, mean) in enumerate(sorted(cells.items())):
        ax.bar(np.arange(len(mean)) + i * width, mean, width=width, label=key)
    ax.set_xticks(np.arange(len(values)) + 0.4 - width / 2)
    ax.set_xticklabels([f"{v:+.2f}" for v in values], fontsize=7)
    ax.set_xlabel("static input (evidence value; per context for CDI)")
    ax.set_ylabel("mean stable fixed points")
    ax.set_title(f"{group}: attractors per input (rule | noise)", fontsize=9)
    ax.legend(fontsize=7)
    save(fig, out, f"fig3_attractor_counts_{group}.png", written)


def psychometric_figure(store, group, nets, out, written):
    colours = rule_colours([n["rule"] for n in nets])
    fig, ax = plt.subplots(figsize=(5, 3.6))
    seen = set()
    for n in nets:
        p = load_json(os.path.join(store, "networks", n["folder"], "psychometric.json"))
        x = np.array(p["coherence"])
        ax.plot(x, p["fraction_positive"], "o", color=colours[n["rule"]], ms=3,
                label=n["rule"] if n["rule"] not in seen else None)
        seen.add(n["rule"])
        f = p["fit"]
        xs = np.linspace(x.min(), x.max(), 200)
        ax.plot(xs, f["L"] / (1 + np.exp(-f["k"] * (xs - f["x0"]))) + f["b"], color=colours[n["rule"]], lw=0.8)
    ax.set_xlabel("coherence")
    ax.set_ylabel("P(positive decision)")
    ax.set_title(f"{group}: psychometric curves, sigmoid fits", fontsize=9)
    ax.legend(fontsize=7)
    save(fig, out, f"psychometric_{group}.png", written)


def silhouette_vs_n(summary, factor, name, title, out, written):
    groups = summary["groups"]
    ns = sorted(int(g[4:]) for g in groups if g.startswith("ncdi"))
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.6))
    for ax, metric in zip(axes, ["svcca", "topology"]):
        pts = [(n, groups[f"ncdi{n}"]["silhouettes"][metric][factor]["overall"]) for n in ns]
        pts = [(n, s) for n, s in pts if s is not None]
        if not pts:
            note(ax, f"no N-CDI networks with >= 2 {factor} levels in this store\n(preset {name[:4]})")
        else:
            ax.plot([n for n, _ in pts], [s["score"] for _, s in pts], "o-")
            ax.axhline(0, color="grey", lw=0.5)
            ax.set_xlabel("N contexts")
            ax.set_ylabel(f"silhouette by {factor}")
        ax.set_title(f"{metric}: {title}", fontsize=9)
    save(fig, out, name, written)


def integration_figure(store, nets_all, out, written):
    found = {}
    for n in nets_all:
        m = load_json(os.path.join(store, "networks", n["folder"], "integration.json"))
        found.setdefault(m["overall"], (n, m))
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.6))
    for ax, kind in zip(axes, ["transient", "stable"]):
        if kind not in found:
            note(ax, f"no {kind} integrator among this store's networks")
            ax.set_title(kind, fontsize=9)
            continue
        n, m = found[kind]
        y = np.load(os.path.join(store, "networks", n["folder"], "integration_outputs.npy"))
        ax.plot(y[0, 0], color="tab:red", label="+ pulse")
        ax.plot(y[0, 1], color="tab:blue", label="- pulse")
        ax.axvline(m["pulse_steps"], color="grey", ls="--", lw=0.7)
        ax.set_xlabel("step (evidence off at the dashed line)")
        ax.set_ylabel("output")
        ax.set_title(f"{kind} integration: net {n['folder']} ({n['group']}, {n['rule']})", fontsize=9)
        ax.legend(fontsize=7)
    save(fig, out, "fig4_integration.png", written)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("store")
    ap.add_argument("--out", default=None)
    a = ap.parse_args()
    store = a.store
    out = a.out or os.path.join(store, "figures")
    os.makedirs(out, exist_ok=True)
    summary = load_json(os.path.join(store, "analysis", "summary.json"))
    manifest = load_json(os.path.join(store, "manifest.json"))
    written = []
    for group in summary["groups"]:
        adir = os.path.join(store, "analysis", group)
        nets = load_json(os.path.join(adir, "networks.json"))
        distances_figure(adir, group, nets, out, written)
        mds_figure(adir, group, nets, out, written)
        attractors_figure(store, group, nets, out, written)
        counts_figure(adir, group, out, written)
        psychometric_figure(store, group, nets, out, written)
    silhouette_vs_n(summary, "rule", "fig2_silhouette_vs_N.png", "silhouette by rule vs N (Fig. 2c/e)", out, written)
    silhouette_vs_n(summary, "noise", "fig5_silhouette_vs_N.png", "silhouette by noise vs N (Fig. 5)", out, written)
    integration_figure(store, manifest["networks"], out, written)
    for w in written:
        print(w)
    print(f"plot_study: wrote {len(written)} figures to {out}")


if __name__ == "__main__":
    main()
