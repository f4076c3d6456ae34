#!/usr/bin/env bash
# Installs rnnlab's build and test dependencies from Debian 12's archive (as root, or with sudo).
# Safe to re-run: apt-get skips what is already installed.
set -euo pipefail
packages=(
  g++ cmake ninja-build            # toolchain
  libeigen3-dev                    # Eigen 3.4: the core
  xtensor-dev                      # xtensor 0.24 (+ xtl, xsimd): .npy I/O
  nlohmann-json3-dev               # JSON metadata
  libcli11-dev                     # the rnnlab program's command line
  doctest-dev                      # tests
  libbenchmark-dev                 # benchmarks
  python3-numpy                    # to check that numpy reads what rnnlab writes
  python3-matplotlib               # scripts/plot_study.py: the study's figures
  libopenmpi-dev openmpi-bin       # optional MPI for the study (find_package(MPI); mpirun -np 2 test)
)
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "install-deps: all ${#packages[@]} packages present"
fi
