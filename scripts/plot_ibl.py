#!/usr/bin/env python3
"""Figures of the IBL example (examples/ibl.cpp; docs/ibl.md) as PNG files: the panels of
Schaeffer et al. 2020 Figs. 2 and 3 with the RNN, the exact Bayesian actor, the exact Bayesian
observer and the mice on each.

    /usr/bin/python3 scripts/plot_ibl.py OUT [--out DIR]

Reads OUT/curves.csv (agent, curve, split, x, n, value), OUT/progress.csv and OUT/losses.npy; writes
into DIR (default OUT/figures) and prints the path of every PNG it wrote, one a line:
  fig2a_accuracy_by_contrast.png   fraction of actions correct by signed contrast (Fig. 2a)
  fig2bc_chronometric.png          steps to act by signed contrast, concordant / discordant (Figs. 2b, 2c);
                                   mice in seconds on the right axis
  fig3a_accuracy_split.png         fraction correct by signed contrast, concordant / discordant (Fig. 3a)
  fig3b_block_change.png           fraction correct by trial index after a block change (Fig. 3b)
  fig3c_block_change_zero_contrast.png   the same at zero contrast (Fig. 3c)
  training.png                     session loss per step and the held-out check accuracies
Agents' contrasts are the task's μ (0 ... 2.5); mice's are the screen contrast (0 ... 1): the
contrast axes show each agent's signed contrast divided by its largest contrast.
Needs numpy and matplotlib (Debian: python3-numpy python3-matplotlib); exits with status 77 (a
skip for CTest) when matplotlib is missing.
"""
import argparse
import csv
import os
import sys

import numpy as np

try:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
except ImportError:
    print("plot_ibl: matplotlib is not installed (apt-get install python3-matplotlib)", file=sys.stderr)
    sys.exit(77)

AGENTS = [  # name in curves.csv, label, colour, marker
    ("rnn", "RNN", "tab:blue", "o"),
    ("bayesian_actor", "Bayesian actor", "tab:orange", "s"),
    ("bayesian_observer", "Bayesian observer", "tab:green", "^"),
    ("mice", "mice (3, all sessions)", "tab:gray", "D"),
]


def read_curves(path):
    """{(agent, curve, split): (x, n, value)} as numpy arrays."""
    rows = {}
    if not os.path.isfile(path):
        sys.exit(f"plot_ibl.py: {path} does not exist (expected the output folder of examples/ibl)")
    columns = ["agent", "curve", "split", "x", "n", "value"]
    with open(path, newline="") as f:
        reader = csv.DictReader(f)
        if reader.fieldnames is None or any(c not in reader.fieldnames for c in columns):
            sys.exit(f"plot_ibl.py: {path}: expected the columns {', '.join(columns)}, got {reader.fieldnames}")
        for line, r in enumerate(reader, start=2):
            try:
                rows.setdefault((r["agent"], r["curve"], r["split"]), []).append(
                    (float(r["x"]), int(r["n"]), float(r["value"])))
            except (TypeError, ValueError):
                sys.exit(f"plot_ibl.py: {path}, line {line}: expected numbers in x, n, value, got {r}")
    if not rows:
        sys.exit(f"plot_ibl.py: {path} has no rows: nothing to draw")
    return {k: tuple(np.array(c) for c in zip(*sorted(v))) for k, v in rows.items()}


def normalised(x):
    m = np.max(np.abs(x)) if len(x) else 1.0
    return x / m if m > 0 else x


def save(fig, out, name):
    path = os.path.join(out, name)
    fig.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(fig)
    print(path)


def contrast_panel(curves, out, name, title, splits):
    fig, ax = plt.subplots(figsize=(6.4, 4.4))
    styles = {"all": "-", "concordant": "-", "discordant": "--"}
    for agent, label, colour, marker in AGENTS:
        for split in splits:
            c = curves.get((agent, "psychometric", split))
            if c is None:
                continue
            suffix = "" if split == "all" else f", {split}"
            ax.plot(normalised(c[0]), c[2], styles[split], color=colour, marker=marker, ms=4, label=label + suffix)
    ax.axhline(0.5, color="k", lw=0.5, ls=":")
    ax.set_xlabel("signed contrast / largest contrast (left < 0 < right)")
    ax.set_ylabel("fraction of actions correct")
    ax.set_ylim(0, 1.02)
    ax.set_title(title)
    ax.legend(fontsize=7, loc="lower center", ncol=2)
    save(fig, out, name)


def chronometric_panel(curves, out):
    fig, ax = plt.subplots(figsize=(6.4, 4.4))
    right = ax.twinx()
    for agent, label, colour, marker in AGENTS:
        if agent == "bayesian_observer":
            continue  # it reads the RNN's trials up to the RNN's action: the RNN's curve
        axis = right if agent == "mice" else ax
        for split, style in (("concordant", "-"), ("discordant", "--")):
            c = curves.get((agent, "chronometric", split))
            if c is None:
                continue
            axis.plot(normalised(c[0]), c[2], style, color=colour, marker=marker, ms=4, label=f"{label}, {split}")
    ax.set_xlabel("signed contrast / largest contrast (left < 0 < right)")
    ax.set_ylabel("observation steps to act (RNN, Bayesian actor)")
    right.set_ylabel("reaction time, s (mice)")
    ax.set_title("Figs. 2b, 2c: chronometric curves")
    h1, l1 = ax.get_legend_handles_labels()
    h2, l2 = right.get_legend_handles_labels()
    ax.legend(h1 + h2, l1 + l2, fontsize=7, loc="upper right")
    save(fig, out, "fig2bc_chronometric.png")


def block_change_panel(curves, out, split, name, title, max_index=60):
    fig, ax = plt.subplots(figsize=(6.4, 4.4))
    for agent, label, colour, marker in AGENTS:
        c = curves.get((agent, "block_change", split))
        if c is None:
            continue
        keep = c[0] <= max_index
        ax.plot(c[0][keep], c[2][keep], "-", color=colour, marker=marker, ms=3, lw=1, label=label)
    if split == "zero_contrast":
        for y in (0.2, 0.8):
            ax.axhline(y, color="k", lw=0.5, ls=":")
    ax.set_xlabel("trial index after a block change")
    ax.set_ylabel("fraction of actions correct")
    ax.set_ylim(0, 1.02)
    ax.set_title(title)
    ax.legend(fontsize=7, loc="lower right")
    save(fig, out, name)


def training_panel(run, out):
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(10, 3.8))
    losses_path = os.path.join(run, "losses.npy")
    if os.path.exists(losses_path):
        losses = np.load(losses_path)
        a1.plot(np.arange(1, len(losses) + 1), losses, lw=0.3, color="tab:blue")
        if len(losses) >= 50:
            k = max(1, len(losses) // 100)
            smooth = np.convolve(losses, np.ones(k) / k, mode="valid")
            a1.plot(np.arange(k, len(losses) + 1), smooth, color="k", lw=1, label=f"mean of {k}")
            a1.legend(fontsize=7)
    a1.set_xlabel("training step (one 4-block session)")
    a1.set_ylabel("session loss")
    progress_path = os.path.join(run, "progress.csv")
    if os.path.exists(progress_path):
        with open(progress_path, newline="") as f:
            rows = list(csv.DictReader(f))
        if rows:
            step = np.array([float(r["step"]) for r in rows])
            a2.plot(step, [float(r["rnn_fraction_of_actions_correct"]) for r in rows], "o-", ms=3,
                    color="tab:blue", label="RNN, of actions")
            a2.plot(step, [float(r["rnn_fraction_of_trials_correct"]) for r in rows], "o--", ms=3,
                    color="tab:blue", label="RNN, of trials")
            a2.axhline(float(rows[0]["actor_fraction_of_actions_correct"]), color="tab:orange",
                       label="Bayesian actor, of actions")
            a2.axhline(float(rows[0]["actor_fraction_of_trials_correct"]), color="tab:orange", ls="--",
                       label="Bayesian actor, of trials")
            a2.legend(fontsize=7)
    a2.set_xlabel("training step")
    a2.set_ylabel("fraction correct, held-out check session")
    save(fig, out, "training.png")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("run", help="output folder of examples/ibl.cpp")
    ap.add_argument("--out", help="figure folder (default RUN/figures)")
    a = ap.parse_args()
    out = a.out or os.path.join(a.run, "figures")
    curves = read_curves(os.path.join(a.run, "curves.csv"))  # checked before anything is written
    os.makedirs(out, exist_ok=True)
    contrast_panel(curves, out, "fig2a_accuracy_by_contrast.png", "Fig. 2a: accuracy by contrast", ["all"])
    chronometric_panel(curves, out)
    contrast_panel(curves, out, "fig3a_accuracy_split.png", "Fig. 3a: concordant (—) and discordant (- -) trials",
                   ["concordant", "discordant"])
    block_change_panel(curves, out, "all", "fig3b_block_change.png", "Fig. 3b: after a block change, all contrasts")
    block_change_panel(curves, out, "zero_contrast", "fig3c_block_change_zero_contrast.png",
                       "Fig. 3c: after a block change, zero contrast")
    training_panel(a.run, out)


if __name__ == "__main__":
    main()
